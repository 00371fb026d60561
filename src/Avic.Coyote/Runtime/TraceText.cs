using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// Formats a trace line only while the engine is tracing: <c>runtime.Log($"{cpu} reads {x}")</c>
/// costs nothing while exploring (the holes are not even evaluated), which keeps the per-step path
/// free of string allocations. Any method taking a <see cref="TraceText"/> gets this for free.
/// </summary>
[InterpolatedStringHandler]
public ref struct TraceText
{
    private DefaultInterpolatedStringHandler text;

    public TraceText(int literalLength, int formattedCount, out bool enabled)
    {
        enabled = ControlledRuntime.Current?.IsTracing ?? false;
        text = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        IsEnabled = enabled;
    }

    /// <summary>False when the holes were skipped because nobody traces.</summary>
    public bool IsEnabled { get; }

    public void AppendLiteral(string value) => text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => text.AppendFormatted(value, format);

    public void AppendFormatted(string? value) => text.AppendFormatted(value);

    /// <summary>The formatted line (empty when tracing is off).</summary>
    public string ToStringAndClear() => IsEnabled ? text.ToStringAndClear() : "";
}
