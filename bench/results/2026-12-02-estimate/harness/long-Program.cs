using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Testing;
// usage: hc TEST CAP -> the estimate at 1k, 2k, 5k, 10k, ... executions up to CAP (a search too long to finish)
var test = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly).Single(t => t.Name == args[0]);
long cap = long.Parse(args[1]);
var config = new Configuration() with { Strategy = "dfs-proof" };
var runner = ExecutionRunner.For(test, config);
var search = (OptimalDporStrategy)runner.CreateStrategy(config);
long count = 0, next = 1000;
for (int i = 0; count < cap && runner.TryRun(search, i, out _); i++)
{
    count++;
    if (count == next) { Console.WriteLine($"{count,10} {search.EstimatedDone * 100,8:F3}%  total ~{count / search.EstimatedDone,14:N0}"); next = next.ToString()[0] switch { '1' => next * 2, '2' => next * 5 / 2, _ => next * 2 }; }
}
