using System;
using System.Linq;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace Avic.Coyote.Bench.Engine;

/// <summary>BenchmarkDotNet configuration for <see cref="EngineBenchmarks"/>.</summary>
public sealed class EngineConfig : ManualConfig
{
    public EngineConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(
            new EngineStepsColumn(EngineStepsColumn.Figure.StepsPerIteration),
            new EngineStepsColumn(EngineStepsColumn.Figure.NsPerStep),
            new EngineStepsColumn(EngineStepsColumn.Figure.StepsPerSecond),
            new EngineStepsColumn(EngineStepsColumn.Figure.IterationsPerSecond));
        // Test names up to 40 characters, not cut to 20.
        SummaryStyle = SummaryStyle.Default.WithTimeUnit(TimeUnit.Nanosecond).WithMaxParameterColumnWidth(40);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByParams);
    }
}

/// <summary>
/// Engine throughput: one benchmark operation is ONE execution (iteration) of a bundled model, exactly
/// as <see cref="TestingEngine.Run"/> runs it while exploring (tracing off, one reused
/// <see cref="ControlledRuntime"/>, the strategy told about every iteration). Each invocation runs the
/// iterations 0..<see cref="Executions"/>-1 of seed <see cref="Seed"/>, so every invocation replays the
/// same schedules and the steps per iteration are known exactly (measured once in GlobalSetup).
/// Only passing variants are measured: a bug would end an execution early and change what is timed.
/// </summary>
[Config(typeof(EngineConfig))]
// 15 measured iterations: the machine is shared, and the mean of 8 moved by 30 % between runs.
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class EngineBenchmarks
{
    /// <summary>Executions per benchmark invocation (OperationsPerInvoke).</summary>
    public const int Executions = 100;

    /// <summary>Passes the set-up may run for PCT's length estimate to settle (it grows to at most the step bound).</summary>
    private const int SettlingPasses = 20;

    /// <summary>The defaults (<see cref="Configuration"/>, as the CLI runs): seed 1, its change points, step bound 2,000.
    /// (The results of 2026-11-21 07:35 were measured with 3 change points, the default then.)</summary>
    public static readonly Configuration Defaults = new();
    public static readonly ulong Seed = Defaults.Seed;
    public static readonly int StrategyValue = Defaults.StrategyValue;
    public static readonly int DefaultMaxSteps = Defaults.MaxSteps;

    [Params("Samples.LostUpdateFixed", "Memslot.Merged", "Memslot.Merged.2vcpu", "Memslot.Merged.3vcpu.hotplug.smm",
        "Doorbell.Strict", "Doorbell.Strict.3Vcpus", "Doorbell.NonStrict")]
    public string Test { get; set; } = "";

    [Params("random", "prioritization")]
    public string Strategy { get; set; } = "";

    private TestCase _test = null!;
    private ISchedulingStrategy _strategy = null!;
    private ExecutionRunner _runner = null!;
    private long _setupSteps;
    private long _lastSteps;

    [GlobalSetup]
    public void Setup()
    {
        _test = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly)
                    .SingleOrDefault(t => t.Name == Test)
                ?? throw new InvalidOperationException($"no bundled test named '{Test}'");
        // As TestingEngine.Run: the same runner (a test's own MaxSteps wins over the configured bound).
        Configuration config = Defaults with { Strategy = Strategy };
        _runner = ExecutionRunner.For(_test, config);
        _strategy = _runner.CreateStrategy(config);

        // PCT's estimate of the execution length only grows, and a longer estimate can give longer executions:
        // repeat the pass until it takes the steps of the one before (a fixed point), so that every measured
        // invocation repeats these exact schedules (the cleanup check). Random settles after one pass.
        var outcomes = new int[Enum.GetValues<ExecutionOutcome>().Length];
        long previous = RunExecutions(null);
        for (int pass = 0; ; pass++)
        {
            Array.Clear(outcomes);
            _setupSteps = RunExecutions(outcomes);
            if (_setupSteps == previous) break;
            if (pass == SettlingPasses)
                throw new InvalidOperationException($"{Test}/{Strategy}: the steps per pass did not settle in {SettlingPasses} passes");
            previous = _setupSteps;
        }
        string outcomeText = string.Join(" ", Enum.GetValues<ExecutionOutcome>()
            .Where(o => outcomes[(int)o] > 0).Select(o => $"{o}={outcomes[(int)o]}"));
        Console.WriteLine($"// Engine: {Test}/{Strategy}: {(double)_setupSteps / Executions:N1} steps per iteration " +
                          $"over iterations 0..{Executions - 1} (step bound {_runner.MaxSteps}); outcomes {outcomeText}");
        EngineStepsLog.Append(Test, Strategy, (double)_setupSteps / Executions, outcomeText);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // The engine is deterministic: every invocation must have taken the same steps as the setup pass.
        if (_lastSteps != 0 && _lastSteps != _setupSteps)
            throw new InvalidOperationException($"{Test}/{Strategy}: an invocation took {_lastSteps} steps, the setup pass {_setupSteps}");
    }

    [Benchmark(OperationsPerInvoke = Executions)]
    public long Iteration() => _lastSteps = RunExecutions(null);

    /// <summary>Iterations 0..Executions-1 as the testing engine runs them; returns their steps, so nothing is optimised away.</summary>
    private long RunExecutions(int[]? outcomes) => _runner.RunIterations(_strategy, Executions, outcomes);
}
