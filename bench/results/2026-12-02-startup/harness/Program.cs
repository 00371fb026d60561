// In-process reference for the CLI's end-to-end rate: runs one bundled test ROUNDS times in one process
// through TestingEngine.Run (the CLI's path) and prints each run's steps/s, its main-thread CPU
// (CLOCK_THREAD_CPUTIME_ID: the JIT's background thread excluded) and the process CPU so far.
// Run 0 is cold, as the CLI is; run 1 and later are warm (hot code at tier 1).
//   dotnet h.dll TEST STRATEGY ITERATIONS ROUNDS
using System.Diagnostics;
using System.Runtime.InteropServices;
using Avic.Coyote.Testing;

static class Harness
{
    [StructLayout(LayoutKind.Sequential)] struct Timespec { public long Sec, Nsec; }
    [DllImport("libc")] static extern int clock_gettime(int clock, out Timespec t);
    static double ThreadCpu() { clock_gettime(3, out Timespec t); return t.Sec + t.Nsec / 1e9; }

    static int Main(string[] a)
    {
        var models = System.Reflection.Assembly.Load("Avic.Coyote.Models");
        string name = a.Length > 0 ? a[0] : "Memslot.Merged";
        var test = TestCatalog.FromAssembly(models).First(t => t.Name == name);
        var cfg = new Configuration
        {
            Strategy = a.Length > 1 ? a[1] : "random",
            Iterations = a.Length > 2 ? int.Parse(a[2]) : 100_000,
        };
        int rounds = a.Length > 3 ? int.Parse(a[3]) : 2;
        for (int r = 0; r < rounds; r++)
        {
            double c0 = ThreadCpu();
            var sw = Stopwatch.StartNew();
            TestReport rep = TestingEngine.Run(test, cfg);
            double cpu = ThreadCpu() - c0, wall = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"run {r}: steps {rep.TotalSteps:N0} in {rep.Elapsed.TotalSeconds:F2}s: {rep.StepsPerSecond:N0} steps/s; " +
                $"main-thread cpu {cpu:F2}s ({rep.TotalSteps / cpu:N0} steps/cpu-s) wall {wall:F2}s " +
                $"proc-cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2}s load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
        return 0;
    }
}
