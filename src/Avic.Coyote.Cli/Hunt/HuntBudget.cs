using System.Globalization;
using System.Text.RegularExpressions;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>The wall-clock budget of `coyote hunt`: "90s", "30m", "1h", or parts of them together ("1h30m").</summary>
public static partial class HuntBudget
{
    /// <summary>Longest accepted budget: a week. Longer is almost surely a typo (e.g. "30h" for "30m").</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(7);

    /// <summary>Parses <paramref name="text"/>; null with <paramref name="error"/> set when it is not a positive duration.</summary>
    public static TimeSpan? TryParse(string text, out string? error)
    {
        error = null;
        Match m = Duration().Match(text.Trim());
        if (!m.Success || m.Groups["part"].Captures.Count == 0)
        {
            error = $"--budget needs a duration such as 90s, 30m, 1h or 1h30m, got '{text}'";
            return null;
        }
        double seconds = 0;
        for (int i = 0; i < m.Groups["n"].Captures.Count; i++)
        {
            double n = double.Parse(m.Groups["n"].Captures[i].Value, CultureInfo.InvariantCulture);
            seconds += n * (m.Groups["unit"].Captures[i].Value switch { "h" => 3600, "m" => 60, _ => 1 });
        }
        if (seconds <= 0 || seconds > Max.TotalSeconds)
        {
            error = $"--budget must be more than 0 and at most {Max.TotalDays:0} days, got '{text}'";
            return null;
        }
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>"1h 5m 3s" style, for summaries.</summary>
    public static string Format(TimeSpan t)
    {
        if (t.TotalSeconds < 60) return $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s";
        var parts = new List<string>();
        if ((int)t.TotalHours > 0) parts.Add($"{(int)t.TotalHours}h");
        if (t.Minutes > 0) parts.Add($"{t.Minutes}m");
        if (t.Seconds > 0) parts.Add($"{t.Seconds}s");
        return string.Join(" ", parts);
    }

    // Units in decreasing order, each at most once: "1h30m" yes, "30m1h" and "5m5m" no.
    [GeneratedRegex(@"^(?<part>(?<n>\d+(?:\.\d+)?)(?<unit>h)(?=\d|$))?(?<part>(?<n>\d+(?:\.\d+)?)(?<unit>m)(?=\d|$))?(?<part>(?<n>\d+(?:\.\d+)?)(?<unit>s))?$")]
    private static partial Regex Duration();
}
