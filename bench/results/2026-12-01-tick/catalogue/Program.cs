using Avic.Coyote;
using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Testing;
int budget = int.Parse(args[0]); double seconds = double.Parse(args[1]);
var tests = TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly)
    .Where(t => t.Name.StartsWith("Doorbell.") && t.Expect is not (Expectation.Pass or Expectation.Explore)).ToList();
int found = 0;
foreach (TestCase t in tests)
{
    TestReport r = TestingEngine.Run(t, new Configuration { Strategy = "dfs", Iterations = budget, TimeoutSeconds = seconds, MaxSteps = 2000 });
    bool ok = r.Bug is not null && t.Meets(r.Bug);
    if (ok) found++;
    Console.WriteLine($"{t.Name}: {(ok ? $"found at {r.BugIteration}" : r.Bug is null ? $"not in {r.Iterations}" : $"WRONG {r.Bug}")} ({r.Elapsed.TotalSeconds:F1} s)");
}
Console.WriteLine($"{found} of {tests.Count} found");
