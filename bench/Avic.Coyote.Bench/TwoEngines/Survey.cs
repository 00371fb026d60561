using System;
using System.Globalization;
using System.Linq;
using Avic.Coyote.Microsoft;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Bench.TwoEngines;

/// <summary>
/// Every bundled test on Microsoft.Coyote once, with its verdict, iterations, steps per iteration and time:
/// <c>dotnet run -c Release --project bench/Avic.Coyote.Bench -- two-engines-survey [--iterations 300] [--seed 1]
/// [--strategy prioritization] [--filter prefix]</c>. This is how the budgets of the differential tests were chosen.
/// </summary>
public static class Survey
{
    public static int Run(string[] args)
    {
        int iterations = Arg(args, "--iterations") is { } i ? int.Parse(i, CultureInfo.InvariantCulture) : 300;
        uint seed = Arg(args, "--seed") is { } s ? uint.Parse(s, CultureInfo.InvariantCulture) : 1;
        string strategy = Arg(args, "--strategy") ?? "prioritization";
        string filter = Arg(args, "--filter") ?? "";
        int failures = 0;
        foreach (TestCase test in TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly)
                     .Where(t => t.Name.StartsWith(filter, StringComparison.Ordinal)))
        {
            CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = iterations, Seed = seed, Strategy = strategy });
            if (!r.MeetsExpectation) failures++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(r.MeetsExpectation ? "ok  " : "FAIL")} {test.Name,-40} expected {test.ExpectationText,-36} got {(r.Bug is null ? "no bug" : r.Bug.Kind.ToString())} " +
                $"after {r.Iterations} it ({r.BugIteration}), {r.TotalSteps / Math.Max(1.0, r.Iterations):0} steps/it, {r.Elapsed.TotalSeconds:0.00} s, lost {r.LostControl}" +
                $"{(r.Bug is null ? "" : " :: " + r.Bug.Message[..Math.Min(120, r.Bug.Message.Length)])}"));
        }
        return failures == 0 ? 0 : 1;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
