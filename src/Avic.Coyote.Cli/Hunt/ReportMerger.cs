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
        CheckSameSettings(reports);
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
                    into = (new HuntTestResult { Name = t.Name, Description = t.Description, Expect = t.Expect, Invariant = t.Invariant }, name);
                    byName[t.Name] = into;
                    merged.Tests.Add(into.Test);
                }
                else if (into.Test.Expect != t.Expect || into.Test.Invariant != t.Invariant)
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

    /// <summary>
    /// Shards of one plan share what decides which tests run and how (filter, assembly, step bound, strategy
    /// value, memory model, ...). Merging runs that differ would add up figures of different experiments
    /// under one verdict, so it is refused with the first difference named.
    /// </summary>
    private static void CheckSameSettings(IReadOnlyList<(HuntReport Report, string Directory, string Name)> reports)
    {
        (string Setting, Func<HuntRun, object?> Of)[] settings =
        [
            ("-m filter", r => r.Filter), ("assembly", r => r.Assembly), ("--max-steps", r => r.MaxSteps),
            ("--strategy-value", r => r.StrategyValue), ("memory model (--tso)", r => r.MemoryModel),
            ("--fail-on-max-steps", r => r.FailOnMaxSteps), ("--liveness-threshold", r => r.LivenessThreshold),
            ("shard count", r => r.ShardCount),
        ];
        var runs = reports.SelectMany(x => x.Report.Runs.Select(run => (Run: run, x.Name))).ToList();
        if (runs.Count == 0) return;
        foreach ((string setting, Func<HuntRun, object?> of) in settings)
        {
            object? first = of(runs[0].Run);
            foreach ((HuntRun run, string name) in runs.Skip(1))
                if (!Equals(of(run), first))
                    throw new InputException($"{name}: shard {run.Shard} was run with {setting} {Show(of(run))} but {runs[0].Name} with {Show(first)}: " +
                                             "these are not shards of one hunt (run every shard with the same flags), so they are not merged");
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "(none)",
        string s => $"'{s}'",
        bool b => b ? "on" : "off",
        _ => value.ToString()!,
    };

    private static void Add(HuntTestResult into, HuntTestResult t, string dir, Dictionary<HuntBug, string> bugDirs)
    {
        into.Units += t.Units;
        into.UnitsNotRun += t.UnitsNotRun;
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
        Kind = b.Kind, Invariant = b.Invariant, Message = b.Message, Operation = b.Operation, Step = b.Step, Signature = b.Signature,
        Occurrences = b.Occurrences, Strategy = b.Strategy, StrategyValue = b.StrategyValue, Seed = b.Seed,
        Iteration = b.Iteration, Schedule = b.Schedule, Trace = b.Trace, StepsBeforeMinimizing = b.StepsBeforeMinimizing,
        PreemptionsBeforeMinimizing = b.PreemptionsBeforeMinimizing, Preemptions = b.Preemptions,
    };
}
