using System.Reflection;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Commands;

/// <summary>Finds the tests a command works on: the [Test] methods of an assembly, filtered by name.</summary>
public static class TestSelection
{
    /// <summary>The assembly `coyote` explores when none is named.</summary>
    public const string BundledAssembly = "Avic.Coyote.Models";

    /// <summary>The tests of <paramref name="path"/> (a .dll), or of the bundled models when null.</summary>
    public static IReadOnlyList<TestCase> Load(CliContext context, string? path)
    {
        Assembly assembly = path is null ? Assembly.Load(new AssemblyName(BundledAssembly)) : LoadFile(context, path);
        try { return TestCatalog.FromAssembly(assembly); }
        catch (InvalidOperationException e)
        {
            throw new InputException($"{path ?? BundledAssembly}: {e.Message}");
        }
    }

    /// <summary>The test <paramref name="schedule"/> (read from <paramref name="schedulePath"/>) was recorded on, from
    /// <paramref name="assembly"/> (null: the bundled models); an input error naming both when it is not there.</summary>
    public static TestCase ForSchedule(CliContext context, string? assembly, ScheduleFile schedule, string schedulePath) =>
        Load(context, assembly).FirstOrDefault(t => t.Name == schedule.Test)
        ?? throw new InputException($"{schedulePath}: the schedule is for test '{schedule.Test}' (assembly {schedule.Assembly}), " +
                                    $"which {assembly ?? BundledAssembly} does not contain (try `coyote list`)");

    private static Assembly LoadFile(CliContext context, string path)
    {
        string full = context.Resolve(path);
        if (!File.Exists(full)) throw new InputException($"{path}: no such file (expected a .dll with [Test] methods)");
        AssemblyName name;
        try { name = AssemblyName.GetAssemblyName(full); }
        catch (Exception e) when (e is BadImageFormatException or IOException or ArgumentException)
        {
            throw new InputException($"{path}: not a .NET assembly");
        }
        // An assembly already loaded under this name (e.g. the bundled models, or the engine's own
        // tests running the CLI in-process) is used as is: loading a second copy would fail.
        Assembly? loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name.Name);
        if (loaded is not null) return loaded;
        try { return Assembly.LoadFrom(full); }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw new InputException($"{path}: cannot load: {e.Message}");
        }
    }

    /// <summary>
    /// The tests whose name contains <paramref name="filter"/> (case-insensitive); a test named exactly
    /// <paramref name="filter"/> is selected alone, so `-m Samples.LostUpdate` does not also run
    /// Samples.LostUpdateFixed. No filter: all tests.
    /// </summary>
    public static IReadOnlyList<TestCase> Select(IReadOnlyList<TestCase> tests, string? filter, string command)
    {
        if (filter is null) return tests;
        TestCase? exact = tests.FirstOrDefault(t => string.Equals(t.Name, filter, StringComparison.OrdinalIgnoreCase));
        if (exact is not null) return [exact];
        var matches = tests.Where(t => t.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0) throw new UsageException($"no test matches '{filter}' (try `coyote list`)", command);
        return matches;
    }
}
