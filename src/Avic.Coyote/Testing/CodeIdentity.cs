using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;

namespace Avic.Coyote.Testing;

/// <summary>
/// What a checkpoint names a build by: a hash of the code an assembly runs, not of how it was built. The module version
/// id of a deterministic build also hashes the debug directory, whose program-database id changes with every line a
/// comment adds or removes, so a comment-only commit made the last night's checkpoint unresumable. This hashes the
/// assembly's sections (metadata, IL, resources) with the module version id and the debug directory zeroed, and leaves
/// out the headers (their time stamp is derived from the same hash). A test's code is its assembly plus every assembly
/// it loads from beside it that is not the engine (the engine has an id of its own), so a change in a library the test
/// calls is a change of the test.
/// </summary>
public static class CodeIdentity
{
    private static readonly ConcurrentDictionary<Assembly, Guid> AssemblyCache = new(), TestCache = new();

    /// <summary>The engine's code.</summary>
    public static Guid Engine => Of(typeof(CodeIdentity).Assembly);

    /// <summary>The code of <paramref name="testAssembly"/> and of the libraries it references from its own folder
    /// (<see cref="TestFiles"/>).</summary>
    public static Guid OfTest(Assembly testAssembly) => TestCache.GetOrAdd(testAssembly, a =>
    {
        List<string> files = TestFiles(a);
        if (files.Count == 0) return a.ManifestModule.ModuleVersionId;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in files) sha.AppendData(CodeHash(file));
        return new Guid(sha.GetHashAndReset().AsSpan(0, 16));
    });

    /// <summary>The files <see cref="OfTest"/> hashes: the test assembly's, then those of the assemblies it references
    /// that sit in its folder and are not the engine, by name. Empty for an assembly without a file.</summary>
    public static List<string> TestFiles(Assembly testAssembly)
    {
        if (string.IsNullOrEmpty(testAssembly.Location)) return [];
        string folder = Path.GetDirectoryName(testAssembly.Location)!;
        string engine = typeof(CodeIdentity).Assembly.GetName().Name!;
        var files = new List<string> { testAssembly.Location };
        foreach (AssemblyName reference in testAssembly.GetReferencedAssemblies().OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            string candidate = Path.Combine(folder, reference.Name + ".dll");
            if (reference.Name != engine && File.Exists(candidate)) files.Add(candidate);
        }
        return files;
    }

    /// <summary>One assembly's code (<see cref="CodeHash"/>), or its module version id when it has no file.</summary>
    public static Guid Of(Assembly assembly) => AssemblyCache.GetOrAdd(assembly, a =>
        string.IsNullOrEmpty(a.Location) ? a.ManifestModule.ModuleVersionId : new Guid(CodeHash(a.Location).AsSpan(0, 16)));

    /// <summary>SHA-256 of the file's sections with the module version id and the debug directory (its table and the
    /// data its entries point to) zeroed.</summary>
    public static byte[] CodeHash(string assemblyFile)
    {
        byte[] image = File.ReadAllBytes(assemblyFile);
        using var pe = new PEReader(new MemoryStream(image, writable: false));
        PEHeaders headers = pe.PEHeaders;

        MetadataReader metadata = pe.GetMetadataReader();
        int guidHeap = headers.MetadataStartOffset + metadata.GetHeapMetadataOffset(HeapIndex.Guid);
        GuidHandle mvid = metadata.GetModuleDefinition().Mvid;
        int mvidAt = guidHeap + (MetadataTokens.GetHeapOffset(mvid) - 1) * 16;
        if (!image.AsSpan(mvidAt, 16).SequenceEqual(metadata.GetGuid(mvid).ToByteArray()))
            throw new InvalidOperationException($"{assemblyFile}: the module version id is not where the metadata says");
        Array.Clear(image, mvidAt, 16);

        if (headers.PEHeader is { } peHeader && headers.TryGetDirectoryOffset(peHeader.DebugTableDirectory, out int table))
        {
            foreach (DebugDirectoryEntry entry in pe.ReadDebugDirectory())
                Array.Clear(image, entry.DataPointer, entry.DataSize);
            Array.Clear(image, table, peHeader.DebugTableDirectory.Size);
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (SectionHeader section in headers.SectionHeaders)
            sha.AppendData(image, section.PointerToRawData, Math.Min(section.SizeOfRawData, image.Length - section.PointerToRawData));
        return sha.GetHashAndReset();
    }
}
