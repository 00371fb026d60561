using Avic.Coyote.Testing;

namespace Avic.Coyote.Microsoft.Tests;

/// <summary>The bundled tests, as xUnit data.</summary>
public static class Bundled
{
    public static readonly IReadOnlyList<TestCase> Tests =
        TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly);

    public static TestCase Find(string name) => Tests.Single(t => t.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (TestCase t in Tests) data.Add(t.Name);
        return data;
    }
}
