using System.Text;

namespace Avic.Coyote.Reports;

/// <summary>
/// The one way every output file is written: each file goes to a temporary name in its own folder
/// and is renamed over its real name only when all the files of the set are written in full. A disk
/// that fills up, a folder that cannot be written or a Ctrl-C thus leaves the previous set of files
/// as it was (never a new schedule next to a cut trace and an old picture), and no temporary behind.
/// </summary>
public static class AtomicFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes one file whole or not at all.</summary>
    public static void Write(string path, string text) => WriteSet([(path, text)]);

    /// <summary>
    /// Writes <paramref name="files"/> (UTF-8, no BOM) as one set: all temporaries first, then, once
    /// every one is complete, renames each over its file and deletes <paramref name="obsolete"/> (files
    /// of an older set that the new one does not replace). On a failure before the renames the
    /// temporaries are deleted, the old files kept, and the exception passed on.
    /// </summary>
    public static void WriteSet(IReadOnlyList<(string Path, string Text)> files, IEnumerable<string>? obsolete = null)
    {
        var temps = new List<(string Temp, string Path)>(files.Count);
        try
        {
            foreach ((string path, string text) in files)
            {
                string full = Path.GetFullPath(path);
                string temp = TempName(full);
                temps.Add((temp, full));
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                byte[] bytes = Utf8.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            // rename(2) within one folder: each file is replaced in one step, old or new, never half.
            var written = temps.Select(t => t.Path).ToHashSet(StringComparer.Ordinal);
            foreach ((string temp, string path) in temps) File.Move(temp, path, overwrite: true);
            temps.Clear();
            foreach (string old in obsolete ?? [])
                if (!written.Contains(Path.GetFullPath(old))) File.Delete(old);
        }
        finally
        {
            foreach ((string temp, _) in temps)
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Creates <paramref name="directory"/> if needed and writes (then deletes) a temporary in it: throws if files cannot be written there.</summary>
    public static void CheckWritable(string directory)
    {
        Directory.CreateDirectory(directory);
        string probe = TempName(Path.Combine(Path.GetFullPath(directory), "probe"));
        using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
    }

    /// <summary>".NAME.tmp-PID-RANDOM" beside NAME: hidden, unique, and on the same file system so the rename is atomic.</summary>
    private static string TempName(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>True for a temporary this class writes (for cleaning up after a killed process).</summary>
    public static bool IsTemporary(string fileName) => fileName.StartsWith('.') && fileName.Contains(".tmp-", StringComparison.Ordinal);
}
