using System.Reflection;
using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>A checkpoint resumes only under the code that wrote it (<see cref="CodeIdentity"/>): a comment that moves
/// lines must keep the id (the module version id does not), any change of the code must change it.</summary>
public sealed class CodeIdentityTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("codeid-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private const string Source = """
        namespace Lib;
        public static class Entry
        {
            public static int Bits(int x) => x & 0x3f;
        }
        """;

    /// <summary>Compiles like the SDK's Release build: deterministic, a portable program database beside the file.</summary>
    private string Compile(string name, string source)
    {
        var compilation = CSharpCompilation.Create("Lib",
            [CSharpSyntaxTree.ParseText(SourceText.From(source, System.Text.Encoding.UTF8), path: "/_/Entry.cs")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, deterministic: true));
        string dll = Path.Combine(dir, name + ".dll"), pdb = Path.Combine(dir, name + ".pdb");
        using (var peStream = File.Create(dll))
        using (var pdbStream = File.Create(pdb))
        {
            EmitResult result = compilation.Emit(peStream, pdbStream,
                options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb, pdbFilePath: "/_/Lib.pdb"));
            Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        }
        return dll;
    }

    private static Guid Mvid(string dll)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(dll));
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return md.GetGuid(md.GetModuleDefinition().Mvid);
    }

    [Fact]
    public void ACommentThatMovesLinesKeepsTheCodesIdentityButNotTheModuleVersionId()
    {
        string before = Compile("before", Source);
        string after = Compile("after", "// a comment of three lines\n// that moves every line\n// below it\n" + Source);
        Assert.NotEqual(Mvid(before), Mvid(after));
        Assert.Equal(CodeIdentity.CodeHash(before), CodeIdentity.CodeHash(after));
        Assert.Equal(CodeIdentity.CodeHash(before), CodeIdentity.CodeHash(Compile("again", Source)));
    }

    [Theory]
    [InlineData("0x3f", "0x7f")]
    [InlineData("x & 0x3f", "x | 0x3f")]
    [InlineData("int Bits(int x)", "long Bits(int x)")]
    [InlineData("public static int Bits", "internal static int Bits")]
    public void AnyChangeOfTheCodeChangesIt(string what, string into)
    {
        Assert.Contains(what, Source);
        Assert.NotEqual(CodeIdentity.CodeHash(Compile("before", Source)), CodeIdentity.CodeHash(Compile("after", Source.Replace(what, into))));
    }

    [Fact]
    public void AModelsIdentityCoversTheLibrariesItCallsButNotTheEngine()
    {
        Assembly models = typeof(DoorbellVariants).Assembly;
        List<string> files = CodeIdentity.TestFiles(models);
        Assert.Equal(models.Location, files[0]);
        Assert.Contains(files, f => Path.GetFileName(f) == "Avic.Kvm.Avic.dll");
        Assert.DoesNotContain(files, f => Path.GetFileName(f) == "Avic.Coyote.dll");
        Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith("System.", StringComparison.Ordinal));
        Assert.NotEqual(CodeIdentity.Of(models), CodeIdentity.OfTest(models));
        Assert.NotEqual(CodeIdentity.Engine, CodeIdentity.OfTest(models));
    }
}
