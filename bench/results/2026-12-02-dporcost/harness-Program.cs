using System.Diagnostics;
using System.Runtime.InteropServices;
using Avic.Coyote.Testing;
static class P {
  [StructLayout(LayoutKind.Sequential)] struct Ts { public long s, ns; }
  [DllImport("libc")] static extern int clock_gettime(int id, out Ts t);
  static double Cpu() { clock_gettime(3, out Ts t); return t.s + t.ns / 1e9; } // CLOCK_THREAD_CPUTIME_ID
  static int Main(string[] a) {
    var asm = System.Reflection.Assembly.Load("Avic.Coyote.Models");
    var test = TestCatalog.FromAssembly(asm).First(t => t.Name == (a.Length > 0 ? a[0] : "Memslot.Merged.2vcpu"));
    var cfg = new Configuration { Strategy = a.Length > 1 ? a[1] : "dfs", Iterations = a.Length > 2 ? int.Parse(a[2]) : 100000000 };
    int rounds = a.Length > 3 ? int.Parse(a[3]) : 3;
    for (int r = 0; r < rounds; r++) {
      long g0 = GC.CollectionCount(0); double c0 = Cpu(); var sw = Stopwatch.StartNew();
      var rep = TestingEngine.Run(test, cfg);
      Console.WriteLine($"run {r}: thread-cpu {Cpu()-c0:F2}s wall {sw.Elapsed.TotalSeconds:F2}s iters {rep.Iterations} pruned {rep.PrunedIterations} steps {rep.TotalSteps} gen0 {GC.CollectionCount(0)-g0} load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} proc-cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2}s");
    }
    var st = Type.GetType("Avic.Coyote.Strategies.Exhaustive.Stat, Avic.Coyote"); if (st != null) Console.WriteLine(st.GetMethod("Show")!.Invoke(null, null));
    return 0;
  }
}
