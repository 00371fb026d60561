using Avic.Coyote.Cli.Kernel;

namespace Avic.Coyote.Tests.KernelDiff;

/// <summary>The C function extractor and the fingerprint behind `coyote kernel-diff`.</summary>
public class CSourceTests
{
    private const string File1 = """
        // SPDX: a comment with a brace {
        #include "x86.h"
        #define KICK(v) do { kick(v); } while (0)

        static const struct kvm_x86_ops ops = {
        	.vcpu_load = svm_vcpu_load,
        };

        struct kvm_mmu_page {
        	int root_count;
        };

        /* "Called within kvm->srcu read side." { */
        static int vcpu_enter_guest(struct kvm_vcpu *vcpu)
        {
        	if (kvm_request_pending(vcpu)) {
        		pr_warn("unbalanced } in a string");
        		return '}';
        	}
        #ifdef CONFIG_X86_64
        	KICK(vcpu);
        #endif
        	return 1;
        }
        EXPORT_SYMBOL_GPL(vcpu_enter_guest);

        void __user *
        __x86_set_memory_region(struct kvm *kvm, int id,
        			u32 size)
        {
        	return NULL;
        }

        static void avic_vcpu_put(struct kvm_vcpu *vcpu) __releases(&vcpu->lock)
        {
        	unlock(vcpu);
        }
        """;

    [Fact]
    public void FindsTopLevelDefinitionsOnly()
    {
        IReadOnlyList<CFunction> functions = CSource.Functions(File1);

        Assert.Equal(["vcpu_enter_guest", "__x86_set_memory_region", "avic_vcpu_put"], functions.Select(f => f.Name));
        CFunction enter = functions[0];
        Assert.StartsWith("static int vcpu_enter_guest(struct kvm_vcpu *vcpu)", enter.Text);
        Assert.EndsWith("return 1;\n}", enter.Text.ReplaceLineEndings("\n"));
        Assert.StartsWith("void __user *", functions[1].Text);
        Assert.StartsWith("static void avic_vcpu_put", functions[2].Text);
    }

    [Fact]
    public void LayoutAndCommentsDoNotChangeTheFingerprint()
    {
        const string before = "static int f(int a)\n{\n\treturn a+1; /* one */\n}\n";
        const string after = "static int\nf(int a) {\n    // the successor\n    return a + 1;\n}\n";

        Assert.Equal(CSource.FingerprintOf(before, "f"), CSource.FingerprintOf(after, "f"));
        Assert.Matches("^[0-9a-f]{16}$", CSource.FingerprintOf(before, "f"));
    }

    [Theory]
    [InlineData("static int f(int a)\n{\n\treturn a+2;\n}\n")]            // a token
    [InlineData("static long f(int a)\n{\n\treturn a+1;\n}\n")]           // the signature
    [InlineData("static int f(int a)\n{\n\treturn a++ +1;\n}\n")]          // an operator
    [InlineData("static int f(int a)\n{\n\tpr_info(\"x\");\n\treturn a+1;\n}\n")]
    public void AnyTokenChangeChangesTheFingerprint(string changed)
    {
        const string original = "static int f(int a)\n{\n\treturn a+1;\n}\n";

        Assert.NotEqual(CSource.FingerprintOf(original, "f"), CSource.FingerprintOf(changed, "f"));
    }

    [Fact]
    public void TokensFollowTheCLexer()
    {
        Assert.Equal(["a", "+=", "b", "->", "c", "<<=", "1", ";"], CSource.Tokens("a+=b->c<<=1;"));
        Assert.Equal(["x", "=", "\"a /* b */ c\"", ";"], CSource.Tokens("x = \"a /* b */ c\"; // d"));
        Assert.Equal(["#", "define", "M", "(", "x", ")", "x"], CSource.Tokens("#define M(x) \\\n\tx"));
    }

    [Fact]
    public void EveryIfdefBranchOfAFunctionCounts()
    {
        const string twice = "#ifdef A\nstatic void g(void)\n{\n\ta();\n}\n#else\nstatic void g(void)\n{\n\tb();\n}\n#endif\n";
        const string other = "#ifdef A\nstatic void g(void)\n{\n\ta();\n}\n#else\nstatic void g(void)\n{\n\tc();\n}\n#endif\n";

        Assert.Equal(2, CSource.Functions(twice).Count(f => f.Name == "g"));
        Assert.NotEqual(CSource.FingerprintOf(twice, "g"), CSource.FingerprintOf(other, "g"));
        Assert.Null(CSource.FingerprintOf(twice, "h"));
    }
}
