// dfs over named catalogue variants: executions to the first bug, or how many ran without one.
// Usage: [STRATEGY=dfs-bounded VALUE=1] measure ITERATIONS SECONDS NAME...   (Lib=<dir with the built DLLs>; see ../README.md)
using Avic.Coyote;
using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Testing;
int budget = int.Parse(args[0]); double seconds = double.Parse(args[1]);
string strategy = Environment.GetEnvironmentVariable("STRATEGY") ?? "dfs";
int value = int.Parse(Environment.GetEnvironmentVariable("VALUE") ?? "0");
var catalogue = TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly);
foreach (string name in args.Skip(2))
{
    TestCase t = catalogue.Single(c => c.Name == name);
    TestReport r = TestingEngine.Run(t, new Configuration { Strategy = strategy, StrategyValue = value, Iterations = budget, TimeoutSeconds = seconds, MaxSteps = 2000 });
    bool ok = r.Bug is not null && t.Meets(r.Bug);
    Console.WriteLine($"{t.Name}: {(ok ? $"found at {r.BugIteration}" : r.Bug is null ? $"not in {r.Iterations}" : $"WRONG {r.Bug}")} ({r.Elapsed.TotalSeconds:F1} s; {r.Coverage})");
}
