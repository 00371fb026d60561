using System.Diagnostics;
using Avic.Coyote.Testing;
// usage: mcprobe TEST STRATEGY ITER ROUNDS
string name = args[0]; string strat = args[1]; int n = int.Parse(args[2]); int rounds = int.Parse(args[3]);
var test = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly).Single(t => t.Name == name);
var config = new Configuration() with { Strategy = strat };
var runner = ExecutionRunner.For(test, config);
var strategy = runner.CreateStrategy(config);
runner.RunIterations(strategy, n);
long steps0 = runner.RunIterations(strategy, n);
var results = new List<double>();
AllocListener? al = Environment.GetEnvironmentVariable("ALLOC") == "1" ? new AllocListener() : null; if (al != null) al.On = true;
for (int r = 0; r < rounds; r++)
{
    long a0 = GC.GetAllocatedBytesForCurrentThread();
    var cpu0 = Process.GetCurrentProcess().UserProcessorTime + Process.GetCurrentProcess().PrivilegedProcessorTime;
    var sw = Stopwatch.StartNew();
    long steps = runner.RunIterations(strategy, n);
    sw.Stop();
    var cpu1 = Process.GetCurrentProcess().UserProcessorTime + Process.GetCurrentProcess().PrivilegedProcessorTime;
    long a1 = GC.GetAllocatedBytesForCurrentThread();
    if (steps != steps0) throw new Exception($"steps {steps} != {steps0}");
    double cpuUs = (cpu1 - cpu0).TotalMicroseconds / n;
    results.Add(cpuUs);
    Console.WriteLine($"{name}/{strat}: {steps / (double)n:F1} steps/it, wall {sw.Elapsed.TotalMicroseconds / n:F1} us/it, cpu {cpuUs:F1} us/it, {(a1 - a0) / (double)n:F0} B/it");
}
results.Sort();
Console.WriteLine($"{name}/{strat}: median cpu {results[results.Count/2]:F1} us/it, min {results[0]:F1}");

if (al != null) { al.On = false; long tot = al.Counts.Values.Sum(); foreach (var kv in al.Counts.OrderByDescending(k => k.Value).Take(40)) Console.WriteLine($"{kv.Value * 100.0 / tot,5:F1}% {kv.Key}"); }
