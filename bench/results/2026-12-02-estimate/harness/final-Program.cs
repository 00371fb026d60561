using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Testing;
// usage: hf TEST [expectedExecutions] -> the estimate's trajectory at 1..90% of the executions, its mean and worst error
string name = args[0];
long expected = args.Length > 1 ? long.Parse(args[1]) : 0;
var all = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly);
var test = all.Single(t => t.Name == name);
var config = new Configuration() with { Strategy = "dfs-proof" };
(ExecutionRunner, OptimalDporStrategy) Fresh() { var r = ExecutionRunner.For(test, config); return (r, (OptimalDporStrategy)r.CreateStrategy(config)); }
if (expected == 0) { var (r0, s0) = Fresh(); for (int i = 0; r0.TryRun(s0, i, out _); i++) expected++; }
long step = Math.Max(1, expected / 4000);
var (runner, search) = Fresh();
var samples = new List<(long n, double done)>();
long count = 0;
for (int i = 0; runner.TryRun(search, i, out _); i++)
{
    count++;
    if (count % step == 0 || count <= 10 || (count & (count - 1)) == 0) samples.Add((count, search.EstimatedDone));
}
Console.WriteLine($"{name}: executions {count} (complete {search.CompleteExecutions}, cut short {search.PrunedExecutions}) exhausted {search.IsExhausted}");
double[] points = [0.01, 0.02, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90];
double mae = 0, worst = 0;
foreach (double p in points)
{
    long target = (long)Math.Round(p * count);
    var s = samples.MinBy(x => Math.Abs(x.n - target));
    double truth = (double)s.n / count;
    Console.WriteLine($"{truth * 100,6:F2}% est {s.done * 100,6:F2}%");
    mae += Math.Abs(s.done - truth) / points.Length; worst = Math.Max(worst, Math.Abs(s.done - truth));
}
double mAll = samples.Average(s => Math.Abs(s.done - (double)s.n / count));
Console.WriteLine($"MAE8 {mae * 100:F2} worst8 {worst * 100:F2} MAEall {mAll * 100:F2}");
if (Environment.GetEnvironmentVariable("TRAJ") is string f)
    File.WriteAllLines(f, samples.Select(s => $"{s.n} {(double)s.n / count:F6} {s.done:F6}"));
