using Avic.Coyote.Cli;
using Avic.Coyote.Cli.Commands;
using Avic.Coyote.Cli.Kernel;
using Avic.Coyote.Models;
using Avic.Coyote.Tests.Cli;

namespace Avic.Coyote.Tests.KernelDiff;

/// <summary>
/// `coyote kernel-diff` on small synthetic kernel trees written by the test (no kernel source in the
/// repository): the recorded fingerprints are taken from a first tree, then the tree is edited.
/// </summary>
public class KernelDiffCommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    private const string KvmMain = """
        #include <linux/kvm_host.h>

        static void kvm_swap_active_memslots(struct kvm *kvm, int as_id)
        {
        	rcu_assign_pointer(kvm->memslots[as_id], slots);
        	mutex_unlock(&kvm->slots_arch_lock);
        	synchronize_srcu_expedited(&kvm->srcu);
        }

        int kvm_vcpu_halt(struct kvm_vcpu *vcpu)
        {
        	return kvm_vcpu_block(vcpu);
        }
        """;

    private const string Mmu = """
        static int mmu_first_shadow_root_alloc(struct kvm *kvm)
        {
        	if (kvm_shadow_root_allocated(kvm))
        		return 0;
        	mutex_lock(&kvm->slots_arch_lock);
        	smp_store_release(&kvm->arch.shadow_root_allocated, true);
        	mutex_unlock(&kvm->slots_arch_lock);
        	return 0;
        }
        """;

    private string Tree => cli.Path_("linux");

    private IReadOnlyList<KernelSource> table = [];

    public KernelDiffCommandTests()
    {
        WriteTree("virt/kvm/kvm_main.c", KvmMain);
        WriteTree("arch/x86/kvm/mmu/mmu.c", Mmu);
        File.WriteAllText(Path.Combine(Tree, "Makefile"), "VERSION = 6\nPATCHLEVEL = 99\nSUBLEVEL = 0\nEXTRAVERSION = -test\n");
        table =
        [
            Record("virt/kvm/kvm_main.c", "kvm_swap_active_memslots", KvmMain),
            Record("virt/kvm/kvm_main.c", "kvm_vcpu_halt", KvmMain),
            Record("arch/x86/kvm/mmu/mmu.c", "mmu_first_shadow_root_alloc", Mmu),
        ];
    }

    public void Dispose() => cli.Dispose();

    private static KernelSource Record(string file, string function, string text) =>
        new("Memslot/Test.cs", file, function, CSource.FingerprintOf(text, function));

    private void WriteTree(string relative, string text)
    {
        string path = Path.Combine(Tree, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private (int Exit, string Out) Diff(string path = "linux")
    {
        var stdout = new StringWriter();
        int exit = KernelDiffCommand.Diff(path, new CliContext(stdout, new StringWriter(), cli.Dir), table, "synthetic", withPrints: false);
        return (exit, stdout.ToString());
    }

    private static string Row(string output, string function) =>
        output.Split('\n').Single(l => l.StartsWith(function + " ", StringComparison.Ordinal));

    [Fact]
    public void AnUnchangedTreeExitsZero()
    {
        (int exit, string output) = Diff();

        Assert.Equal(ExitCode.Ok, exit);
        Assert.Contains("kernel-diff: linux (Linux 6.99.0-test)", output);
        Assert.Contains("3 functions: 3 unchanged, 0 changed, 0 moved, 0 missing", output);
    }

    [Fact]
    public void AWhitespaceAndCommentOnlyChangeIsNotDrift()
    {
        WriteTree("arch/x86/kvm/mmu/mmu.c", "/* reformatted */\n" + Mmu.Replace("\t", "        ").Replace("return 0;\n}", "return 0; // done\n}"));

        (int exit, string output) = Diff();

        Assert.Equal(ExitCode.Ok, exit);
        Assert.Contains("unchanged", Row(output, "mmu_first_shadow_root_alloc"));
    }

    [Fact]
    public void ABodyChangeIsReportedAsChanged()
    {
        // The lock released after the grace period: the MA14 mutation, made in the kernel.
        WriteTree("virt/kvm/kvm_main.c", KvmMain.Replace(
            "\tmutex_unlock(&kvm->slots_arch_lock);\n\tsynchronize_srcu_expedited(&kvm->srcu);",
            "\tsynchronize_srcu_expedited(&kvm->srcu);\n\tmutex_unlock(&kvm->slots_arch_lock);"));

        (int exit, string output) = Diff();

        Assert.Equal(ExitCode.BugFound, exit);
        Assert.Matches(@"kvm_swap_active_memslots\s+virt/kvm/kvm_main\.c\s+changed\s+text changed \([0-9a-f]{16} -> [0-9a-f]{16}\); model Memslot/Test\.cs", Row(output, "kvm_swap_active_memslots"));
        Assert.Contains("unchanged", Row(output, "kvm_vcpu_halt"));
        Assert.Contains("1 changed", output);
    }

    [Fact]
    public void AFunctionFoundInAnotherFileIsMoved()
    {
        File.Delete(Path.Combine(Tree, "arch/x86/kvm/mmu/mmu.c"));
        WriteTree("arch/x86/kvm/mmu/shadow.c", Mmu);

        (int exit, string output) = Diff();

        Assert.Equal(ExitCode.BugFound, exit);
        Assert.Contains("moved", Row(output, "mmu_first_shadow_root_alloc"));
        Assert.Contains("now in arch/x86/kvm/mmu/shadow.c, same text", Row(output, "mmu_first_shadow_root_alloc"));
    }

    [Fact]
    public void ADeletedFunctionIsMissing()
    {
        WriteTree("virt/kvm/kvm_main.c", KvmMain[..KvmMain.IndexOf("int kvm_vcpu_halt", StringComparison.Ordinal)] + "/* kvm_vcpu_halt(vcpu) is gone */\n");

        (int exit, string output) = Diff();

        Assert.Equal(ExitCode.BugFound, exit);
        Assert.Contains("missing", Row(output, "kvm_vcpu_halt"));
        Assert.Contains("defined nowhere in the tree", Row(output, "kvm_vcpu_halt"));
        Assert.Contains("2 unchanged, 0 changed, 0 moved, 1 missing", output);
    }

    [Fact]
    public void AFunctionWithoutABaselineIsListedButIsNotDrift()
    {
        table = [.. table, new KernelSource("Doorbell/Test.cs", "virt/kvm/kvm_main.c", "kvm_vcpu_halt", null, "not in the recorded tree")];

        (int exit, string output) = Diff();

        Assert.Equal(ExitCode.Ok, exit);
        Assert.Contains("1 without a baseline", output);
        Assert.Contains("no baseline", output);
    }

    [Fact]
    public void TheBundledTableAgainstASyntheticTreeReportsDrift()
    {
        CliRunner.Result r = cli.Run("kernel-diff", "--kernel", "linux");

        Assert.Equal(ExitCode.BugFound, r.Exit);
        Assert.Contains($"recorded against: {KernelSources.Checked}", r.Out);
        Assert.Contains("kvm_swap_active_memslots", r.Out);
        Assert.Contains($"{KernelSources.All.Count} functions:", r.Out);
    }

    [Theory]
    [InlineData(new[] { "kernel-diff" }, "coyote: error: kernel-diff needs --kernel PATH")]
    [InlineData(new[] { "kernel-diff", "--kernel", "nowhere" }, "coyote: error: nowhere: no such directory")]
    [InlineData(new[] { "kernel-diff", "--kernel", "linux/virt" }, "coyote: error: linux/virt: not a kernel tree")]
    [InlineData(new[] { "kernel-diff", "--kernel", "linux/Makefile" }, "coyote: error: linux/Makefile: not a directory")]
    [InlineData(new[] { "kernel-diff", "--kernel" }, "coyote: error:")]
    public void UsageErrorsAreOneLineAndExitTwo(string[] args, string message)
    {
        CliRunner.Result r = cli.Run(args);

        Assert.Equal(ExitCode.UsageError, r.Exit);
        Assert.StartsWith(message, r.FirstErrorLine);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void TheBundledTableIsWellFormed()
    {
        Assert.Equal(KernelSources.All.Count, KernelSources.All.Select(s => (s.File, s.Function)).Distinct().Count());
        foreach (KernelSource s in KernelSources.All)
        {
            Assert.True(s.Fingerprint is null ? s.Note is not null : System.Text.RegularExpressions.Regex.IsMatch(s.Fingerprint, "^[0-9a-f]{16}$"), s.Function);
            Assert.Matches(@"^(arch|virt|include|kernel|drivers)/[\w/.-]+\.[ch]$", s.File);
            foreach (string model in s.Model.Split(", "))
                Assert.True(File.Exists(Path.Combine(RepoRoot(), "models", "Avic.Coyote.Models", model)), $"{s.Function}: no model file {model}");
        }
    }

    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Avic.Coyote.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}
