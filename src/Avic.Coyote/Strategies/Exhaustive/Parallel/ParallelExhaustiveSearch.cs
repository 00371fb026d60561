using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Strategies.Exhaustive.Parallel;

/// <summary>
/// Exhaustive search on several threads with the sequential search's result: the same executions
/// counted, the same coverage line, and the same first bug (the one the sequential search reports,
/// with the same schedule), for any number of workers.
/// <para>
/// The coordinator runs the sequential search itself, but every execution that reaches a new choice
/// point at the split depth is cut there: the subtree below is a job for a worker, which explores it
/// with its own runtime and a fork of the search that never backtracks above the subtree's root. A
/// subtree's exploration depends only on its key (the path and the state of the nodes above that it
/// reads, <see cref="ISplittableSearch.SubtreeKey"/>); what it adds to the nodes above (DPOR's backtrack
/// sets) the coordinator takes in when it reaches that subtree in sequential order, so its own next
/// choices are exactly the sequential ones. To keep workers busy, a copy of the search runs ahead and
/// queues the subtrees it would reach if the running ones added nothing above; a queued subtree whose
/// key the coordinator never reaches is wasted work, never a wrong result. Only the coordinator's own
/// truncated executions and that waste are extra work.
/// </para>
/// </summary>
public static class ParallelExhaustiveSearch
{
    /// <summary>The strategies whose trees split exactly (optimal DPOR does not yet: its wakeup-tree
    /// insertions above a subtree depend on their order; see bench/results/2026-12-01-parallel).</summary>
    public static bool Supports(string strategy) => strategy is "dfs-sleepsets" or "dfs-full" or "dfs-bounded";

    /// <summary>Choice points above the subtrees handed to workers.</summary>
    public const int DefaultSplitDepth = 6;

    public static TestReport Run(TestCase test, Configuration config, int workers, Action<TestReport>? progress = null,
        CancellationToken cancellation = default, int splitDepth = DefaultSplitDepth)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "the parallel search needs at least one worker");
        int maxSteps = test.MaxSteps > 0 ? test.MaxSteps : config.MaxSteps;
        Configuration own = config with { MaxSteps = maxSteps };
        if (own.CreateStrategy() is not ISplittableSearch master)
            throw new ArgumentException($"strategy '{config.Strategy}' cannot split its tree across workers (one of: dfs-sleepsets, dfs-full, dfs-bounded)");
        MemoryModel memoryModel = config.MemoryModel ?? test.MemoryModel;
        int budget = Math.Max(config.Iterations, test.Iterations);
        var report = new TestReport { Test = test, Configuration = config, StrategyName = master.Name };
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (config.TimeoutSeconds > 0) stop.CancelAfter(TimeSpan.FromSeconds(config.TimeoutSeconds));
        using var pool = new Pool(test, own, workers, stop.Token);

        var runtime = new ControlledRuntime();
        var cutter = new SubtreeRun(master, int.MaxValue, master, splitDepth);
        var ahead = new Lookahead(test, own, memoryModel, splitDepth, pool, workers * 2);
        long nextProgress = Stopwatch.Frequency;
        bool cutShort = false;
        for (int i = 0; report.Iterations < budget; i++)
        {
            if (stop.IsCancellationRequested) { cutShort = true; break; }
            if (!cutter.PrepareIteration(i)) break;
            ExecutionOutcome outcome = runtime.RunExecution(test.Entry, cutter, maxSteps, memoryModel, config.LivenessThreshold, tracing: false);
            report.TotalSteps += runtime.Step;
            if (!cutter.Cut)
            {
                // An execution that ended above the split depth is the coordinator's own.
                cutter.OnIterationEnd(runtime.Step, outcome);
                report.Iterations++;
                if (outcome == ExecutionOutcome.Pruned) report.PrunedIterations++;
                if (outcome == ExecutionOutcome.MaxStepsReached) report.MaxStepsHits++;
                if (TestingEngine.BugOf(runtime, outcome, maxSteps, config.FailOnMaxSteps) is not null)
                {
                    var replay = new SubtreeRun(new ReplayStrategy(runtime.RecordedDecisions()), 1, name: master.Name);
                    TakeBug(report, TestingEngine.Run(test, own with { Iterations = 1, TimeoutSeconds = 0 }, strategy: replay));
                    break;
                }
                continue;
            }

            string key = master.SubtreeKey();
            ahead.Follow(master, key, budget - report.Iterations);
            Job job = pool.Get(key, () => master.Fork(subtree: true), budget - report.Iterations);
            ahead.FillQueue(budget - report.Iterations);
            TestReport r = pool.Wait(job);
            ISplittableSearch sub = job.Search;
            int remaining = budget - report.Iterations;
            if (!r.Canceled && r.Iterations > remaining)
            {
                // Run ahead with a larger budget than is left now: the sequential search stops inside this subtree.
                sub = master.Fork(subtree: true);
                r = TestingEngine.Run(test, own with { Iterations = remaining, TimeoutSeconds = 0 }, cancellation: stop.Token,
                    strategy: new SubtreeRun(sub, remaining));
                report.TotalSteps += r.TotalSteps;
            }
            master.Absorb(sub);
            int before = report.Iterations;
            Add(report, r);
            if (r.Bug is not null)
            {
                TakeBug(report, r, before);
                break;
            }
            // Cut by the iteration budget, the time budget or Ctrl-C.
            if (!sub.Finished) { cutShort = true; break; }

            if (progress is not null && clock.ElapsedTicks >= nextProgress)
            {
                report.Elapsed = clock.Elapsed;
                progress(report);
                nextProgress = clock.ElapsedTicks + Stopwatch.Frequency;
            }
        }

        pool.Finish();
        report.TotalSteps += pool.Steps + ahead.Steps;
        report.Elapsed = clock.Elapsed;
        report.Canceled = cancellation.IsCancellationRequested && report.Bug is null;
        report.Exhausted = master.IsExhausted && report.Bug is null && !cutShort;
        report.Coverage = master.Describe(report.Bug is not null) + $" [parallel: {workers} worker{(workers == 1 ? "" : "s")}, {pool.Used} subtrees" +
                          $" below depth {splitDepth}, {pool.Wasted} explored ahead and not needed ({pool.WastedSteps + ahead.Steps} steps of the {report.TotalSteps})]";
        return report;
    }

    /// <summary>Counts of a subtree job, in the order the sequential search would have run them.</summary>
    private static void Add(TestReport report, TestReport r)
    {
        report.Iterations += r.Iterations;
        report.PrunedIterations += r.PrunedIterations;
        report.MaxStepsHits += r.MaxStepsHits;
    }

    /// <summary>The bug of a job (or of the replay of the coordinator's own execution), numbered as the sequential search numbers it.</summary>
    private static void TakeBug(TestReport report, TestReport r, int before = -1)
    {
        int iteration = before < 0 ? report.Iterations - 1 : before + r.BugIteration;
        report.Bug = r.Bug;
        report.BugIteration = iteration;
        report.Schedule = r.Schedule! with { Iteration = iteration };
        report.Trace = r.Trace;
    }

    /// <summary>A subtree to explore: its search (a fork), its iteration budget, and the report once done.</summary>
    private sealed class Job
    {
        public required string Key;
        public required ISplittableSearch Search;
        public required int Budget;
        public bool Started;
        public bool Taken;
        public TestReport? Report;
        public ExceptionDispatchInfo? Error;
        public readonly ManualResetEventSlim Done = new();
    }

    /// <summary>Worker threads taking subtree jobs from one queue, first in first out; the job the coordinator
    /// waits for goes to the front.</summary>
    private sealed class Pool : IDisposable
    {
        private readonly TestCase test;
        private readonly Configuration config;
        private readonly CancellationToken stop;
        private readonly LinkedList<Job> queue = new();
        private readonly Dictionary<string, Job> jobs = new();
        private readonly List<Thread> threads = new();
        private bool closing;
        private long steps;

        public Pool(TestCase test, Configuration config, int workers, CancellationToken stop)
        {
            this.test = test;
            this.config = config;
            this.stop = stop;
            for (int w = 0; w < workers; w++)
            {
                var t = new Thread(Work, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = $"dfs-worker-{w}" };
                threads.Add(t);
                t.Start();
            }
        }

        /// <summary>Steps run by jobs, used or not.</summary>
        public long Steps => Interlocked.Read(ref steps);

        public long WastedSteps { get; private set; }

        public int Used { get; private set; }

        public int Wasted { get; private set; }

        /// <summary>Jobs queued and not started.</summary>
        public int Pending
        {
            get { lock (queue) return queue.Count; }
        }

        public bool Has(string key)
        {
            lock (queue) return jobs.ContainsKey(key);
        }

        /// <summary>Queues the subtree at <paramref name="key"/> (unless it is queued or done already);
        /// <paramref name="urgent"/>: the coordinator waits for it, so it goes first.</summary>
        public Job Get(string key, Func<ISplittableSearch> fork, int budget, bool urgent = true)
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
                job = new Job { Key = key, Search = fork(), Budget = budget };
                jobs[key] = job;
                if (urgent) queue.AddFirst(job);
                else queue.AddLast(job);
                Monitor.Pulse(queue);
                return job;
            }
        }

        /// <summary>Drops the queued jobs nobody has started (the look-ahead that queued them went astray).</summary>
        public void DropPending()
        {
            lock (queue)
            {
                foreach (Job j in queue) jobs.Remove(j.Key);
                queue.Clear();
            }
        }

        public TestReport Wait(Job job)
        {
            job.Done.Wait();
            lock (queue)
            {
                jobs.Remove(job.Key);
                job.Taken = true;
                Used++;
            }
            job.Error?.Throw();
            return job.Report!;
        }

        private void Work()
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
                try
                {
                    job.Report = TestingEngine.Run(test, config with { Iterations = job.Budget, TimeoutSeconds = 0 }, cancellation: stop,
                        strategy: new SubtreeRun(job.Search, job.Budget));
                    Interlocked.Add(ref steps, job.Report.TotalSteps);
                }
                catch (Exception e)
                {
                    job.Error = ExceptionDispatchInfo.Capture(e);
                }
                job.Done.Set();
            }
        }

        /// <summary>Stops the workers (a started job runs to its end) and counts the jobs never used.</summary>
        public void Finish()
        {
            lock (queue)
            {
                closing = true;
                queue.Clear();
                Monitor.PulseAll(queue);
            }
            foreach (Thread t in threads) t.Join();
            foreach (Job j in jobs.Values)
                if (j.Started && !j.Taken && j.Report is { } r)
                {
                    Wasted++;
                    WastedSteps += r.TotalSteps;
                }
        }

        public void Dispose()
        {
            if (!closing) Finish();
        }
    }

    /// <summary>
    /// A copy of the search that runs ahead of the coordinator, assuming the subtrees it passes add nothing
    /// above them, and queues the subtrees it reaches. When the coordinator reaches a subtree the copy did
    /// not predict next, the copy restarts from the coordinator's search and its unstarted guesses are dropped.
    /// </summary>
    private sealed class Lookahead(TestCase test, Configuration config, MemoryModel memoryModel, int splitDepth, Pool pool, int queueLength)
    {
        private readonly ControlledRuntime runtime = new();
        private readonly Queue<string> predicted = new();
        private ISplittableSearch? search;
        private SubtreeRun? cutter;

        /// <summary>Steps run looking ahead (truncated executions).</summary>
        public long Steps { get; private set; }

        /// <summary>The coordinator is at the subtree <paramref name="key"/> (its search cut there).</summary>
        public void Follow(ISplittableSearch master, string key, int budget)
        {
            if (predicted.Count > 0 && predicted.Peek() == key)
            {
                predicted.Dequeue();
                return;
            }
            predicted.Clear();
            pool.DropPending();
            search = master.Fork(subtree: false);
            cutter = new SubtreeRun(search, int.MaxValue, search, splitDepth);
        }

        /// <summary>Queues predicted subtrees until the workers have enough to do.</summary>
        public void FillQueue(int budget)
        {
            while (search is not null && pool.Pending < queueLength && predicted.Count < 4 * queueLength)
            {
                if (!cutter!.PrepareIteration(0))
                {
                    search = null;
                    return;
                }
                runtime.RunExecution(test.Entry, cutter, config.MaxSteps, memoryModel, config.LivenessThreshold, tracing: false);
                Steps += runtime.Step;
                if (!cutter.Cut) continue;
                string key = search.SubtreeKey();
                predicted.Enqueue(key);
                ISplittableSearch at = search;
                pool.Get(key, () => at.Fork(subtree: true), budget, urgent: false);
            }
        }
    }
}
