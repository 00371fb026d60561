using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Minimization;

/// <summary>A schedule cannot be minimized (no bug recorded, or it no longer reproduces); the message says why.</summary>
public sealed class MinimizationException(string message) : Exception(message);

/// <summary>What <see cref="ScheduleMinimizer.Minimize"/> gave: the shrunk schedule and the figures before and after.</summary>
public sealed record MinimizeResult(ScheduleFile Minimized, int StepsBefore, int StepsAfter,
    int PreemptionsBefore, int PreemptionsAfter, int Replays)
{
    /// <summary>The bug the minimized schedule reaches (same kind and signature as the original's).</summary>
    public BugReport Bug => Minimized.Bug!;
}

/// <summary>
/// Shrinks a failing schedule to one that fails the same way (<see cref="BugSignature"/>) with
/// fewer preemptions first and fewer steps second. Delta debugging on the decision list (cut the
/// tail at a context switch, drop one operation's decisions, remove or postpone a preemption, ddmin
/// chunk removal), repeated until a round finds nothing or the replay budget is spent: each
/// candidate list is run under <see cref="PrefixThenSuffix.NonPreemptiveAfter"/>, the decisions that run
/// really took are recorded, and the result is kept only when it is better and a plain
/// <see cref="TestingEngine.Replay"/> of that recorded schedule reproduces the bug. So every
/// intermediate and final answer is a real, replayable schedule, and neither figure ever grows.
/// </summary>
public static class ScheduleMinimizer
{
    public static MinimizeResult Minimize(TestCase test, ScheduleFile schedule, int maxReplays = 2000)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(schedule);
        if (maxReplays < 2) throw new ArgumentOutOfRangeException(nameof(maxReplays), "at least 2 replays are needed to check the schedule");
        if (schedule.Bug is null)
            throw new MinimizationException($"the schedule of '{schedule.Test}' records no bug; there is nothing to minimize");

        var search = new Search(test, schedule, maxReplays);
        while (search.HasBudget && (search.TruncateTail() || search.RemoveOperations() || search.DropPreemptions() || search.RemoveChunks()))
        {
            // Each pass returns at its first improvement; go on until a whole round finds none (a fixed point).
        }
        return new MinimizeResult(search.BestFile, search.Before.Steps, search.Best.Steps,
            search.Before.Preemptions, search.Best.Preemptions, search.Replays);
    }

    private sealed class Search
    {
        private readonly TestCase test;
        private readonly ScheduleFile original;
        private readonly BugSignature signature;
        private readonly int maxReplays;
        private readonly ScheduleExecutor executor;

        public Search(TestCase test, ScheduleFile original, int maxReplays)
        {
            this.test = test;
            this.original = original;
            this.maxReplays = maxReplays;
            signature = BugSignature.Of(original.Bug!);
            executor = new ScheduleExecutor(test, original);

            ReplayResult check = TestingEngine.Replay(test, original);
            Replays++;
            if (!check.Reproduces(original.Bug) || !signature.Matches(check.Bug))
                throw new MinimizationException($"the schedule does not reproduce its bug ({original.Bug}); replaying it gave " +
                                                (check.Divergence ?? check.Bug?.ToString() ?? "no bug"));
            Before = Best = Observe(new ReplayStrategy(original.Decisions));
            BestFile = original;
        }

        public Observation Before { get; }

        public Observation Best { get; private set; }

        public ScheduleFile BestFile { get; private set; }

        public int Replays { get; private set; }

        public bool HasBudget => Replays < maxReplays;

        /// <summary>Cuts the list at a context switch, earliest first: everything after it then runs without preemption.</summary>
        public bool TruncateTail()
        {
            Decision[] d = Best.Decisions;
            int previous = -1;
            for (int i = 0; i < d.Length && HasBudget; i++)
            {
                if (d[i].Kind != DecisionKind.Operation) continue;
                if (previous >= 0 && d[i].Value != previous && Try(d[..i])) return true;
                previous = d[i].Value;
            }
            return false;
        }

        /// <summary>Drops every decision of one operation: busy bystanders then run only when nothing else can.</summary>
        public bool RemoveOperations()
        {
            Decision[] d = Best.Decisions;
            foreach (int op in d.Where(x => x.Kind == DecisionKind.Operation).Select(x => x.Value).Distinct().ToArray())
                if (HasBudget && Try(d.Where(x => x.Kind != DecisionKind.Operation || x.Value != op).ToArray())) return true;
            return false;
        }

        /// <summary>
        /// At each preemption of A by B: lets A continue instead, drops the switch, or postpones it by
        /// 1, 2, 4, 8 steps of A, either keeping the rest or finishing without preemption right after
        /// the switch. Postponing is what turns "B preempts A too early, then A preempts B back" into
        /// one preemption; it rarely pays off alone, so it comes with its own truncation.
        /// </summary>
        public bool DropPreemptions()
        {
            Decision[] d = Best.Decisions;
            var preempting = new HashSet<int>(Best.PreemptionSteps);
            int step = 0, previous = -1;
            for (int i = 0; i < d.Length && HasBudget; i++)
            {
                if (d[i].Kind != DecisionKind.Operation) continue;
                step++;
                if (preempting.Contains(step) && Candidates(d, i, new Decision(DecisionKind.Operation, previous)).Any(Try)) return true;
                previous = d[i].Value;
            }
            return false;
        }

        private IEnumerable<Decision[]> Candidates(Decision[] d, int i, Decision preempted)
        {
            // A's next run of steps moved up to the preemption: A's two segments become one.
            int j = Array.IndexOf(d, preempted, i + 1);
            if (j > 0)
            {
                int k = j + 1;
                while (k < d.Length && (d[k] == preempted || d[k].Kind != DecisionKind.Operation)) k++;
                yield return [.. d[..i], .. d[j..k], .. d[i..j], .. d[k..]];
            }
            Decision[] stay = (Decision[])d.Clone();
            stay[i] = preempted;
            yield return stay;
            yield return [.. d[..i], .. d[(i + 1)..]];
            for (int k = 1; k <= 8 && HasBudget; k *= 2)
            {
                Decision[] delay = Enumerable.Repeat(preempted, k).ToArray();
                yield return [.. d[..i], .. delay, d[i]];
                yield return [.. d[..i], .. delay, .. d[i..]];
            }
        }

        /// <summary>ddmin's complements: removes halves, then quarters, ... down to single decisions.</summary>
        public bool RemoveChunks()
        {
            Decision[] d = Best.Decisions;
            for (int parts = 2; HasBudget; parts *= 2)
            {
                int size = Math.Max(1, (d.Length + parts - 1) / parts);
                for (int start = 0; start < d.Length && HasBudget; start += size)
                    if (Try([.. d[..start], .. d[Math.Min(d.Length, start + size)..]])) return true;
                if (size == 1) break;
            }
            return false;
        }

        /// <summary>Runs a candidate; keeps what it really did when that is better and replays to the same bug.</summary>
        private bool Try(Decision[] candidate)
        {
            Observation run = Observe(PrefixThenSuffix.NonPreemptiveAfter(candidate));
            if (!signature.Matches(run.Bug) || !IsBetter(run)) return false;

            ScheduleFile file = original with
            {
                Strategy = original.FoundBy + ScheduleFile.MinimizedSuffix,
                Bug = run.Bug,
                Operations = run.Operations,
                Decisions = run.Decisions,
            };
            if (!HasBudget) return false;
            ReplayResult replay = TestingEngine.Replay(test, file);
            Replays++;
            if (!replay.Reproduces(run.Bug)) return false;
            Best = run;
            BestFile = file;
            return true;
        }

        // Preemptions first, then steps, then decisions; never worse than the original on either figure.
        private bool IsBetter(Observation run)
        {
            if (run.Preemptions > Before.Preemptions || run.Steps > Before.Steps) return false;
            if (run.Preemptions != Best.Preemptions) return run.Preemptions < Best.Preemptions;
            if (run.Steps != Best.Steps) return run.Steps < Best.Steps;
            return run.Decisions.Length < Best.Decisions.Length;
        }

        private Observation Observe(ISchedulingStrategy strategy)
        {
            Replays++;
            return executor.Run(strategy);
        }
    }
}
