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

    /// <summary>The CLI's defaults (coyote.json): seed 1, its change points, step bound 2,000.
    /// (The results of 2026-11-21 07:35 were measured with 3 change points, the default then.)</summary>
    public const ulong Seed = 1;
    public const int StrategyValue = Configuration.DefaultStrategyValue;
    public const int DefaultMaxSteps = 2000;

    [Params("Samples.LostUpdateFixed", "Memslot.Merged", "Memslot.Merged.2vcpu", "Memslot.Merged.3vcpu.hotplug.smm",
        "Doorbell.Strict", "Doorbell.Strict.3Vcpus", "Doorbell.NonStrict")]
    public string Test { get; set; } = "";

    [Params("random", "prioritization")]
    public string Strategy { get; set; } = "";

    private TestCase _test = null!;
    private ISchedulingStrategy _strategy = null!;
    private ControlledRuntime _runtime = null!;
    private int _maxSteps;
    private long _setupSteps;
    private long _lastSteps;

    [GlobalSetup]
    public void Setup()
    {
        _test = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly)
                    .SingleOrDefault(t => t.Name == Test)
                ?? throw new InvalidOperationException($"no bundled test named '{Test}'");
        // As TestingEngine.Run: a test's own MaxSteps wins over the configured bound.
        _maxSteps = _test.MaxSteps > 0 ? _test.MaxSteps : DefaultMaxSteps;
        _strategy = new Configuration { Strategy = Strategy, StrategyValue = StrategyValue, Seed = Seed, MaxSteps = _maxSteps }
            .CreateStrategy();
        _runtime = new ControlledRuntime();

        // The first pass also settles PCT's estimate of the execution length (it only grows), so
        // later passes repeat these exact schedules.
        var outcomes = new int[Enum.GetValues<ExecutionOutcome>().Length];
        RunExecutions(null);
        _setupSteps = RunExecutions(outcomes);
        string outcomeText = string.Join(" ", Enum.GetValues<ExecutionOutcome>()
            .Where(o => outcomes[(int)o] > 0).Select(o => $"{o}={outcomes[(int)o]}"));
        Console.WriteLine($"// Engine: {Test}/{Strategy}: {(double)_setupSteps / Executions:N1} steps per iteration " +
                          $"over iterations 0..{Executions - 1} (step bound {_maxSteps}); outcomes {outcomeText}");
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
    private long RunExecutions(int[]? outcomes) => RunIterations(_runtime, _strategy, _test, _maxSteps, Executions, outcomes);

    /// <summary>Iterations 0..<paramref name="count"/>-1 of <paramref name="test"/> as <see cref="TestingEngine.Run"/> runs them
    /// (tracing off, one reused runtime); returns their steps and counts the outcomes.</summary>
    internal static long RunIterations(ControlledRuntime runtime, ISchedulingStrategy strategy, TestCase test, int maxSteps, int count, int[]? outcomes = null)
    {
        long steps = 0;
        for (int i = 0; i < count; i++)
        {
            strategy.PrepareIteration(i);
            ExecutionOutcome outcome = runtime.RunExecution(test.Entry, strategy, maxSteps, test.MemoryModel, 0, tracing: false);
            strategy.OnIterationEnd(runtime.Step, outcome);
            steps += runtime.Step;
            if (outcomes is not null) outcomes[(int)outcome]++;
        }
        return steps;
    }
}
