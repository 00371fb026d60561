using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Avic.Coyote.Bench;

/// <summary>
/// A CSV file through which benchmark processes report extra measurements to the host process
/// (BenchmarkDotNet runs each case in its own process; custom columns are computed in the host).
/// The host picks the path and passes it to the children in an environment variable.
/// </summary>
public sealed class SideChannelCsv(string environmentVariable, string fileName, string header)
{
    /// <summary>Called by the host: sets the path and starts a fresh file.</summary>
    public void Initialise(string resultsDirectory)
    {
        Directory.CreateDirectory(resultsDirectory);
        string path = Path.Combine(resultsDirectory, fileName);
        File.WriteAllText(path, header + Environment.NewLine);
        Environment.SetEnvironmentVariable(environmentVariable, path);
    }

    private string PathOrDefault =>
        Environment.GetEnvironmentVariable(environmentVariable) ?? Path.Combine(Path.GetTempPath(), fileName);

    /// <summary>Called by a benchmark process: appends one row (fields must not contain commas).</summary>
    public void Append(params string[] fields)
    {
        string path = PathOrDefault;
        if (!File.Exists(path)) File.WriteAllText(path, header + Environment.NewLine);
        File.AppendAllText(path, string.Join(",", fields) + Environment.NewLine);
    }

    /// <summary>The data rows written so far (header skipped).</summary>
    public IEnumerable<string[]> Rows()
    {
        string path = PathOrDefault;
        if (!File.Exists(path)) return [];
        return File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','));
    }
}
