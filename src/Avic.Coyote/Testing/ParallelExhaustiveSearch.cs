using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

using Avic.Coyote.Strategies;
using Avic.Coyote.Strategies.Exhaustive.Parallel;

namespace Avic.Coyote.Testing;

/// <summary>
/// Exhaustive search on several threads with the sequential search's result: the same executions
/// counted, the same coverage line, and the same first bug (the one the sequential search reports,
/// with the same schedule), for any number of workers.
/// <para>
/// A coordinator runs the sequential search itself, but every execution that reaches a new choice
/// point past the split depth is cut there: the subtree below is a job, explored by a fork of the
/// search that never backtracks above the subtree's root — itself coordinated the same way, with its
/// cuts one split depth deeper, so the work splits at every level. A subtree's exploration depends only
/// on its key (the path, and the state of the nodes above it that it reads:
/// <see cref="ISplittableSearch.SubtreeKey"/>); what it adds to the nodes above it (DPOR's backtrack
/// sets) its coordinator takes in when it reaches that subtree in sequential order, so the coordinator's
/// next choices are exactly the sequential ones. To keep threads busy, a copy of the search runs ahead
/// and queues the subtrees it would reach if the pending ones added nothing above them; a queued subtree
/// whose key the coordinator never reaches is wasted work, never a wrong result. Threads waiting for a
/// job run queued jobs meanwhile (the one they wait for first). The threads are <see cref="WorkerPool"/>'s.
/// </para>
/// </summary>
public static class ParallelExhaustiveSearch
{
    /// <summary>The strategies whose trees split exactly (optimal DPOR does not yet: its wakeup-tree
    /// insertions above a subtree depend on their order; see bench/results/2026-12-01-parallel).</summary>
    public static bool Supports(string strategy) => StrategyRegistry.Find(strategy)?.SplitsAcrossThreads == true;

    /// <summary>"dfs-sleepsets, dfs-full, ...": the strategies that split, for help and errors (from the registry).</summary>
    public static string SplittingStrategies => string.Join(", ", StrategyRegistry.All.Where(s => s.SplitsAcrossThreads).Select(s => s.Name));

    /// <summary>Real choices (two or more options) between two levels of subtrees.</summary>
    public const int DefaultSplitDepth = 8;

    public static TestReport Run(TestCase test, Configuration config, int workers, Action<TestReport>? progress = null,
        CancellationToken cancellation = default, int splitDepth = DefaultSplitDepth)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "the parallel search needs at least one worker");
        if (splitDepth < 1) throw new ArgumentOutOfRangeException(nameof(splitDepth), "subtrees start at least one choice deeper than their parent");
        // One runner per thread (and per look-ahead): the same step bound and memory model as TestingEngine's.
        Func<ExecutionRunner> newRunner = () => ExecutionRunner.For(test, config);
        if (newRunner().CreateStrategy(config) is not ISplittableSearch master)
            throw new ArgumentException($"strategy '{config.Strategy}' cannot split its tree across workers (one of: {SplittingStrategies})");
        var report = new TestReport { Test = test, Configuration = config, StrategyName = master.Name };
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (config.TimeoutSeconds > 0) stop.CancelAfter(TimeSpan.FromSeconds(config.TimeoutSeconds));
        using var search = new Search(test, config, newRunner, splitDepth, workers, stop.Token);

        Outcome? result = null;
        int taken = 0; // the top level's executions so far (its subtrees taken in), for the progress line
        TimeSpan nextProgress = TimeSpan.FromSeconds(1);
        // Worker 0 coordinates the top level; the others explore queued subtrees. Any worker waiting for a
        // subtree explores queued ones meanwhile, so runs nest: the pool's deep stacks.
        WorkerPool.Run(workers, slot =>
        {
            if (slot > 0)
            {
                search.Work();
                return;
            }
            try { result = search.Explore(master, Math.Max(config.Iterations, test.Iterations), 1, o => Volatile.Write(ref taken, o.Iterations)); }
            finally
            {
                search.Close();
                stop.Cancel(); // the result is in: subtrees still explored ahead are not needed
            }
        }, "the parallel search", progress is null ? null : () =>
        {
            // On the caller's thread, about once a second (the pool's tick).
            if (clock.Elapsed < nextProgress || result is not null) return;
            nextProgress = clock.Elapsed + TimeSpan.FromSeconds(1);
            report.Iterations = Volatile.Read(ref taken);
            report.Elapsed = clock.Elapsed;
            report.TotalSteps = search.Steps;
            progress(report);
        }, WorkerPool.NestingStackSize);

        report.Iterations = result!.Iterations;
        report.PrunedIterations = result.Pruned;
        report.MaxStepsHits = result.MaxStepsHits;
        report.TotalSteps = search.Steps;
        if (result.Bug is { } bug)
        {
            report.Bug = bug.Bug;
            report.BugIteration = result.BugIteration;
            report.Schedule = bug.Schedule! with { Iteration = result.BugIteration };
            report.Trace = bug.Trace;
        }
        report.Elapsed = clock.Elapsed;
        report.Canceled = cancellation.IsCancellationRequested && report.Bug is null;
        report.Exhausted = master.IsExhausted && report.Bug is null && !result.CutShort;
        report.StrategyEnded = report.Bug is null && !result.CutShort;
        report.Coverage = master.Describe(report.Bug is not null) + $" [parallel: {workers} worker{(workers == 1 ? "" : "s")}, {search.Used} subtrees" +
                          $" (split every {splitDepth} choices), {search.Wasted} more explored ahead and not needed]";
        return report;
    }

    /// <summary>What exploring a (sub)tree gave, counted as the sequential search counts.</summary>
    private sealed class Outcome
    {
        public int Iterations;
        public int Pruned;
        public int MaxStepsHits;
        /// <summary>The budget, the time budget or Ctrl-C stopped it before its tree was explored.</summary>
        public bool CutShort;
        /// <summary>The report of the run that found the bug (its schedule and trace), and the bug's iteration here.</summary>
        public TestReport? Bug;
        public int BugIteration = -1;

        public void Add(Outcome o)
        {
            if (o.Bug is not null)
            {
                Bug = o.Bug;
                BugIteration = Iterations + o.BugIteration;
            }
            Iterations += o.Iterations;
            Pruned += o.Pruned;
            MaxStepsHits += o.MaxStepsHits;
            CutShort |= o.CutShort;
        }
    }

    /// <summary>A subtree to explore: a fork of the search at its root, the budget it got, and its outcome once done.</summary>
    private sealed class Job
    {
        public required string Key;
        public required ISplittableSearch Search;
        public required int Budget;
        public required int Level;
        public bool Started;
        public bool Taken;
        public Outcome? Result;
        public ExceptionDispatchInfo? Error;
        public volatile bool Done;
    }

    /// <summary>The shared state of one parallel search: the job queue, each thread's runner, and the totals.</summary>
    private sealed class Search(TestCase test, Configuration config, Func<ExecutionRunner> newRunner, int splitDepth, int workers, CancellationToken stop)
        : IDisposable
    {
        private readonly TestCase test = test;
        private readonly Configuration config = config;
        private readonly Func<ExecutionRunner> newRunner = newRunner;
        private readonly int splitDepth = splitDepth;
        private readonly int workers = workers;
        private readonly LinkedList<Job> queue = new();
        private readonly Dictionary<string, Job> jobs = new();
        private bool closing;
        private long steps;
        private int used;
        private readonly ThreadLocal<ExecutionRunner> runners = new(newRunner);

        /// <summary>Steps run by every thread, including the coordinators' cut executions and work not needed.</summary>
        public long Steps => Interlocked.Read(ref steps);

        public int Used => used;

        public int Wasted
        {
            get
            {
                lock (queue) return jobs.Values.Count(j => j.Started && !j.Taken);
            }
        }

        /// <summary>Lets the workers that wait for queued subtrees leave (the coordinator is done) and drops the queue.</summary>
        public void Close()
        {
            lock (queue)
            {
                closing = true;
                queue.Clear();
                Monitor.PulseAll(queue);
            }
        }

        /// <summary>
        /// The sequential search of <paramref name="search"/>'s tree (the whole tree, or a subtree for a fork), at most
        /// <paramref name="budget"/> executions; executions reaching a new choice point past <paramref name="level"/>
        /// split depths are cut and their subtrees explored as jobs, taken in in order.
        /// </summary>
        public Outcome Explore(ISplittableSearch search, int budget, int level, Action<Outcome>? progress = null)
        {
            var outcome = new Outcome();
            ExecutionRunner runner = runners.Value!;
            var cutter = new SubtreeRun(search, int.MaxValue, search, splitDepth * level);
            var ahead = new Lookahead(this, level);
            for (int i = 0; outcome.Iterations < budget; i++)
            {
                if (stop.IsCancellationRequested) { outcome.CutShort = true; break; }
                if (!runner.TryRun(cutter, i, out ExecutionOutcome end)) break;
                Interlocked.Add(ref steps, runner.Steps);
                if (!cutter.Cut)
                {
                    // An execution that ended above the cut is this coordinator's own.
                    outcome.Iterations++;
                    if (end == ExecutionOutcome.Pruned) outcome.Pruned++;
                    if (end == ExecutionOutcome.MaxStepsReached) outcome.MaxStepsHits++;
                    if (runner.BugOf(end, config.FailOnMaxSteps) is not null)
                    {
                        // Replayed through the engine for the schedule file and the trace.
                        var replay = new SubtreeRun(new ReplayStrategy(runner.Runtime.RecordedDecisions()), 1, name: search.Name);
                        outcome.Bug = TestingEngine.Run(test, config with { Iterations = 1, TimeoutSeconds = 0 }, strategy: replay);
                        outcome.BugIteration = outcome.Iterations - 1;
                        break;
                    }
                    progress?.Invoke(outcome);
                    continue;
                }

                string key = search.SubtreeKey();
                int remaining = budget - outcome.Iterations;
                ahead.Follow(search, key);
                Job job = Get(key, () => search.Fork(subtree: true), remaining, level + 1, urgent: true);
                ahead.FillQueue(remaining);
                Outcome r = Wait(job);
                ISplittableSearch sub = job.Search;
                if (!r.CutShort || r.Iterations > remaining)
                {
                    if (r.Iterations > remaining)
                    {
                        // Explored ahead with a larger budget than is left now: the sequential search stops inside this subtree.
                        sub = search.Fork(subtree: true);
                        r = Explore(sub, remaining, level + 1);
                    }
                }
                search.Absorb(sub);
                outcome.Add(r);
                if (r.Bug is not null || r.CutShort) break;
                progress?.Invoke(outcome);
            }
            if (outcome.Bug is null && !search.Finished && !stop.IsCancellationRequested && outcome.Iterations >= budget) outcome.CutShort = true;
            return outcome;
        }

        /// <summary>Queues the subtree at <paramref name="key"/> unless it is queued or done already;
        /// <paramref name="urgent"/>: a coordinator waits for it, so it goes first.</summary>
        public Job Get(string key, Func<ISplittableSearch> fork, int budget, int level, bool urgent)
        {
            lock (queue)
            {
                if (jobs.TryGetValue(key, out Job? job))
                {
                    if (urgent && !job.Started && queue.First?.Value != job)
                    {
                        queue.Remove(job);
                        queue.AddFirst(job);
                    }
                    return job;
                }
                job = new Job { Key = key, Search = fork(), Budget = budget, Level = level };
                jobs[key] = job;
                if (urgent) queue.AddFirst(job);
                else queue.AddLast(job);
                Monitor.PulseAll(queue);
                return job;
            }
        }

        /// <summary>Jobs queued and not started.</summary>
        public int Pending
        {
            get { lock (queue) return queue.Count; }
        }

        /// <summary>Drops queued jobs nobody started whose keys start with <paramref name="prefix"/> (a look-ahead that went astray).</summary>
        public void DropPending(Func<Job, bool> which)
        {
            lock (queue)
            {
                for (LinkedListNode<Job>? n = queue.First; n is not null;)
                {
                    LinkedListNode<Job>? next = n.Next;
                    if (which(n.Value))
                    {
                        jobs.Remove(n.Value.Key);
                        queue.Remove(n);
                    }
                    n = next;
                }
            }
        }

        /// <summary>Waits for <paramref name="job"/>, running it here if nobody has started it, and queued jobs meanwhile.</summary>
        private Outcome Wait(Job job)
        {
            while (!job.Done)
            {
                Job? other = null;
                lock (queue)
                {
                    if (job.Done) break;
                    if (!job.Started)
                    {
                        queue.Remove(job);
                        other = job;
                    }
                    else if (queue.First is { } first)
                    {
                        other = first.Value;
                        queue.RemoveFirst();
                    }
                    if (other is not null) other.Started = true;
                    else Monitor.Wait(queue, 50);
                }
                if (other is not null) Run(other);
            }
            lock (queue)
            {
                jobs.Remove(job.Key);
                job.Taken = true;
                used++;
            }
            job.Error?.Throw();
            return job.Result!;
        }

        private void Run(Job job)
        {
            try { job.Result = Explore(job.Search, job.Budget, job.Level); }
            catch (Exception e) { job.Error = ExceptionDispatchInfo.Capture(e); }
            lock (queue)
            {
                job.Done = true;
                if (!job.Taken) jobs[job.Key] = job; // kept for its coordinator (or counted as not needed)
                Monitor.PulseAll(queue);
            }
        }

        public void Dispose() => runners.Dispose();

        /// <summary>A worker's loop: explores queued subtrees until <see cref="Close"/>.</summary>
        public void Work()
        {
            while (true)
            {
                Job job;
                lock (queue)
                {
                    while (queue.Count == 0 && !closing) Monitor.Wait(queue);
                    if (closing) return;
                    job = queue.First!.Value;
                    queue.RemoveFirst();
                    job.Started = true;
                }
                Run(job);
            }
        }

        /// <summary>
        /// A copy of a coordinator's search that runs ahead of it, assuming the subtrees it passes add nothing
        /// above them, and queues the subtrees it reaches. When the coordinator reaches a subtree the copy did
        /// not predict next, the copy restarts from the coordinator's search and its unstarted guesses are dropped.
        /// </summary>
        private sealed class Lookahead(Search owner, int level)
        {
            private readonly ExecutionRunner runner = owner.newRunner();
            private readonly Queue<string> predicted = new();
            private readonly HashSet<string> mine = new();
            private ISplittableSearch? search;
            private SubtreeRun? cutter;

            public void Follow(ISplittableSearch coordinator, string key)
            {
                if (predicted.Count > 0 && predicted.Peek() == key)
                {
                    mine.Remove(predicted.Dequeue());
                    return;
                }
                predicted.Clear();
                owner.DropPending(j => mine.Contains(j.Key));
                mine.Clear();
                search = coordinator.Fork(subtree: false);
                cutter = new SubtreeRun(search, int.MaxValue, search, owner.splitDepth * level);
            }

            public void FillQueue(int budget)
            {
                int limit = owner.workers * 2;
                while (search is not null && cutter is not null && owner.Pending < limit && predicted.Count < 4 * limit)
                {
                    if (!runner.TryRun(cutter, 0, out _))
                    {
                        search = null;
                        return;
                    }
                    Interlocked.Add(ref owner.steps, runner.Steps);
                    if (!cutter.Cut) continue;
                    string key = search.SubtreeKey();
                    predicted.Enqueue(key);
                    mine.Add(key);
                    ISplittableSearch at = search;
                    owner.Get(key, () => at.Fork(subtree: true), budget, level + 1, urgent: false);
                }
            }
        }
    }
}
