namespace Avic.Coyote.Cli.Hunt;

/// <summary>
/// Joins shard reports into one: runs are listed side by side; a test reported by several shards has
/// its figures summed, its unit runs joined and its bugs united (same <see cref="BugKey"/> = one bug,
/// occurrences summed, the first report's schedule kept); verdicts are recomputed from the merged data,
/// so a known bug counts as found when any shard found it.
/// </summary>
public static class ReportMerger
{
    /// <summary>Merges <paramref name="reports"/> (each with the folder it was read from and the name to show
    /// in messages), in order. Also returns, for each merged bug, the folder its schedule and trace are in.</summary>
    public static (HuntReport Report, Dictionary<HuntBug, string> BugDirectories) Merge(IReadOnlyList<(HuntReport Report, string Directory, string Name)> reports)
    {
        var merged = new HuntReport { Format = HuntReport.FormatName, Runs = [], Tests = [] };
        var byName = new Dictionary<string, (HuntTestResult Test, string From)>(StringComparer.Ordinal);
        var bugDirs = new Dictionary<HuntBug, string>(ReferenceEqualityComparer.Instance);
        foreach ((HuntReport report, string dir, string name) in reports)
        {
            merged.Runs.AddRange(report.Runs);
            foreach (HuntTestResult t in report.Tests)
            {
                if (!byName.TryGetValue(t.Name, out var into))
                {
                    into = (new HuntTestResult { Name = t.Name, Description = t.Description, Expect = t.Expect, ExpectMessage = t.ExpectMessage }, name);
                    byName[t.Name] = into;
                    merged.Tests.Add(into.Test);
                }
                else if (into.Test.Expect != t.Expect || into.Test.ExpectMessage != t.ExpectMessage)
                {
                    throw new InputException($"{name}: test '{t.Name}' expects {t.ExpectationText} here but {into.Test.ExpectationText} in {into.From}: " +
                                             "the reports come from different versions of the models");
                }
                Add(into.Test, t, dir, bugDirs);
            }
        }
        merged.Tests.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (HuntTestResult t in merged.Tests) t.Judge();
        return (merged, bugDirs);
    }

    private static void Add(HuntTestResult into, HuntTestResult t, string dir, Dictionary<HuntBug, string> bugDirs)
    {
        into.Units += t.Units;
        into.Iterations += t.Iterations;
        into.Steps += t.Steps;
        into.MaxStepsHits += t.MaxStepsHits;
        into.Seconds += t.Seconds;
        into.Proved |= t.Proved;
        into.Runs.AddRange(t.Runs);
        foreach (HuntBug bug in t.Bugs)
        {
            BugKey key = bug.Key(t.Name);
            HuntBug? same = into.Bugs.FirstOrDefault(b => b.Key(into.Name) == key);
            if (same is not null)
            {
                same.Occurrences += bug.Occurrences;
                continue;
            }
            HuntBug copy = Copy(bug);
            copy.Signature = key.Signature;
            into.Bugs.Add(copy);
            bugDirs[copy] = dir;
        }
    }

    private static HuntBug Copy(HuntBug b) => new()
    {
        Kind = b.Kind, Message = b.Message, Operation = b.Operation, Step = b.Step, Signature = b.Signature,
        Occurrences = b.Occurrences, Strategy = b.Strategy, StrategyValue = b.StrategyValue, Seed = b.Seed,
        Iteration = b.Iteration, Schedule = b.Schedule, Trace = b.Trace, StepsBeforeMinimizing = b.StepsBeforeMinimizing,
        PreemptionsBeforeMinimizing = b.PreemptionsBeforeMinimizing, Preemptions = b.Preemptions,
    };
}
