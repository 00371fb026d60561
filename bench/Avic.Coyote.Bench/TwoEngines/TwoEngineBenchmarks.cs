using System;
using System.Linq;
using Avic.Coyote.Bench.Engine;
using Avic.Coyote.Microsoft;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;
using BenchmarkDotNet.Attributes;

namespace Avic.Coyote.Bench.TwoEngines;

/// <summary>
/// The same models on both engines, measured in one run. One benchmark operation is ONE iteration (execution) of a
/// bundled model, under prioritization (6 change points), seed 1, step bound 2,000:
/// <list type="bullet">
/// <item><see cref="Ours"/>: the loop <see cref="TestingEngine.Run"/> runs (one reused runtime, one thread), iterations 0..99.</item>
/// <item><see cref="MicrosoftCoyote"/>: Microsoft.Coyote's TestingEngine running the same test through the adapter
/// (<see cref="CoyoteTestRunner"/>), <see cref="CoyoteExecutions"/> iterations per invocation. The engine's set-up is
/// shared by them, as in a real run.</item>
/// </list>
/// Steps per iteration are our runtime's steps on both engines, so they compare (measured in GlobalSetup).
/// Ratio is Microsoft.Coyote / ours. Allocated is as BenchmarkDotNet's MemoryDiagnoser counts it. Coyote allocates
/// on its own controlled threads too, so read its figure as a lower bound.
/// </summary>
[Config(typeof(EngineConfig))]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class TwoEngineBenchmarks
{
    public const int OurExecutions = 100;
    public const int CoyoteExecutions = 20;
    private const uint Seed = 1;

    [Params("Samples.LostUpdateFixed", "Memslot.Merged.2vcpu", "Doorbell.Strict")]
    public string Test { get; set; } = "";

    private TestCase _test = null!;
    private ISchedulingStrategy _strategy = null!;
    private ExecutionRunner _runner = null!;
    private CoyoteRunSettings _coyote = null!;
    private int _maxSteps;

    [GlobalSetup]
    public void Setup()
    {
        _test = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly).SingleOrDefault(t => t.Name == Test)
                ?? throw new InvalidOperationException($"no bundled test named '{Test}'");
        if (_test.Expect != Expectation.Pass) throw new InvalidOperationException($"{Test}: only passing variants are measured (a bug ends an execution early)");
        _maxSteps = _test.MaxSteps > 0 ? _test.MaxSteps : EngineBenchmarks.DefaultMaxSteps;
        var config = new Configuration { Strategy = "prioritization", StrategyValue = EngineBenchmarks.StrategyValue, Seed = Seed, MaxSteps = _maxSteps };
        _runner = ExecutionRunner.For(_test, config);
        _strategy = _runner.CreateStrategy(config);
        _coyote = new CoyoteRunSettings
        {
            Iterations = CoyoteExecutions, Strategy = "prioritization", StrategyValue = EngineBenchmarks.StrategyValue, Seed = Seed, MaxSteps = _maxSteps,
        };

        RunOurs();
        long ours = RunOurs();
        CoyoteRunResult coyote = CoyoteTestRunner.Run(_test, _coyote);
        if (coyote.Bug is not null || coyote.Iterations != CoyoteExecutions)
            throw new InvalidOperationException($"{Test} on Microsoft.Coyote: {coyote.Bug?.ToString() ?? coyote.Iterations + " iterations"}");
        EngineStepsLog.Append(Test, nameof(Ours), (double)ours / OurExecutions, "");
        EngineStepsLog.Append(Test, nameof(MicrosoftCoyote), (double)coyote.TotalSteps / coyote.Iterations, "");
        Console.WriteLine($"// TwoEngines: {Test}: ours {(double)ours / OurExecutions:N1} steps/iteration, " +
                          $"Microsoft.Coyote {(double)coyote.TotalSteps / coyote.Iterations:N1} steps/iteration");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OurExecutions)]
    public long Ours() => RunOurs();

    [Benchmark(OperationsPerInvoke = CoyoteExecutions)]
    public long MicrosoftCoyote() => CoyoteTestRunner.Run(_test, _coyote).TotalSteps;

    private long RunOurs() => _runner.RunIterations(_strategy, OurExecutions);
}
