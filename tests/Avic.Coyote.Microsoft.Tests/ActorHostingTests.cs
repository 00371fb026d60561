using System.Diagnostics;
using System.Xml.Linq;
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Mutex = Avic.Coyote.Sync.Mutex;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Microsoft.Tests;

/// <summary>
/// Our actors on Microsoft.Coyote are real Coyote actors: Coyote's own reports (activity coverage, the actor graph
/// of a bug, its log) name our actor types, actor names, states and events, and actor tests get the same verdict on
/// both engines.
/// </summary>
public sealed class ActorHostingTests : IDisposable
{
    private const string Ns = "Avic.Coyote.Models.Samples";
    private static readonly XNamespace Dgml = "http://schemas.microsoft.com/vs/2009/dgml";
    private readonly string dir = Path.Combine(Path.GetTempPath(), "avic-actors-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private static IReadOnlyList<TestCase> Toys => TestCatalog.FromAssembly(typeof(ActorHostingTests).Assembly);

    public static TheoryData<string> ActorTests()
    {
        var data = new TheoryData<string>();
        foreach (TestCase t in Toys) data.Add(t.Name);
        data.Add("Samples.VcpuKick");
        data.Add("Samples.VcpuKick.CheckBeforeBlock");
        return data;
    }

    private static TestCase Find(string name) => Toys.FirstOrDefault(t => t.Name == name) ?? Bundled.Find(name);

    [Theory]
    [MemberData(nameof(ActorTests))]
    public void ActorTestsGetTheSameVerdictOnBothEngines(string name)
    {
        TestCase test = Find(name);
        int iterations = test.Expect == Expectation.Pass ? 30 : test.Expect == Expectation.Explore ? 3 : 300;
        CoyoteRunResult coyote = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = iterations, Strategy = "prioritization", Seed = 2 });
        TestReport ours = TestingEngine.Run(test, new Configuration { Iterations = iterations, Strategy = "prioritization", Seed = 2 });

        if (coyote.CoyoteBugText is { } text) Assert.Equal(coyote.Bug!.ToString(), text); // Coyote reports our bug, not one of its own
        Assert.Equal(0, coyote.LostControl);
        Assert.True(coyote.MeetsExpectation, $"Microsoft.Coyote: expected {test.ExpectationText}, got {coyote.Bug?.ToString() ?? "no bug"}");
        Assert.True(ours.MeetsExpectation, $"ours: expected {test.ExpectationText}, got {ours.Bug?.ToString() ?? "no bug"}");
        Assert.Equal(ours.Bug?.Kind, coyote.Bug?.Kind);
        Assert.Equal(ours.Bug?.Invariant, coyote.Bug?.Invariant);
    }

    [Fact]
    public void CoyotesCoverageNamesOurMachineItsStatesAndEvents()
    {
        CoyoteRunResult r = CoyoteTestRunner.Run(Bundled.Find("Samples.VcpuKick"),
            new CoyoteRunSettings { Iterations = 50, Strategy = "random", Seed = 1, Coverage = true }, dir);
        Assert.Null(r.Bug);
        string coverage = File.ReadAllText(r.ReportFiles.Single(f => f.EndsWith(".coverage.txt", StringComparison.Ordinal)));

        Assert.Contains($"StateMachine: {Ns}.Vcpu", coverage);
        var states = CoverageStates(coverage, $"{Ns}.Vcpu");
        Assert.Equal(["InUserspace", "InGuestMode", "Blocked"], states.Keys);
        Assert.Contains($"Events received: {Ns}.KvmRun", states["InUserspace"]);
        Assert.Contains("Next states: InGuestMode", states["InUserspace"]);
        Assert.Contains($"Events received: {Ns}.Hlt, {Ns}.IcrWrite", states["InGuestMode"]);
        Assert.Contains($"Events sent: {Ns}.Kick", states["InGuestMode"]);
        Assert.Contains($"Events received: {Ns}.Kick", states["Blocked"]);
        Assert.Contains("Previous states: InGuestMode", states["Blocked"]);

        // The coverage graph: one node per state of our machine type, a link per event it handled.
        XDocument graph = XDocument.Load(r.ReportFiles.Single(f => f.EndsWith(".coverage.dgml", StringComparison.Ordinal)));
        var nodes = graph.Descendants(Dgml + "Node").Select(n => (string)n.Attribute("Id")!).ToHashSet();
        Assert.Contains($"{Ns}.Vcpu.Blocked", nodes);
        Assert.Contains(graph.Descendants(Dgml + "Link"), l => (string?)l.Attribute("EventId") == $"{Ns}.Kick"
            && (string?)l.Attribute("Target") == $"{Ns}.Vcpu.Blocked");
    }

    [Fact]
    public void CoyotesActorGraphOfABugNamesOurActorsAndTheirStates()
    {
        CoyoteRunResult r = CoyoteTestRunner.Run(Bundled.Find("Samples.VcpuKick.CheckBeforeBlock"),
            new CoyoteRunSettings { Iterations = 300, Strategy = "prioritization", Seed = 2, ActorGraph = true }, dir);
        Assert.Equal(BugKind.Liveness, r.Bug?.Kind);

        XDocument graph = XDocument.Load(r.ReportFiles.Single(f => f.EndsWith(".actors.trace.dgml", StringComparison.Ordinal)));
        var nodes = graph.Descendants(Dgml + "Node").ToList();
        // Coyote names an actor "<our name>(<its id>)".
        XElement vcpu0 = nodes.Single(n => ((string)n.Attribute("Id")!).StartsWith("vcpu0(", StringComparison.Ordinal) && !((string)n.Attribute("Id")!).Contains(')' + "."));
        Assert.Equal("StateMachine", (string?)vcpu0.Attribute("Category"));
        string id = (string)vcpu0.Attribute("Id")!;
        Assert.Contains(nodes, n => (string)n.Attribute("Id")! == id + ".Blocked"); // the lost wake-up: vcpu0 ends blocked
        Assert.Contains(nodes, n => ((string)n.Attribute("Id")!).StartsWith("vcpu1(", StringComparison.Ordinal));
        Assert.Contains(graph.Descendants(Dgml + "Link"), l => (string?)l.Attribute("EventId") == $"{Ns}.Hlt"
            && (string?)l.Attribute("Target") == id + ".InGuestMode");

        // Coyote's readable trace logs the same steps in its own words: our names, our states, our events.
        string readable = File.ReadAllText(r.ReportFiles.Single(f => f.EndsWith(".txt", StringComparison.Ordinal)));
        Assert.Contains($"vcpu0(", readable);
        Assert.Contains($"dequeued event '{Ns}.Hlt' in state 'InGuestMode'", readable);
        Assert.Contains("invoked action 'kvm_vcpu_halt' in state 'InGuestMode'", readable);
        Assert.Contains("enters state 'Blocked'", readable);
    }

    /// <summary>The engine's state-machine toy: entry, exit, goto, defer, ignore and a raised goto, on Coyote.</summary>
    [Fact]
    public void TheLifecycleMachineRunsInOrderAndCoyoteSeesItsTransitions()
    {
        List<string> log = new();
        var logs = new HashSet<string>();
        var test = TestCase.From("Toys.Lifecycle", rt =>
        {
            log = new List<string>();
            return LifecycleMachine.Start(rt, log);
        });
        for (uint seed = 0; seed < 10; seed++)
        {
            CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 1, Strategy = "random", Seed = seed, Coverage = true },
                Path.Combine(dir, seed.ToString()));
            Assert.Null(r.Bug);
            logs.Add(string.Join(" | ", log));
            if (seed > 0) continue;
            string coverage = File.ReadAllText(r.ReportFiles.Single(f => f.EndsWith(".coverage.txt", StringComparison.Ordinal)));
            var states = CoverageStates(coverage, "Avic.Coyote.Tests.Toys.LifecycleMachine");
            Assert.Equal(["A", "B", "C"], states.Keys.Order());
            Assert.Contains("Next states: B", states["A"]);
            Assert.Contains("Events received: Avic.Coyote.Tests.Toys.LifecycleMachine.E2", states["B"]);
            Assert.Contains("Next states: C", states["B"]);
            Assert.Contains("Events received: Avic.Coyote.Tests.Toys.LifecycleMachine.E3", states["C"]);
        }
        Assert.Equal(string.Join(" | ", LifecycleMachine.ExpectedLog), Assert.Single(logs));
    }

    [Fact]
    public void AHaltedActorDropsLaterEventsOnCoyoteToo()
    {
        List<string> log = new();
        var test = TestCase.From("Toys.Halt", rt =>
        {
            log = new List<string>();
            ActorId a = rt.CreateActor<HaltAfterOne>(new HaltAfterOne.Init(log), "a");
            rt.SendEvent(a, new Go());
            rt.SendEvent(a, new Go());
            rt.SendEvent(a, new HaltEvent());
            return Task.CompletedTask;
        });
        for (uint seed = 0; seed < 5; seed++)
        {
            CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 1, Seed = seed });
            Assert.Null(r.Bug);
            Assert.Equal(["go", "halted"], log);
        }
    }

    /// <summary>Our halt event is Coyote's HaltEvent: Coyote halts the host and our actor takes the halt; a later
    /// event is dropped by both (an unhandled Ping after the halt would otherwise be a bug).</summary>
    [Fact]
    public void AHaltEventHaltsTheHostAndOurActorTogether()
    {
        var test = TestCase.From("Toys.HaltEvent", rt =>
        {
            ActorId worker = rt.CreateActor<WorkOnly>(name: "worker");
            rt.SendEvent(worker, new Work());
            rt.SendEvent(worker, new HaltEvent());
            rt.SendEvent(worker, new Ping());
            return Task.CompletedTask;
        });
        CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 20, Strategy = "random", Seed = 1, ActorGraph = true });
        Assert.Null(r.Bug);
        Assert.Equal(0, r.LostControl);
        Assert.Null(TestingEngine.Run(test, new Configuration { Iterations = 20, Seed = 1 }).Bug);
    }

    /// <summary>An event a machine's state does not handle reaches our runtime (through Coyote's unhandled-event
    /// callback), which reports it: the bug Coyote reports is ours.</summary>
    [Fact]
    public void AnEventAStateDoesNotHandleIsOurUnhandledEventBug()
    {
        var test = TestCase.From("Toys.MachineUnhandled", rt =>
        {
            rt.SendEvent(rt.CreateActor<Checker>(name: "checker"), new Ping());
            return Task.CompletedTask;
        }, Expectation.UnhandledEvent);
        CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 5 });
        Assert.Equal(BugKind.UnhandledEvent, r.Bug?.Kind);
        Assert.Contains("checker received Ping in state Ready", r.Bug!.Message);
        Assert.Equal(r.Bug.ToString(), r.CoyoteBugText);
    }

    [Fact]
    public void WaitingInsideAHandlerUsesCoyotesReceiveAndADeadlockIsStillOurs()
    {
        var stuck = TestCase.From("Toys.Stuck", rt =>
        {
            rt.SendEvent(rt.CreateActor<Waiter>(name: "waiter"), new Go());
            return Task.CompletedTask;
        });
        CoyoteRunResult r = CoyoteTestRunner.Run(stuck, new CoyoteRunSettings { Iterations = 5 });
        Assert.Equal(BugKind.Deadlock, r.Bug?.Kind);
        Assert.Contains("'waiter' waits for an event of type Response", r.Bug!.Message);
        Assert.Equal(r.Bug.ToString(), r.CoyoteBugText);

        var answered = TestCase.From("Toys.Answered", rt =>
        {
            ActorId waiter = rt.CreateActor<Waiter>(name: "waiter");
            rt.SendEvent(waiter, new Go());
            rt.SendEvent(waiter, new Response());
            return Task.CompletedTask;
        });
        Assert.Null(CoyoteTestRunner.Run(answered, new CoyoteRunSettings { Iterations = 30, Seed = 4 }).Bug);
    }

    /// <summary>Handlers that block on a mutex, spawn a kernel thread and join it, under SC and x86-TSO: the same
    /// verdict on both engines (a lost update without the lock, none with it).</summary>
    [Theory]
    [InlineData(false, MemoryModel.SequentialConsistency, Expectation.AssertionFailure)]
    [InlineData(true, MemoryModel.SequentialConsistency, Expectation.Pass)]
    [InlineData(false, MemoryModel.X86Tso, Expectation.AssertionFailure)]
    [InlineData(true, MemoryModel.X86Tso, Expectation.Pass)]
    public void HandlersThatLockSpawnAndJoinGetTheSameVerdictOnBothEngines(bool locked, MemoryModel memoryModel, Expectation expect)
    {
        var test = TestCase.From($"Toys.ActorCounter.{locked}.{memoryModel}", rt =>
        {
            var counter = new SharedVar<int>("counter");
            var mutex = new Mutex("counter_lock");
            ActorId checker = rt.CreateActor<Tally>(new Tally.Expect(counter, 3), "checker");
            for (int i = 0; i < 2; i++)
                rt.SendEvent(rt.CreateActor<Incrementer>(name: $"inc{i}"), new Incrementer.Go(counter, mutex, locked, checker, Spawn: i == 0));
            return Task.CompletedTask;
        }, expect, memoryModel);
        int iterations = expect == Expectation.Pass ? 40 : 500;
        CoyoteRunResult coyote = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = iterations, Strategy = "prioritization", Seed = 3 });
        TestReport ours = TestingEngine.Run(test, new Configuration { Iterations = iterations, Strategy = "prioritization", Seed = 3 });
        Assert.True(coyote.MeetsExpectation, $"Microsoft.Coyote: got {coyote.Bug?.ToString() ?? "no bug"}");
        Assert.True(ours.MeetsExpectation, $"ours: got {ours.Bug?.ToString() ?? "no bug"}");
        if (coyote.CoyoteBugText is { } text) Assert.Equal(coyote.Bug!.ToString(), text);
        Assert.Equal(0, coyote.LostControl);
    }

    /// <summary>`dotnet coyote test --coverage --actor-graph` on the generated entry points (the tool from the repository's manifest).</summary>
    [Fact]
    public void TheCoyoteCliWritesCoverageAndTheActorGraphWithOurNames()
    {
        string root = RepositoryRoot();
        // The models project's own output (Coyote's CLI resolves the dependencies from the .deps.json beside it).
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string dll = Path.Combine(root, "models", "Avic.Coyote.Models.Coyote", "bin", configuration, "net10.0", "Avic.Coyote.Models.Coyote.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        var (exit, output) = DotnetCoyote(root, "test", dll, "-m", "Samples.VcpuKick_CheckBeforeBlock", "-i", "300", "-s", "prioritization",
            "--seed", "2", "--coverage", "--actor-graph", "-o", dir);
        Assert.True(exit == 2, $"expected exit 2 (bug found), got {exit}:\n{output}");
        Assert.Contains("Liveness [LOST-WAKEUP]", output);
        string outDir = Path.Combine(dir, "CoyoteOutput");
        string coverage = File.ReadAllText(Directory.GetFiles(outDir, "*.coverage.txt").Single());
        Assert.Contains($"StateMachine: {Ns}.VcpuCheckBeforeBlock", coverage);
        Assert.Contains($"Events received: {Ns}.Hlt", coverage);
        string graph = File.ReadAllText(Directory.GetFiles(outDir, "*.actors.trace.dgml").Single());
        Assert.Contains("Id='vcpu0(", graph);
        Assert.Contains(".Blocked'", graph);
    }

    /// <summary>State name → its lines, for one machine of Coyote's activity coverage report.</summary>
    private static Dictionary<string, string> CoverageStates(string coverage, string machine)
    {
        string[] lines = coverage.Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == $"StateMachine: {machine}");
        Assert.True(start >= 0, $"no StateMachine: {machine} in\n{coverage}");
        var states = new Dictionary<string, string>();
        string? current = null;
        for (int i = start + 2; i < lines.Length && !lines[i].StartsWith("===", StringComparison.Ordinal); i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("State: ", StringComparison.Ordinal)) states[current = line["State: ".Length..].Split(' ')[0]] = "";
            else if (current is not null && line.Length > 0) states[current] += line + "\n";
        }
        return states;
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, ".config", "dotnet-tools.json"))) return d.FullName;
        throw new InvalidOperationException("the repository root (.config/dotnet-tools.json) was not found above " + AppContext.BaseDirectory);
    }

    private static (int Exit, string Output) DotnetCoyote(string root, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("coyote");
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["COYOTE_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }
}

/// <summary>Increments the counter (under the lock, or not); one of them also has a spawned thread increment it and
/// joins it. Then tells the checker.</summary>
[OnEventDoAction(typeof(Go), nameof(OnGo))]
public sealed class Incrementer : Actor
{
    public sealed record Go(SharedVar<int> Counter, Mutex Mutex, bool Locked, ActorId Checker, bool Spawn) : Event;

    private async Task OnGo(Go go)
    {
        await Increment(go);
        if (go.Spawn)
        {
            Operation helper = Runtime.Spawn(Id.Name + "-kthread", () => Increment(go));
            await Runtime.WhenCompleted(helper);
        }
        await Runtime.Fence();
        SendEvent(go.Checker, new Tally.Done());
    }

    private static async Task Increment(Go go)
    {
        if (go.Locked) await go.Mutex.Lock();
        int value = await go.Counter.Read();
        await go.Counter.Write(value + 1);
        if (go.Locked) await go.Mutex.Unlock();
    }
}

/// <summary>Counts the Done events; after the second, the counter must hold every increment.</summary>
[OnEventDoAction(typeof(Done), nameof(OnDone))]
public sealed class Tally : Actor
{
    public sealed record Expect(SharedVar<int> Counter, int Increments) : Event;
    public sealed record Done : Event;

    private Expect expect = null!;
    private int done;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        expect = (Expect)initialEvent!;
        return Task.CompletedTask;
    }

    private async Task OnDone()
    {
        if (++done < 2) return;
        int value = await expect.Counter.Read();
        Assert(value == expect.Increments, $"lost update: counter is {value} after {expect.Increments} increments");
    }
}
