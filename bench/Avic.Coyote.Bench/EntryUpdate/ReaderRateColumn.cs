using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Avic.Coyote.Bench.EntryUpdate;

/// <summary>
/// Shows the reader threads' rate (millions of reads per second, all readers together) for the
/// contended scenarios, either while the writer was running the benchmark or with the writer idle.
/// </summary>
public sealed class ReaderRateColumn(bool idle) : IColumn
{
    public string Id => nameof(ReaderRateColumn) + (idle ? ".Idle" : ".Busy");
    public string ColumnName => idle ? "Readers Mreads/s (writer idle)" : "Readers Mreads/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => idle ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => idle
        ? "Reads/s (millions) of the spinning reader threads on the same cache line, before the writer started"
        : "Reads/s (millions) of the spinning reader threads on the same cache line, while the writer ran the benchmark";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        string scenario = benchmarkCase.Parameters["Scenario"]?.ToString() ?? "";
        if (!ReaderRateLog.ReadAll().TryGetValue((method, scenario), out var rates))
        {
            return "-";
        }

        double v = idle ? rates.Idle : rates.Busy;
        return (v / 1e6).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public override string ToString() => ColumnName;
}
