using Avic.Coyote.Cli.Options;

namespace Avic.Coyote.Cli.Commands;

/// <summary>A row of the command table: name, arguments, one-line summary, options and the code that runs it.</summary>
public sealed record CommandInfo(
    string Name,
    string Arguments,
    int MaxPositionals,
    string Summary,
    IReadOnlyList<OptionSpec> Options,
    Func<ParsedArgs, CliContext, int> Run,
    string? Details = null);
