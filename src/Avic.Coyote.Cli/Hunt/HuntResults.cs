using System.Threading;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Minimization;
using Avic.Coyote.Reports;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>Turns what the units found into a <see cref="HuntReport"/> and the schedule and trace of each distinct bug.</summary>
public static class HuntResults
{
    /// <summary>
    /// Builds the report and the files <c>TEST.n.schedule</c> + <c>TEST.n.trace.txt</c> (to write with it) for the n-th
    /// distinct bug of each test (numbered in signature order, so the same bugs get the same numbers).
    /// With <paramref name="minimize"/> each schedule is first shrunk by the engine's
    /// <see cref="ScheduleMinimizer"/> (after the budget, on up to <paramref name="parallel"/> threads).
    /// </summary>
    public static (HuntReport Report, IReadOnlyList<(string Path, string Text)> Files) Build(string outputDirectory, HuntRun run,
        IReadOnlyList<TestState> states, bool minimize, int parallel)
    {
        var files = new List<(string Path, string Text)>();
        var ordered = states.Select(s => (State: s, Bugs: s.Bugs.Values.OrderBy(b => b.Key.Signature, StringComparer.Ordinal).ToList())).ToList();
        var minimized = new Dictionary<FoundBug, Minimized>();
        if (minimize)
        {
            var all = ordered.SelectMany(o => o.Bugs.Select(b => (o.State.Test, Bug: b))).ToList();
            WorkerPool.ForEach(all, parallel, item =>
            {
                Minimized? m = Minimize(item.Test, item.Bug.First);
                if (m is not null) lock (minimized) minimized[item.Bug] = m;
            }, "minimization");
        }

        var report = new HuntReport { Format = HuntReport.FormatName, Runs = [run], Tests = [] };
        foreach ((TestState s, List<FoundBug> bugs) in ordered)
        {
            var result = new HuntTestResult
            {
                Name = s.Test.Name, Description = s.Test.Description, Expect = s.Test.Expect, Invariant = s.Test.Invariant,
                Units = s.Runs.Count, UnitsNotRun = s.UnitsLeft, Iterations = s.Iterations, Steps = s.Steps, MaxStepsHits = s.MaxStepsHits,
                Seconds = Math.Round(s.Seconds, 3), Proved = s.Proved, Runs = s.Runs.OrderBy(r => r.Unit).ToList(),
            };
            for (int n = 1; n <= bugs.Count; n++)
            {
                FoundBug found = bugs[n - 1];
                ScheduleFile first = found.First.Schedule!;
                var bug = new HuntBug
                {
                    Kind = found.First.Bug!.Kind, Invariant = found.First.Bug.Invariant, Message = found.First.Bug.Message, Operation = found.First.Bug.Operation,
                    Step = found.First.Bug.Step, Signature = found.Key.Signature, Occurrences = found.Occurrences,
                    Strategy = first.Strategy, StrategyValue = first.StrategyValue, Seed = first.Seed, Iteration = first.Iteration,
                };
                string stem = $"{BugFiles.FileName(s.Test.Name)}.{n}";
                BugFiles.Set set;
                if (minimized.TryGetValue(found, out Minimized? m))
                {
                    bug.StepsBeforeMinimizing = bug.Step;
                    bug.Step = m.Result.Bug.Step;
                    bug.PreemptionsBeforeMinimizing = m.Result.PreemptionsBefore;
                    bug.Preemptions = m.Result.PreemptionsAfter;
                    MinimizeResult r = m.Result;
                    string note = $"minimized: {r.StepsBefore} -> {r.StepsAfter} steps, {r.PreemptionsBefore} -> {r.PreemptionsAfter} preemptions ({r.Replays} replays)";
                    set = BugFiles.Prepare(outputDirectory, stem, r.Minimized, m.Replay.Trace, null, note);
                }
                else
                {
                    set = BugFiles.Prepare(outputDirectory, stem, first, found.First.Trace ?? [], null);
                }
                files.AddRange(set.Files);
                BugFiles.Written written = set.Names;
                bug.Schedule = Path.GetFileName(written.Schedule);
                bug.Trace = Path.GetFileName(written.Trace);
                result.Bugs.Add(bug);
            }
            result.Judge();
            report.Tests.Add(result);
        }
        return (report, files);
    }

    private sealed record Minimized(MinimizeResult Result, ReplayResult Replay);

    /// <summary>The minimized schedule and its traced replay, or null when the minimizer gives up or finds
    /// nothing smaller (the original schedule is written then).</summary>
    private static Minimized? Minimize(TestCase test, TestReport original)
    {
        MinimizeResult result;
        try { result = ScheduleMinimizer.Minimize(test, original.Schedule!); }
        catch (MinimizationException) { return null; }
        if (result.StepsAfter >= result.StepsBefore && result.PreemptionsAfter >= result.PreemptionsBefore) return null;
        ReplayResult replay = TestingEngine.Replay(test, result.Minimized);
        return replay.Reproduces(result.Bug) ? new Minimized(result, replay) : null;
    }

}
