using System.Globalization;

namespace Avic.Coyote.Cli.Output;

/// <summary>How the CLI prints counts, rates and durations (invariant culture, thousands separators).</summary>
public static class Numbers
{
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
