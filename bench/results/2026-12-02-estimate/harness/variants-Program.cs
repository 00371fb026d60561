using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Testing;
// usage: h TEST [expectedExecutions] [variants] -> trajectory of the estimate(s) at 1..90% of the executions
string name = args[0];
if (name == "scan")
{
    var cat = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly);
    foreach (var t in cat)
    {
        if (t.Name.Contains(".MB") || t.Name.Contains(".B-") || !(args.Length > 1 && args.Skip(1).Any(a => t.Name.StartsWith(a)))) continue;
        var c = new Configuration() with { Strategy = "dfs-proof" };
        var r = ExecutionRunner.For(t, c); var st = (OptimalDporStrategy)r.CreateStrategy(c);
        var sw = System.Diagnostics.Stopwatch.StartNew(); long m = 0; bool bug = false;
        try { for (int i = 0; sw.Elapsed.TotalSeconds < 10 && r.TryRun(st, i, out var o); i++) { m++; if (r.BugOf(o, false) is not null) { bug = true; break; } } } catch (Exception e) { Console.WriteLine($"{t.Name} error {e.Message}"); continue; }
        Console.WriteLine($"{t.Name} n={m} exhausted={st.IsExhausted} bug={bug} complete={st.CompleteExecutions} pruned={st.PrunedExecutions} {sw.Elapsed.TotalSeconds:F1}s");
    }
    return;
}
long expected = args.Length > 1 ? long.Parse(args[1]) : 0;
int[] variants = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : [0, 1, 2, 3, 4];
var all = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly);
var test = all.Single(t => t.Name == name);
var config = new Configuration() with { Strategy = "dfs-proof" };
(ExecutionRunner, OptimalDporStrategy) Fresh() { var r = ExecutionRunner.For(test, config); return (r, (OptimalDporStrategy)r.CreateStrategy(config)); }
if (expected == 0)
{
    var (r0, s0) = Fresh();
    for (int i = 0; r0.TryRun(s0, i, out _); i++) expected++;
}
long step = Math.Max(1, expected / 4000);
var (runner, search) = Fresh();
var samples = new List<(long n, double[] e)>();
long count = 0;
for (int i = 0; runner.TryRun(search, i, out _); i++)
{
    count++;
    if (Environment.GetEnvironmentVariable("DUMP") is string dd && dd.Split(',').Contains(count.ToString())) Console.WriteLine($"--- {count}\n{search.Dump()}");
    if (count % step == 0 || count <= 10) samples.Add((count, variants.Select(v => search.Estimate(v)).ToArray()));
}
samples.Add((count, variants.Select(v => search.Estimate(v)).ToArray()));
Console.WriteLine($"{name}: executions {count} (complete {search.CompleteExecutions}, cut short {search.PrunedExecutions}) exhausted {search.IsExhausted} expected {expected}");
double[] points = [0.01, 0.02, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90];
Console.WriteLine("true%   " + string.Join(" ", variants.Select(v => $"v{v},7")));
var errs = new double[variants.Length]; var worst = new double[variants.Length];
foreach (double p in points)
{
    long target = (long)Math.Round(p * count);
    var s = samples.MinBy(x => Math.Abs(x.n - target));
    double truth = (double)s.n / count;
    Console.WriteLine($"{truth * 100,6:F2}% " + string.Join(" ", s.e.Select(x => $"{x * 100,6:F2}%")));
    for (int v = 0; v < variants.Length; v++) { double d = Math.Abs(s.e[v] - truth); errs[v] += d / points.Length; worst[v] = Math.Max(worst[v], d); }
}
var end = samples[^1];
Console.WriteLine("end     " + string.Join(" ", end.e.Select(x => $"{x * 100,6:F2}%")));
Console.WriteLine("MAE8    " + string.Join(" ", errs.Select(x => $"{x * 100,6:F2} ")));
Console.WriteLine("worst8  " + string.Join(" ", worst.Select(x => $"{x * 100,6:F2} ")));
var mAll = new double[variants.Length];
foreach (var s in samples) for (int v = 0; v < variants.Length; v++) mAll[v] += Math.Abs(s.e[v] - (double)s.n / count) / samples.Count;
Console.WriteLine("MAEall  " + string.Join(" ", mAll.Select(x => $"{x * 100,6:F2} ")));
if (Environment.GetEnvironmentVariable("TRAJ") is string f)
    File.WriteAllLines(f, samples.Select(s => $"{s.n} {(double)s.n / count:F6} " + string.Join(" ", s.e.Select(x => x.ToString("F6")))));
