using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// Monitor notifications in the footprints of optimal DPOR (<see cref="MonitorAccess"/>): by default a notification writes
/// the whole monitor, so notifications from different operations race; a monitor may declare an event a <c>Part</c> of its
/// state (different keys commute) or an <c>Observation</c> (commutes with observations and parts). Class counts are
/// hand-counted; a verdict that depends on the order of two notifications is still found.
/// </summary>
public class OptimalDporMonitorTests
{
    private sealed record Note(int Key) : Event;

    private sealed record Reset : Event;

    /// <summary>Counts notes per key; how it declares them is the subclass's. Notes never fail.</summary>
    private abstract class Counter : Monitor
    {
        private readonly int[] notes = new int[4];

        [Start]
        [OnEventDoAction(typeof(Note), nameof(OnNote))]
        [OnEventDoAction(typeof(Reset), nameof(OnReset))]
        private sealed class Counting : State;

        protected void OnNote(Note e) => notes[e.Key]++;

        protected void OnReset() => Array.Clear(notes);
    }

    private sealed class WholeCounter : Counter;

    private sealed class KeyedCounter : Counter
    {
        protected override MonitorAccess AccessOf(Event e) => e is Note n ? MonitorAccess.Part(n.Key) : MonitorAccess.Whole;
    }

    /// <summary>Asserts nothing about the monitor: a note is an observation (a reset stays whole).</summary>
    private sealed class Observer : Monitor
    {
        [Start]
        [OnEventDoAction(typeof(Note), nameof(OnNote))]
        [IgnoreEvents(typeof(Reset))]
        private sealed class Watching : State;

        private void OnNote(Note e) => Assert(e.Key >= 0, "a note has a key");

        protected override MonitorAccess AccessOf(Event e) => e is Note ? MonitorAccess.Observation : MonitorAccess.Whole;
    }

    /// <summary>Operation i writes its own variable, then (same step) notifies the monitor with key <c>keys[i]</c>; a key
    /// of -1 sends a <see cref="Reset"/> (whole-monitor) instead. Only the notifications can conflict.</summary>
    private static TestCase Notifiers<TMonitor>(params int[] keys) where TMonitor : Monitor, new() =>
        TestCase.From($"notifiers-{typeof(TMonitor).Name}-{string.Join('.', keys)}", rt =>
        {
            rt.RegisterMonitor<TMonitor>();
            for (int i = 0; i < keys.Length; i++)
            {
                var own = new SharedVar<int>($"v{i}");
                int key = keys[i];
                rt.Spawn($"t{i}", async () =>
                {
                    await own.Write(1);
                    rt.Monitor<TMonitor>(key < 0 ? new Reset() : new Note(key));
                });
            }
            return Task.CompletedTask;
        });

    private static TestReport Explore(TestCase test, string strategy = "dfs-proof") =>
        TestingEngine.Run(test, new Configuration { Strategy = strategy, Iterations = 1_000_000, MaxSteps = 500 });

    /// <summary>Classes: n notifications that all conflict have n! orders; ones that all commute, one. A whole reset
    /// among two commuting notes (r) conflicts with both: r before, between (two ways) or after them, 4 classes.</summary>
    [Theory]
    [InlineData("whole", new[] { 0, 1 }, 2)]
    [InlineData("keyed", new[] { 0, 1 }, 1)]
    [InlineData("observer", new[] { 0, 1 }, 1)]
    [InlineData("whole", new[] { 0, 1, 2 }, 6)]
    [InlineData("keyed", new[] { 0, 1, 2 }, 1)]
    [InlineData("keyed", new[] { 1, 1 }, 2)]          // the same key conflicts
    [InlineData("keyed", new[] { 0, 1, 1 }, 2)]       // only the two key-1 notes race
    [InlineData("keyed", new[] { 0, 1, -1 }, 4)]      // a whole event conflicts with every key
    [InlineData("observer", new[] { 0, 1, -1 }, 4)]   // ... and with every observation
    [InlineData("whole", new[] { 0, 1, -1 }, 6)]
    public void ClassesOfNotifiersFollowTheDeclaredAccess(string monitor, int[] keys, int classes)
    {
        TestCase test = monitor switch
        {
            "whole" => Notifiers<WholeCounter>(keys),
            "keyed" => Notifiers<KeyedCounter>(keys),
            _ => Notifiers<Observer>(keys),
        };
        TestReport r = Explore(test);
        Assert.True(r.Bug is null, r.Bug?.Message);
        Assert.True(r.Exhausted, r.Coverage);
        Assert.Equal(0, r.PrunedIterations);
        Assert.Equal(classes, r.Iterations);
    }

    [Fact]
    public void ADeclaredPartIsRecordedAsAReadOfTheMonitorAndAWriteOfItsKey()
    {
        var recorder = new DfsClassRecorder(new Configuration { Strategy = "dfs-proof", MaxSteps = 500 }.CreateStrategy());
        TestingEngine.Run(Notifiers<KeyedCounter>(0, 1), new Configuration { Iterations = 1_000_000, MaxSteps = 500 }, strategy: recorder);
        var full = new DfsClassRecorder(new Configuration { Strategy = "dfs-full", MaxSteps = 500 }.CreateStrategy());
        TestingEngine.Run(Notifiers<KeyedCounter>(0, 1), new Configuration { Iterations = 1_000_000, MaxSteps = 500 }, strategy: full);
        Assert.Single(recorder.Classes);
        Assert.True(full.Classes.SetEquals(recorder.Classes), "the full search's two orders are one class");
        Assert.Equal((2L << 32) | 7, Access.KeyOfPart(7, 1));
        Assert.NotEqual(Access.KeyOfPart(7, 0), Access.KeyOfPart(0, 7));
    }

    /// <summary>Key k's note fails when it comes before key k - 1's (an order the verdict depends on).</summary>
    private abstract class InOrder : Monitor
    {
        private readonly bool[] seen = new bool[4];

        [Start]
        [OnEventDoAction(typeof(Note), nameof(OnNote))]
        private sealed class Watching : State;

        protected void OnNote(Note e)
        {
            Assert(e.Key == 0 || seen[e.Key - 1], "IN-ORDER", $"IN-ORDER: note {e.Key} before note {e.Key - 1}");
            seen[e.Key] = true;
        }
    }

    private sealed class WholeInOrder : InOrder;

    /// <summary>A wrong declaration: the handler reads key k - 1's share.</summary>
    private sealed class WronglyKeyedInOrder : InOrder
    {
        protected override MonitorAccess AccessOf(Event e) => MonitorAccess.Part(((Note)e).Key);
    }

    [Theory]
    [InlineData("dfs-proof")]
    [InlineData("dfs-sleepsets")]
    [InlineData("dfs-full")]
    public void AVerdictThatDependsOnTheOrderOfTwoNotificationsIsFound(string strategy)
    {
        TestReport r = Explore(Notifiers<WholeInOrder>(0, 1), strategy);
        Assert.Equal(BugKind.AssertionFailure, r.Bug?.Kind);
        Assert.Equal("IN-ORDER", r.Bug?.Invariant);
    }

    [Fact]
    public void AWrongPartDeclarationCanHideThatBugFromDfsButNotFromTheFullSearch()
    {
        TestReport dfs = Explore(Notifiers<WronglyKeyedInOrder>(0, 1));
        Assert.True(dfs.Exhausted && dfs.Bug is null && dfs.Iterations == 1, dfs.Coverage);
        Assert.Equal("IN-ORDER", Explore(Notifiers<WronglyKeyedInOrder>(0, 1), "dfs-full").Bug?.Invariant);
    }

    private sealed record Wait(int Key, bool Waiting) : Event;

    private sealed record Post(int Key) : Event;

    /// <summary>A per-key lost-wake-up monitor, as the Doorbell model's NoLostWakeup: hot while some key waits with a post
    /// pending; each event touches only its key's flags and hot/cold is recomputed from all of them.</summary>
    private sealed class KeyedWakeup : Monitor
    {
        private readonly bool[] waiting = new bool[4], pending = new bool[4];

        [Start, Cold]
        [OnEventDoAction(typeof(Wait), nameof(OnWait))]
        [OnEventDoAction(typeof(Post), nameof(OnPost))]
        private sealed class Fine : State;

        [Hot("LOST: a waiter has a post pending and nobody wakes it", Invariant = "LOST")]
        [OnEventDoAction(typeof(Wait), nameof(OnWait))]
        [OnEventDoAction(typeof(Post), nameof(OnPost))]
        private sealed class Lost : State;

        protected override MonitorAccess AccessOf(Event e) => MonitorAccess.Part(e is Wait w ? w.Key : ((Post)e).Key);

        private void OnWait(Wait e) { waiting[e.Key] = e.Waiting; pending[e.Key] &= e.Waiting; Follow(); }

        private void OnPost(Post e) { pending[e.Key] = true; Follow(); }

        private void Follow()
        {
            bool hot = false;
            for (int i = 0; i < waiting.Length; i++) hot |= waiting[i] && pending[i];
            if (hot == IsHot) return;
            if (hot) RaiseGotoStateEvent<Lost>();
            else RaiseGotoStateEvent<Fine>();
        }
    }

    /// <summary>Per key a waiter and a poster. The waiter publishes "blocked" then checks "posted" (the fix) or checks
    /// first (<paramref name="checkFirst"/>: the lost wake-up); the poster posts then wakes a blocked waiter.</summary>
    private static TestCase Wakeups(int pairs, bool checkFirst) => TestCase.From($"wakeups{pairs}{checkFirst}", rt =>
    {
        rt.RegisterMonitor<KeyedWakeup>();
        for (int k = 0; k < pairs; k++)
        {
            int key = k;
            var blocked = new SharedVar<bool>($"blocked{k}");
            var posted = new SharedVar<bool>($"posted{k}");
            rt.Spawn($"waiter{k}", async () =>
            {
                if (checkFirst && await posted.Read()) return;
                await blocked.Write(true);
                rt.Monitor<KeyedWakeup>(new Wait(key, true));
                if (!checkFirst && await posted.Read())
                {
                    await blocked.Write(false);
                    rt.Monitor<KeyedWakeup>(new Wait(key, false));
                }
            });
            rt.Spawn($"poster{k}", async () =>
            {
                await posted.Write(true);
                rt.Monitor<KeyedWakeup>(new Post(key));
                if (await blocked.Read()) rt.Monitor<KeyedWakeup>(new Wait(key, false));   // the wake-up
            });
        }
        return Task.CompletedTask;
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AKeyedLivenessBugThatDependsOnTheOrderWithinAKeyIsFound(int pairs)
    {
        TestReport r = Explore(Wakeups(pairs, checkFirst: true));
        Assert.Equal(BugKind.Liveness, r.Bug?.Kind);
        Assert.Equal("LOST", r.Bug?.Invariant);
    }

    /// <summary>The fixed protocol: one pair has some classes; two independent pairs have their product under the keyed
    /// monitor (their steps touch disjoint variables and keys), and the same verdict (none) as the full search.</summary>
    [Fact]
    public void IndependentKeysMultiplyInsteadOfInterleaving()
    {
        TestReport one = Explore(Wakeups(1, checkFirst: false));
        TestReport two = Explore(Wakeups(2, checkFirst: false));
        Assert.True(one.Exhausted && two.Exhausted, two.Coverage);
        Assert.Null(one.Bug);
        Assert.Null(two.Bug);
        Assert.Equal(0, two.PrunedIterations);
        Assert.Equal(one.Iterations * one.Iterations, two.Iterations);
        Assert.Null(Explore(Wakeups(2, checkFirst: false), "dfs-full").Bug);
    }

    /// <summary>An observation that moves the monitor is a wrong declaration, reported at once under any strategy.</summary>
    private sealed class MovingObserver : Monitor
    {
        [Start]
        [OnEventGotoState(typeof(Note), typeof(Seen))]
        private sealed class Unseen : State;

        [IgnoreEvents(typeof(Note))]
        private sealed class Seen : State;

        protected override MonitorAccess AccessOf(Event e) => MonitorAccess.Observation;
    }

    [Theory]
    [InlineData("dfs-proof")]
    [InlineData("random")]
    public void AnObservationThatChangesTheMonitorsStateIsReported(string strategy)
    {
        TestReport r = Explore(Notifiers<MovingObserver>(0), strategy);
        Assert.Equal(BugKind.UnhandledException, r.Bug?.Kind);
        Assert.Contains("declares Note an observation", r.Bug?.Message);
    }

    /// <summary>Delivery stays allocation-free with a declaration: a struct from a type test, and two recorded keys.</summary>
    [Theory]
    [InlineData("dfs-proof")]
    [InlineData("random")]
    public void DeliveringADeclaredNotificationAllocatesNothing(string strategy)
    {
        long allocated = -1;
        TestCase test = TestCase.From("allocation", async rt =>
        {
            rt.RegisterMonitor<KeyedCounter>();
            var note = new Note(1);
            for (int i = 0; i < 1000; i++) rt.Monitor<KeyedCounter>(note);   // the step's footprint list grows here
            await rt.Interleave("next step");
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) rt.Monitor<KeyedCounter>(note);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        TestReport r = TestingEngine.Run(test, new Configuration { Strategy = strategy, Iterations = 1, MaxSteps = 100 });
        Assert.True(r.Bug is null, r.Bug?.Message);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void PartKeysAreZeroOrMore()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MonitorAccess.Part(-1));
        Assert.True(default(MonitorAccess).IsWhole);
        Assert.Equal(3, MonitorAccess.Part(3).Key);
        Assert.Equal(-1, MonitorAccess.Observation.Key);
    }
}
