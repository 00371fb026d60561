// Shared by the adapter and its source generator (linked into both): one name mapping.
namespace Avic.Coyote.Microsoft;

/// <summary>
/// How one of our test names becomes a Coyote test method. <c>dotnet coyote test -m</c> needs a C# method
/// name, or Type.Method. The first dot-separated part of our name is the class and the rest is the method;
/// any character that C# does not allow in a name becomes '_':
/// <c>Memslot.Merged.2vcpu</c> → <c>Memslot.Merged_2vcpu</c>, <c>Doorbell.B-7</c> → <c>Doorbell.B_7</c>,
/// <c>Samples.LostUpdate</c> → <c>Samples.LostUpdate</c>. A name without a dot goes to the class <c>Tests</c>.
/// </summary>
public static class CoyoteNames
{
    /// <summary>The generated class and method for <paramref name="testName"/>.</summary>
    public static (string Class, string Method) Of(string testName)
    {
        int dot = testName.IndexOf('.');
        return dot < 0 ? ("Tests", Identifier(testName)) : (Identifier(testName.Substring(0, dot)), Identifier(testName.Substring(dot + 1)));
    }

    /// <summary>The <c>-m</c> argument of <c>dotnet coyote test</c> for <paramref name="testName"/>.</summary>
    public static string MethodArgument(string testName)
    {
        var (type, method) = Of(testName);
        return type + "." + method;
    }

    private static string Identifier(string text)
    {
        var chars = new char[text.Length];
        for (int i = 0; i < text.Length; i++) chars[i] = char.IsLetterOrDigit(text[i]) || text[i] == '_' ? text[i] : '_';
        string id = new string(chars);
        return id.Length == 0 || char.IsDigit(id[0]) ? "_" + id : id;
    }
}
