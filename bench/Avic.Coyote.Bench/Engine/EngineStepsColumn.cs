using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Avic.Coyote.Bench.Engine;

/// <summary>
/// Per-step figures of <see cref="EngineBenchmarks"/>: the steps of one iteration (measured in GlobalSetup
/// over the same seeds, <see cref="EngineStepsLog"/>) and, from BenchmarkDotNet's Mean (ns per iteration),
/// ns per scheduling step, steps per second and iterations per second.
/// </summary>
public sealed class EngineStepsColumn(EngineStepsColumn.Figure figure) : IColumn
{
    public enum Figure { StepsPerIteration, NsPerStep, StepsPerSecond, IterationsPerSecond }

    public string Id => nameof(EngineStepsColumn) + "." + figure;
    public string ColumnName => figure switch
    {
        Figure.StepsPerIteration => "Steps/iter",
        Figure.NsPerStep => "ns/step",
        Figure.StepsPerSecond => "Steps/s",
        _ => "Iters/s",
    };
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => (int)figure;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => figure switch
    {
        Figure.StepsPerIteration => "Scheduling steps per iteration (average over the benchmarked seeds, measured in GlobalSetup)",
        Figure.NsPerStep => "Mean / Steps/iter: nanoseconds per scheduling step",
        Figure.StepsPerSecond => "Scheduling steps per second (1e9 / ns/step)",
        _ => "Iterations (executions) per second (1e9 / Mean)",
    };

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        string test = benchmarkCase.Parameters["Test"]?.ToString() ?? "";
        // EngineBenchmarks keys by its Strategy parameter; TwoEngineBenchmarks (no such parameter) by its method (the engine).
        string strategy = benchmarkCase.Parameters["Strategy"]?.ToString() ?? benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (!EngineStepsLog.ReadAll().TryGetValue((test, strategy), out double steps)) return "-";
        if (figure == Figure.StepsPerIteration) return steps.ToString("N1", CultureInfo.InvariantCulture);

        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0 || steps <= 0) return "-";
        return figure switch
        {
            Figure.NsPerStep => (meanNs.Value / steps).ToString("N1", CultureInfo.InvariantCulture),
            Figure.StepsPerSecond => (1e9 * steps / meanNs.Value).ToString("N0", CultureInfo.InvariantCulture),
            _ => (1e9 / meanNs.Value).ToString("N0", CultureInfo.InvariantCulture),
        };
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public override string ToString() => ColumnName;
}
