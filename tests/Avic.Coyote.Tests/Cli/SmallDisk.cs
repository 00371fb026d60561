using System.Diagnostics;

namespace Avic.Coyote.Tests.Cli;

/// <summary>A [Fact] that runs only where a tmpfs can be mounted (root on Linux); skipped, with the reason, elsewhere.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (!SmallDisk.CanMount) Skip = "needs to mount a small tmpfs (root on Linux) to fill a disk";
    }
}

/// <summary>A 1 MB tmpfs that a test can fill up: a real "no space left on device", not a simulated one.</summary>
public sealed class SmallDisk : IDisposable
{
    public static readonly bool CanMount = Probe();

    public string Dir { get; } = Directory.CreateTempSubdirectory("coyote-small-disk-").FullName;

    public SmallDisk() => Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", Dir);

    /// <summary>Fills the disk but for one page (4 KB): enough to start writing a set of files, not to finish it.</summary>
    public void FillAllButOnePage()
    {
        string filler = Path.Combine(Dir, "filler");
        using (var f = new FileStream(filler, FileMode.Create))
        {
            var page = new byte[4096];
            try { while (true) { f.Write(page); f.Flush(); } }
            catch (IOException) { }
        }
        using (var f = new FileStream(filler, FileMode.Open)) f.SetLength(Math.Max(0, f.Length - 4096));
    }

    /// <summary>Every file under the disk but the filler, with its bytes.</summary>
    public Dictionary<string, byte[]> Snapshot() =>
        Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "filler")
            .ToDictionary(f => Path.GetRelativePath(Dir, f), File.ReadAllBytes);

    public void Dispose()
    {
        try { Run("umount", Dir); Directory.Delete(Dir, recursive: true); }
        catch (Exception e) when (e is IOException or InvalidOperationException) { }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return false;
        try
        {
            using var disk = new SmallDisk();
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { return false; }
    }

    private static void Run(string tool, params string[] args)
    {
        using Process p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {err}");
    }
}
