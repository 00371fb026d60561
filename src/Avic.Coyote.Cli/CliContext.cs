using System.Threading;

namespace Avic.Coyote.Cli;

/// <summary>Where a command writes and which directory relative paths mean; tests run the CLI in-process with their own.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, string workingDirectory)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>The caller's current directory: coyote.json, --outdir and file arguments are relative to it.</summary>
    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Set by Ctrl-C: runs stop after the current iteration and still print their summary.</summary>
    public CancellationToken Cancellation { get; init; }

    public string Resolve(string path) => Path.GetFullPath(path, WorkingDirectory);
}

/// <summary>A mistake in how coyote was called (flag, value, command): one line, a usage hint, exit 2.</summary>
public sealed class UsageException(string message, string? command = null) : Exception(message)
{
    /// <summary>The command whose help the hint points to; null for the top-level usage.</summary>
    public string? Command { get; } = command;
}

/// <summary>Unusable input (a file, a test name, an assembly): one line, exit 2.</summary>
public sealed class InputException(string message) : Exception(message);

/// <summary>The process exit codes, as documented in README.md.</summary>
public static class ExitCode
{
    public const int Ok = 0;
    public const int BugFound = 1;
    public const int UsageError = 2;
    public const int InternalError = 3;

    /// <summary>Ctrl-C (SIGINT) stopped the run: 128 + SIGINT, as shells report it. The reports say "interrupted".</summary>
    public const int Interrupted = 130;
}
