using System.Reflection;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using CoyoteConfiguration = Microsoft.Coyote.Configuration;
using CoyoteTestAttribute = Microsoft.Coyote.SystematicTesting.TestAttribute;
using CoyoteTestingEngine = Microsoft.Coyote.SystematicTesting.TestingEngine;

namespace Avic.Coyote.Microsoft.Tests;

/// <summary>The adapter's promises: generated entry points, names, replayable traces, kernel-terms log lines.</summary>
public class AdapterTests
{
    private static readonly Assembly CoyoteModels = typeof(Avic.Coyote.Models.Coyote.GeneratedTests).Assembly;

    [Fact]
    public void EveryBundledTestHasOneGeneratedCoyoteEntryPoint()
    {
        var methods = CoyoteModels.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<CoyoteTestAttribute>() is not null)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToHashSet();
        Assert.Equal(Bundled.Tests.Count, methods.Count);
        foreach (TestCase t in Bundled.Tests) Assert.Contains(CoyoteNames.MethodArgument(t.Name), methods);
        Assert.Equal(Bundled.Tests.Select(t => t.Name).Order(StringComparer.Ordinal),
            Avic.Coyote.Models.Coyote.GeneratedTests.All.Select(e => e.Test));
    }

    [Theory]
    [InlineData("Memslot.Merged.2vcpu", "Memslot.Merged_2vcpu")]
    [InlineData("Doorbell.B-7", "Doorbell.B_7")]
    [InlineData("Doorbell.B-5b.IsRunning", "Doorbell.B_5b_IsRunning")]
    [InlineData("Samples.LostUpdate", "Samples.LostUpdate")]
    [InlineData("NoDot", "Tests.NoDot")]
    [InlineData("X.9lives", "X._9lives")]
    public void TestNamesMapToCoyoteMethods(string test, string method) => Assert.Equal(method, CoyoteNames.MethodArgument(test));

    [Fact]
    public void CoyotesTraceReplaysTheBugThroughTheGeneratedEntryPoint()
    {
        string dir = Path.Combine(Path.GetTempPath(), "avic-coyote-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            TestCase test = Bundled.Find("Doorbell.B-7");
            CoyoteRunResult found = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 500, Strategy = "prioritization", Seed = 1 }, dir);
            Assert.NotNull(found.Bug);
            string trace = File.ReadAllText(found.ReportFiles.Single(f => f.EndsWith(".trace", StringComparison.Ordinal)));

            // What `dotnet coyote replay` does: the generated [Test] method under Coyote's replay strategy.
            MethodInfo entry = CoyoteModels.GetType("Doorbell")!.GetMethod("B_7")!;
            using var replay = CoyoteTestingEngine.Create(CoyoteConfiguration.Create().WithReproducibleTrace(trace),
                (Action<global::Microsoft.Coyote.Actors.IActorRuntime>)entry.CreateDelegate(typeof(Action<global::Microsoft.Coyote.Actors.IActorRuntime>)));
            replay.Run();
            Assert.Equal(1, replay.TestReport.NumOfFoundBugs);
            Assert.Equal(found.Bug!.ToString(), replay.TestReport.BugReports.Single());

            // Coyote's readable trace carries our kernel-terms step lines.
            string readable = File.ReadAllText(found.ReportFiles.Single(f => f.EndsWith(".txt", StringComparison.Ordinal)));
            Assert.Contains("[avic]", readable);
            Assert.Contains("*** BUG: AssertionFailure", readable);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    [Fact]
    public void RandomChoicesComeFromCoyoteAndAreReplayed()
    {
        // A model whose bug depends only on a random value: Coyote must decide it (and so find both values).
        TestCase test = TestCase.From("choice", async rt =>
        {
            int v = rt.RandomInteger(4);
            await rt.Interleave();
            rt.Assert(v != 3, "picked 3");
        }, Expectation.AssertionFailure);
        CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 200, Strategy = "random", Seed = 3 });
        Assert.Equal(BugKind.AssertionFailure, r.Bug?.Kind);
        Assert.Contains("picked 3", r.Bug!.Message);
    }

    [Fact]
    public void ADeadlockOfOurPrimitivesIsReportedInOurTerms()
    {
        TestCase test = TestCase.From("deadlock", async rt =>
        {
            var a = new Sync.Mutex("a");
            var b = new Sync.Mutex("b");
            Operation t = rt.Spawn("t", async () => { await b.Lock(); await a.Lock(); });
            await a.Lock();
            await b.Lock();
            await rt.WhenCompleted(t);
        }, Expectation.Deadlock);
        CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 200, Strategy = "random", Seed = 1 });
        Assert.Equal(BugKind.Deadlock, r.Bug?.Kind);
        Assert.Equal(r.Bug!.ToString(), r.CoyoteBugText);
    }

    [Fact]
    public void ModelCodeThatEscapesControlIsReportedNotRun()
    {
        // An await the engine does not control (a task that never completes, so no thread-pool continuation races the check).
        TestCase test = TestCase.From("escape", async rt =>
        {
            await rt.Interleave();
            await Task.Delay(-1);
        }, Expectation.UncontrolledConcurrency);
        CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 5 });
        Assert.Equal(BugKind.UncontrolledConcurrency, r.Bug?.Kind);
    }
}
