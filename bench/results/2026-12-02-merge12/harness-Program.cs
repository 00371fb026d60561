using System.Diagnostics;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;
// usage: h TEST [seconds] [rounds]  -> µs per iteration (100 iterations per batch, like EngineBenchmarks, random, seed 1)
string name = args[0];
double secs = args.Length > 1 ? double.Parse(args[1]) : 3;
int rounds = args.Length > 2 ? int.Parse(args[2]) : 5;
var test = name.StartsWith("synth") ? TestCatalog.FromAssembly(typeof(Synth).Assembly).Single(t => t.Name == name) : TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly).Single(t => t.Name == name);
#if BASE
int maxSteps = Environment.GetEnvironmentVariable("MAXSTEPS") is string ms ? int.Parse(ms) : test.MaxSteps > 0 ? test.MaxSteps : 2000;
var strategy = new Configuration { Strategy = "random", StrategyValue = Configuration.DefaultStrategyValue, Seed = 1, MaxSteps = maxSteps }.CreateStrategy();
var runtime = new ControlledRuntime();
long Run(int n) { long steps = 0; for (int i = 0; i < n; i++) { strategy.PrepareIteration(i); var o = runtime.RunExecution(test.Entry, strategy, maxSteps, test.MemoryModel, 0, tracing: false); strategy.OnIterationEnd(runtime.Step, o); steps += runtime.Step; } return steps; }
#else
var config = new Configuration() with { Strategy = Environment.GetEnvironmentVariable("STRAT") ?? "dfs-proof" };
if (Environment.GetEnvironmentVariable("MAXSTEPS") is string ms) config = config with { MaxSteps = int.Parse(ms) };
var runner = ExecutionRunner.For(test, config);
var strategy = runner.CreateStrategy(config);
long Run(int n) => runner.RunIterations(strategy, n, null);
#endif
if (args.Length > 3 && args[3] == "dfsalloc") { runner.RunIterations(strategy, 10000); using var l = new AllocListener(); long a0 = GC.GetAllocatedBytesForCurrentThread(); runner.RunIterations(strategy, 10000); long a1 = GC.GetAllocatedBytesForCurrentThread(); Thread.Sleep(2000); lock (l.ByType) foreach (var kv in l.ByType.OrderByDescending(k => k.Value).Take(30)) Console.WriteLine($"{kv.Value,6} {kv.Key}"); Console.WriteLine($"bytes/iteration {(a1 - a0) / 10000.0:F0}"); return; }
if (args.Length > 3 && args[3] == "classes") { int n = int.Parse(args[1]); var rec = new H.DfsClassRecorder(strategy, localDraws: true); long st = runner.RunIterations(rec, n, null); Console.WriteLine($"{name}: K {Avic.Coyote.Strategies.Exhaustive.OptimalDporStrategy.ExpandTop} exhausted {strategy.IsExhausted} executions {rec.Executions.Count} classes {rec.Classes.Count} repeats {rec.Repeats}"); File.WriteAllLines(args[4], rec.Classes.Select(c => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(c))).Substring(0, 32)).OrderBy(x => x)); return; }
if (args.Length > 3 && args[3] == "jobs") { int n = int.Parse(args[1]); var o = new int[8]; long st = runner.RunIterations(strategy, n, o); var d = (Avic.Coyote.Strategies.Exhaustive.OptimalDporStrategy)strategy; d.FlushJobs(); Console.WriteLine($"{name}: K {Avic.Coyote.Strategies.Exhaustive.OptimalDporStrategy.ExpandTop} iterations {d.CompleteExecutions + d.PrunedExecutions} executions {d.CompleteExecutions} pruned {d.PrunedExecutions} steps {st} exhausted {d.IsExhausted}"); var js = d.Jobs.GroupBy(j => j.Job).Select(g => (g.Key, g.Sum(x => x.Executions))).OrderByDescending(x => x.Item2).ToList(); long tot = js.Sum(x => x.Item2); Console.WriteLine($"jobs {js.Count} segments {d.Jobs.Count} largest {(js.Count > 0 ? 100.0 * js[0].Item2 / tot : 0):F1}% top3 {(100.0 * js.Take(3).Sum(x => x.Item2) / Math.Max(1, tot)):F1}%"); foreach (var j in js.Take(8)) Console.WriteLine($"  {j.Key} {j.Item2}"); return; }
if (args.Length > 3 && args[3] == "dfs") { int n = int.Parse(args[1]); var o = new int[8]; long st = runner.RunIterations(strategy, n, o); var d = (Avic.Coyote.Strategies.Exhaustive.OptimalDporStrategy)strategy; Console.WriteLine($"{name}: iterations {d.CompleteExecutions + d.PrunedExecutions} executions {d.CompleteExecutions} pruned {d.PrunedExecutions} steps {st} exhausted {d.IsExhausted}"); return; }
long s0 = Run(100); s0 = Run(100);
if (args.Length > 3 && args[3] == "allocprof") { using var l = new AllocListener(); Run(100 * (int)secs); Thread.Sleep(2000); lock (l.ByType) foreach (var kv in l.ByType.OrderByDescending(k => k.Value).Take(45)) Console.WriteLine($"{kv.Value,6} {kv.Key}"); Console.WriteLine($"total {l.ByType.Values.Sum()}"); return; }
if (args.Length > 3 && args[3] == "alloc") { long a0 = GC.GetAllocatedBytesForCurrentThread(); int g0 = GC.CollectionCount(0); Run(100 * (int)secs); Console.WriteLine($"{name}: bytes/it {(GC.GetAllocatedBytesForCurrentThread() - a0) / (100.0 * (int)secs):F0} gen0 {GC.CollectionCount(0) - g0}"); return; }
if (args.Length > 3 && args[3] == "count") { long tot=0; for (int b = 0; b < (int)secs; b++) tot += Run(100); Console.WriteLine($"{name}: steps/it {s0/100.0:F1} batches {(int)secs} steps {tot}"); return; }
var warm = Stopwatch.StartNew(); while (warm.Elapsed.TotalSeconds < 4) Run(100);
var res = new List<double>();
for (int r = 0; r < rounds; r++) {
  var sw = Stopwatch.StartNew(); long batches = 0; double c0 = Cpu.Now();
  while (sw.Elapsed.TotalSeconds < secs) { Run(100); batches++; }
  res.Add((Cpu.Now() - c0) * 1e6 / (batches * 100));
}
res.Sort();
Console.WriteLine($"{name}: steps/it {s0/100.0:F1}  thread-CPU µs/it median {res[res.Count/2]:F1} min {res[0]:F1} max {res[^1]:F1}");

static class Cpu {
  [System.Runtime.InteropServices.DllImport("libc")] static extern int clock_gettime(int id, out Ts ts);
  struct Ts { public long sec, nsec; }
  public static double Now() { clock_gettime(3, out var t); return t.sec + t.nsec * 1e-9; }
}
