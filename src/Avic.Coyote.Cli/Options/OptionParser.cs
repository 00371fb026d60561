using System.Globalization;

namespace Avic.Coyote.Cli.Options;

/// <summary>
/// The one option parser of every command: `--name value`, `--name=value`, short aliases, flags,
/// and `--` to end options. Every mistake becomes a <see cref="UsageException"/> naming the option.
/// </summary>
public static class OptionParser
{
    public static ParsedArgs Parse(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs,
        int maxPositionals, string positionalNames)
    {
        var positionals = new List<string>();
        var values = new Dictionary<string, object>();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                if (positionals.Count == maxPositionals)
                    throw new UsageException(maxPositionals == 0
                        ? $"'{command}' takes no arguments, got '{arg}'"
                        : $"unexpected argument '{arg}' ('{command}' takes {positionalNames})", command);
                positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            string name = arg;
            string? inlineValue = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                inlineValue = arg[(eq + 1)..];
            }
            OptionSpec spec = specs.FirstOrDefault(s => s.Long == name || s.Short == name)
                ?? throw new UsageException($"unknown option '{name}' for '{command}'", command);

            if (spec.Kind == OptionKind.Flag)
            {
                if (inlineValue is not null) throw new UsageException($"option {spec.Long} takes no value", command);
                values[spec.Long] = true;
                continue;
            }
            string? text = inlineValue;
            if (text is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"option {name} needs a value ({spec.ValueName ?? "N"})", command);
                text = args[++i];
            }
            values[spec.Long] = Convert(spec, name, text, command);
        }
        return new ParsedArgs(command, positionals, values);
    }

    /// <summary>"from 0 to 10,000" or ">= 1" when the option has no practical upper bound.</summary>
    private static string Range(OptionSpec spec) =>
        spec.Max < double.MaxValue ? $"from {Number(spec.Min)} to {Number(spec.Max)}" : $">= {Number(spec.Min)}";

    private static string Number(double x) => x.ToString("#,0.###", CultureInfo.InvariantCulture);

    private static object Convert(OptionSpec spec, string name, string text, string command)
    {
        const NumberStyles Integer = NumberStyles.None;
        switch (spec.Kind)
        {
            case OptionKind.Int:
                if (int.TryParse(text, Integer, CultureInfo.InvariantCulture, out int i) && i >= spec.Min && i <= spec.Max) return i;
                throw new UsageException($"option {name} needs an integer {Range(spec)}, got '{text}'", command);
            case OptionKind.ULong:
                if (ulong.TryParse(text, Integer, CultureInfo.InvariantCulture, out ulong u)) return u;
                throw new UsageException($"option {name} needs a non-negative integer, got '{text}'", command);
            case OptionKind.Double:
                // Digits and a point only: "Infinity" and "NaN" are not budgets.
                if (text.All(c => char.IsAsciiDigit(c) || c == '.') &&
                    double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d) &&
                    double.IsFinite(d) && d >= spec.Min && d <= spec.Max) return d;
                throw new UsageException($"option {name} needs a number {Range(spec)}, got '{text}'", command);
            default:
                if (text.Length == 0) throw new UsageException($"option {name} needs a non-empty value", command);
                return text;
        }
    }
}
