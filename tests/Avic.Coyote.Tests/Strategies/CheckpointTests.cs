using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Reports;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Cli;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// `--checkpoint` / `--resume`: an exhaustive search run in pieces — each piece a new strategy restored from the file the
/// piece before wrote — explores exactly what one uninterrupted run does: the same executions, cut-short count, steps and
/// coverage line, and the same first bug (global iteration number, schedule bytes). Pieces of one execution cut the search
/// at every point it passes through (inside value nodes, inside each bounded pass of `dfs`).
/// </summary>
public class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("coyote-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string File(string name) => Path.Combine(dir, name);

    /// <summary>Two threads; each writes x (b reads it), then y_1..y_n: every combination of who goes first on each of the
    /// n + 1 variables is a class, 2^(n+1).</summary>
    private static TestCase Writers(int n) => TestCase.From($"writers{n}", rt =>
    {
        var x = new SharedVar<int>("x");
        var ys = Enumerable.Range(1, n).Select(i => new SharedVar<int>($"y{i}")).ToArray();
        rt.Spawn("a", async () =>
        {
            await x.Write(1);
            foreach (var y in ys) await y.Write(1);
        });
        rt.Spawn("b", async () =>
        {
            await x.Read();
            foreach (var y in ys) await y.Write(2);
        });
        return Task.CompletedTask;
    });

    /// <summary>Who takes the lock first (2) × the value a draws under it (2) × the value c draws for its own variable (3): 12 classes.</summary>
    private static TestCase Draws() => TestCase.From("draws", rt =>
    {
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        var m = new Mutex("m");
        rt.Spawn("a", async () => { await m.Lock(); int v = rt.RandomInteger(2); await x.Write(v); await m.Unlock(); });
        rt.Spawn("b", async () => { await m.Lock(); await x.Write(5); await m.Unlock(); });
        rt.Spawn("c", async () => await y.Write(rt.RandomInteger(3)));
        return Task.CompletedTask;
    });

    private static readonly IReadOnlyList<TestCase> Models = TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly);

    /// <summary>A model test without its own iteration budget (which would override a piece's).</summary>
    private static TestCase Model(string name)
    {
        TestCase t = Models.Single(t => t.Name == name);
        return new TestCase
        {
            Name = t.Name, Description = t.Description, Expect = t.Expect, Invariant = t.Invariant, MemoryModel = t.MemoryModel,
            MaxSteps = t.MaxSteps, AssemblyName = t.AssemblyName, Entry = t.Entry, Build = t.Build,
        };
    }

    private static Configuration Config(string strategy, int value = 0) =>
        new() { Strategy = strategy, StrategyValue = value, Iterations = 10_000_000, MaxSteps = 2000 };

    /// <summary>Runs the search in pieces of <paramref name="sizes"/> executions (in turn) until it ends or finds a bug;
    /// fails, instead of running on, once the pieces have run more executions than the uninterrupted search
    /// (<paramref name="whole"/>) did.</summary>
    private (TestReport Last, int Pieces) InPieces(TestCase test, Configuration c, string file, TestReport whole, params int[] sizes)
    {
        string? resume = null;
        for (int k = 0; ; k++)
        {
            TestReport r = TestingEngine.Run(test, c with { Iterations = sizes[k % sizes.Length] }, checkpoint: new CheckpointOptions(file, AtomicFiles.Write, resume));
            Assert.Null(r.CheckpointError);
            Assert.Equal(k, r.Before.Pieces);
            if (r.Bug is not null || r.StrategyEnded) return (r, k + 1);
            Assert.True(r.Totals.Executions <= whole.Iterations,
                $"the pieces ran {r.Totals.Executions} executions and go on; the uninterrupted search ended after {whole.Iterations}");
            resume = file;
        }
    }

    private static void AssertSame(TestReport whole, TestReport last)
    {
        Assert.Equal(whole.Iterations, last.Totals.Executions);
        Assert.Equal(whole.PrunedIterations, last.Totals.CutShort);
        Assert.Equal(whole.TotalSteps, last.Totals.Steps);
        Assert.Equal(whole.MaxStepsHits, last.Totals.MaxStepsHits);
        Assert.Equal(whole.Coverage, last.Coverage);
        Assert.Equal(whole.Exhausted, last.Exhausted);
        Assert.Equal(whole.BugIteration, last.BugIteration);
        Assert.Equal(whole.Bug?.ToString(), last.Bug?.ToString());
        Assert.Equal(whole.Schedule?.ToJson(), last.Schedule?.ToJson());
    }

    [Theory]
    [InlineData("writers3", "dfs-proof", 0, 16)]
    [InlineData("writers3", "dfs-bounded", 1, -1)]
    [InlineData("writers3", "dfs", 0, -1)]
    [InlineData("draws", "dfs-proof", 0, 12)]
    [InlineData("draws", "dfs", 0, -1)]
    public void PiecesOfOneExecutionGiveTheUninterruptedSearch(string toy, string strategy, int value, int classes)
    {
        TestCase test = toy == "draws" ? Draws() : Writers(3);
        TestReport whole = TestingEngine.Run(test, Config(strategy, value));
        if (classes >= 0) Assert.Equal(classes, whole.Iterations - whole.PrunedIterations);
        var (last, pieces) = InPieces(test, Config(strategy, value), File("toy.checkpoint"), whole, 1);
        Assert.True(pieces > whole.Iterations, $"{pieces} pieces");
        AssertSame(whole, last);
    }

    [Fact]
    public void TheMergedTwoVcpuProofInPiecesIsTheWholeProof()
    {
        TestCase test = Model("Memslot.Merged.2vcpu");
        TestReport whole = TestingEngine.Run(test, Config("dfs-proof"));
        Assert.True(whole.Exhausted, whole.Coverage);
        Assert.Equal(3_210, whole.Iterations - whole.PrunedIterations);
        Assert.Equal(681, whole.PrunedIterations);
        foreach (int[] sizes in new[] { new[] { 1_000 }, new[] { 1, 1_499, 2 }, new[] { 797 } })
        {
            var (last, _) = InPieces(test, Config("dfs-proof"), File($"memslot{sizes[0]}.checkpoint"), whole, sizes);
            AssertSame(whole, last);
        }
    }

    [Fact]
    public void DfsInPiecesCutInsideItsBoundedPassesIsTheWholeSearch()
    {
        TestCase test = Model("Memslot.Merged.2vcpu");
        TestReport whole = TestingEngine.Run(test, Config("dfs"));
        Assert.True(whole.Exhausted, whole.Coverage);
        var (last, _) = InPieces(test, Config("dfs"), File("dfs.checkpoint"), whole, 3_001, 17);
        AssertSame(whole, last);
    }

    [Theory]
    [InlineData("Memslot.MA11.4vcpu", 50)]
    [InlineData("Doorbell.MB6", 100)]
    public void ABugFoundInPiecesIsTheUninterruptedRunsFirstBug(string name, int piece)
    {
        TestCase test = Model(name);
        TestReport whole = TestingEngine.Run(test, Config("dfs"));
        Assert.NotNull(whole.Schedule);
        var (last, pieces) = InPieces(test, Config("dfs"), File("bug.checkpoint"), whole, piece);
        Assert.True(pieces > 2, $"{pieces} pieces");
        AssertSame(whole, last);
        Assert.Contains($"bug in iteration {(whole.BugIteration + 1).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}", Checkpoint.Load(File("bug.checkpoint")).Result);
    }

    /// <summary>A checkpoint names the model and engine builds by their code (CodeIdentity); the ids must stay the same when
    /// only the commit or the tree's place changes (Directory.Build.props), or the next night's build refuses the last
    /// night's checkpoint. The build puts neither the commit id in the informational version (metadata, which the code id
    /// hashes) nor the tree's path in the debug directory (and in caller-file-path constants).</summary>
    [Theory]
    [InlineData(typeof(Checkpoint))]
    [InlineData(typeof(DoorbellVariants))]
    public void BuildIdsDependOnTheSourcesNotOnTheCommitOrThePath(Type inAssembly)
    {
        System.Reflection.Assembly a = inAssembly.Assembly;
        string? version = System.Reflection.CustomAttributeExtensions
            .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(a)?.InformationalVersion;
        Assert.NotNull(version);
        Assert.DoesNotContain("+", version);
        using var pe = new System.Reflection.PortableExecutable.PEReader(System.IO.File.OpenRead(a.Location));
        var codeView = pe.ReadDebugDirectory().Single(e => e.Type == System.Reflection.PortableExecutable.DebugDirectoryEntryType.CodeView);
        string pdb = pe.ReadCodeViewDebugDirectoryData(codeView).Path;
        Assert.StartsWith("/_/", pdb.Replace('\\', '/'));
    }

    // ---- bad input: a clear error, never a stack trace ----

    private string Started(TestCase test, string strategy, int value = 0)
    {
        string file = File($"{test.Name}-{strategy}-{value}.checkpoint");
        TestingEngine.Run(test, Config(strategy, value) with { Iterations = 3 }, checkpoint: new CheckpointOptions(file, AtomicFiles.Write));
        return file;
    }

    private static string Refused(TestCase test, Configuration c, string file) =>
        Assert.Throws<CheckpointException>(() => TestingEngine.Run(test, c, checkpoint: new CheckpointOptions(file, AtomicFiles.Write, file))).Message;

    [Fact]
    public void ACheckpointOfAnotherTestStrategyBoundOrSettingIsRefused()
    {
        string proof = Started(Writers(3), "dfs-proof");
        Assert.Contains("a checkpoint of test 'writers3', not 'writers2'", Refused(Writers(2), Config("dfs-proof"), proof));
        Assert.Contains("strategy dfs-proof, not dfs", Refused(Writers(3), Config("dfs"), proof));
        Assert.Contains("step bound of 2000, not 300", Refused(Writers(3), Config("dfs-proof") with { MaxSteps = 300 }, proof));
        string bounded = Started(Writers(3), "dfs-bounded", 1);
        Assert.Contains("dfs-bounded (at most 1 preemptions), not dfs-bounded (at most 2 preemptions)", Refused(Writers(3), Config("dfs-bounded", 2), bounded));
        Assert.Contains("strategy random cannot checkpoint its search; dfs, dfs-proof, dfs-bounded can", Refused(Writers(3), Config("random"), proof));
    }

    [Fact]
    public void ACheckpointOfAnotherModelBuildIsRefused()
    {
        string file = Started(Writers(3), "dfs-proof");
        Checkpoint saved = Checkpoint.Load(file);
        System.IO.File.WriteAllText(file, (saved with { ModelBuild = Guid.NewGuid() }).ToJson());
        Assert.Contains("written by another build of the model", Refused(Writers(3), Config("dfs-proof"), file));
        System.IO.File.WriteAllText(file, (saved with { Engine = Guid.NewGuid() }).ToJson());
        Assert.Contains("written by another build of the engine", Refused(Writers(3), Config("dfs-proof"), file));
    }

    [Fact]
    public void ATruncatedOrMalformedCheckpointSaysWhere()
    {
        string file = Started(Writers(3), "dfs-proof");
        string text = System.IO.File.ReadAllText(file);
        System.IO.File.WriteAllText(file, text[..(text.Length * 2 / 3)]);
        Assert.Matches(@"\.checkpoint:\d+:\d+: not a whole checkpoint \(truncated or edited\)", Refused(Writers(3), Config("dfs-proof"), file));
        // A state cut short with its checksum made to match: the reader says which token is missing.
        Checkpoint saved = Checkpoint.Parse(text, file);
        string cut = saved.State[..saved.State.LastIndexOf(' ')];
        System.IO.File.WriteAllText(file, (saved with { State = cut }).ToJson());
        Assert.Matches(@"state, token \d+: the state ends early", Refused(Writers(3), Config("dfs-proof"), file));
        System.IO.File.WriteAllText(file, text.Replace("\"state\": [\n    \"2 ", "\"state\": [\n    \"7 "));
        Assert.Contains("the state does not match its stateSha256", Refused(Writers(3), Config("dfs-proof"), file));
        System.IO.File.WriteAllText(file, "{\"format\": \"avic-coyote-schedule/2\"}");
        Assert.Contains("not a checkpoint of this engine", Refused(Writers(3), Config("dfs-proof"), file));
    }

    [Fact]
    public void AFinishedSearchSaysSoWithItsResult()
    {
        string file = File("done.checkpoint");
        TestReport r = TestingEngine.Run(Writers(3), Config("dfs-proof"), checkpoint: new CheckpointOptions(file, AtomicFiles.Write));
        Assert.True(r.Exhausted);
        string message = Refused(Writers(3), Config("dfs-proof"), file);
        Assert.Contains("the search is finished, nothing to resume (16 executions in 1 piece): complete: all 16 schedules", message);
    }

    [Fact]
    public void FootprintsSharedInTheSearchAreWrittenOnce()
    {
        string file = Started(Model("Memslot.Merged.2vcpu"), "dfs-proof");
        Checkpoint saved = Checkpoint.Load(file);
        // The restored search writes the same state again (nothing is lost or renumbered on the way through a file).
        var restored = new OptimalDporStrategy(2000, name: "dfs-proof");
        restored.Restore(new CheckpointReader(saved.State, file));
        var again = new CheckpointWriter();
        restored.Save(again);
        Assert.Equal(saved.State, again.ToString());
    }

    [SmallDiskFact]
    public void AWriteThatFailsLeavesThePreviousCheckpoint()
    {
        using var disk = new SmallDisk();
        string file = Path.Combine(disk.Dir, "proof.checkpoint");
        TestCase test = Model("Memslot.Merged.2vcpu");
        TestReport first = TestingEngine.Run(test, Config("dfs-proof") with { Iterations = 2 }, checkpoint: new CheckpointOptions(file, AtomicFiles.Write));
        Assert.Null(first.CheckpointError);
        byte[] before = System.IO.File.ReadAllBytes(file);
        disk.FillAllButOnePage();
        TestReport second = TestingEngine.Run(test, Config("dfs-proof") with { Iterations = 500 }, checkpoint: new CheckpointOptions(file, AtomicFiles.Write, file));
        Assert.NotNull(second.CheckpointError);
        Assert.Equal(before, System.IO.File.ReadAllBytes(file));
        Assert.DoesNotContain(Directory.GetFiles(disk.Dir), f => AtomicFiles.IsTemporary(Path.GetFileName(f)));
    }
}
