using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Avic.Coyote.Bench.EntryUpdate;

/// <summary>
/// Shows the reader threads' rate (millions of reads per second, all readers together) for the
/// contended scenarios, either while the writer ran the benchmark on their cache line or (control)
/// while it ran the same loop on a private table.
/// </summary>
public sealed class ReaderRateColumn(bool control) : IColumn
{
    public string Id => nameof(ReaderRateColumn) + (control ? ".Control" : ".Busy");
    public string ColumnName => control ? "Readers Mreads/s (control)" : "Readers Mreads/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => control ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => control
        ? "Reads/s (millions) of the spinning reader threads while the writer ran the same loop on a private table (another cache line)"
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

        double v = control ? rates.Control : rates.Busy;
        return (v / 1e6).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public override string ToString() => ColumnName;
}
