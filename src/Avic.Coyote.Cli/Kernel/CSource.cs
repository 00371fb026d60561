// A tiny C reader for kernel-diff: finds the top-level function definitions of one C file and
// fingerprints a definition's text. Not a parser: it skips comments, string and character
// literals and preprocessor lines, balances braces, and takes a '{' at file level that follows
// "name(...)" (optionally followed by attribute macros such as __acquires(x)) as a definition.
using System.Security.Cryptography;
using System.Text;

namespace Avic.Coyote.Cli.Kernel;

/// <summary>One top-level function definition: its name and its text from the return type to the closing brace.</summary>
public sealed record CFunction(string Name, string Text);

public static class CSource
{
    /// <summary>The top-level function definitions of <paramref name="source"/>, in file order.</summary>
    public static IReadOnlyList<CFunction> Functions(string source)
    {
        bool[] code = CodeMask(source);
        var found = new List<CFunction>();
        int depth = 0, boundary = 0, open = -1;
        for (int i = 0; i < source.Length; i++)
        {
            if (!code[i]) continue;
            char c = source[i];
            if (c == '{')
            {
                if (depth == 0) open = i;
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
                if (depth == 0)
                {
                    if (NameBefore(source, code, open) is { } name)
                    {
                        int start = StartOf(source, code, boundary, open);
                        found.Add(new CFunction(name, source[start..(i + 1)]));
                    }
                    boundary = i + 1;
                }
            }
            else if (c == ';' && depth == 0) boundary = i + 1;
        }
        return found;
    }

    /// <summary>
    /// The fingerprint of a definition: the first 16 hex digits of the SHA-256 of its C tokens
    /// (comments dropped, whitespace and line breaks ignored, operators by maximal munch, tokens
    /// joined by one space). A change in layout or comments keeps it; a change in any token changes it.
    /// </summary>
    public static string Fingerprint(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(' ', Tokens(text)))))[..16];

    /// <summary>The fingerprint of every definition of <paramref name="name"/> in <paramref name="source"/>
    /// (several when #ifdef branches define it more than once: their texts in file order), or null.</summary>
    public static string? FingerprintOf(string source, string name)
    {
        List<CFunction> defs = Functions(source).Where(f => f.Name == name).ToList();
        return defs.Count == 0 ? null : Fingerprint(string.Join('\n', defs.Select(d => d.Text)));
    }

    private static readonly string[] Operators =
    [
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=", "##",
    ];

    /// <summary>The C tokens of <paramref name="text"/>, without comments; a backslash-newline is whitespace.</summary>
    public static IEnumerable<string> Tokens(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c) || (c == '\\' && i + 1 < text.Length && text[i + 1] is '\n' or '\r')) { i++; continue; }
            int end = SkipComment(text, i);
            if (end > i) { i = end; continue; }
            int start = i;
            if (c is '"' or '\'') i = SkipLiteral(text, i);
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                // identifiers and numbers (pp-number: 0x1fULL, 1e-5 is rare in the kernel and splits harmlessly)
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
            }
            else
            {
                string? op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0);
                i += op?.Length ?? 1;
            }
            yield return text[start..i];
        }
    }

    // true for characters that are C code: not in a comment, a literal or a preprocessor line.
    private static bool[] CodeMask(string s)
    {
        var code = new bool[s.Length];
        bool lineStart = true;
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            int end = SkipComment(s, i);
            if (end > i) { i = end; continue; }
            if (c == '#' && lineStart)
            {
                // a directive runs to the end of the line, continued by backslash-newline (comments inside are skipped too)
                while (i < s.Length && s[i] != '\n')
                {
                    int e = SkipComment(s, i);
                    if (e > i) { i = e; continue; }
                    if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] == '\n') i++;
                    i++;
                }
                continue;
            }
            if (c is '"' or '\'')
            {
                i = SkipLiteral(s, i);
                lineStart = false;
                continue;
            }
            code[i] = true;
            if (c == '\n') lineStart = true;
            else if (!char.IsWhiteSpace(c)) lineStart = false;
            i++;
        }
        return code;
    }

    // The end of the comment starting at i, or i when none starts there.
    private static int SkipComment(string s, int i)
    {
        if (s[i] != '/' || i + 1 >= s.Length) return i;
        if (s[i + 1] == '/')
        {
            int nl = s.IndexOf('\n', i);
            return nl < 0 ? s.Length : nl;
        }
        if (s[i + 1] == '*')
        {
            int close = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
            return close < 0 ? s.Length : close + 2;
        }
        return i;
    }

    // The end of the string or character literal starting at i (an unterminated one ends at the line end).
    private static int SkipLiteral(string s, int i)
    {
        char quote = s[i++];
        while (i < s.Length && s[i] != quote && s[i] != '\n')
            i += s[i] == '\\' && i + 1 < s.Length ? 2 : 1;
        return Math.Min(i + 1, s.Length);
    }

    // "name(...) attr(...) {": the function name, or null when the '{' opens anything else (struct, initializer).
    private static string? NameBefore(string s, bool[] code, int open)
    {
        int i = PrevCode(s, code, open - 1);
        while (i >= 0 && s[i] == ')')
        {
            int paren = MatchingOpen(s, code, i);
            if (paren < 0) return null;
            int nameEnd = PrevCode(s, code, paren - 1);
            int nameStart = nameEnd;
            while (nameStart >= 0 && (char.IsLetterOrDigit(s[nameStart]) || s[nameStart] == '_')) nameStart--;
            nameStart++;
            if (nameStart > nameEnd) return null;
            string name = s[nameStart..(nameEnd + 1)];
            if (char.IsDigit(name[0]) || name is "if" or "while" or "for" or "switch" or "return" or "sizeof") return null;
            int before = PrevCode(s, code, nameStart - 1);
            // "f(args) __acquires(lock) {": a __-prefixed name(...) right after a ')' is an attribute macro.
            if (name.StartsWith("__", StringComparison.Ordinal) && before >= 0 && s[before] == ')') { i = before; continue; }
            return name;
        }
        return null;
    }

    private static int MatchingOpen(string s, bool[] code, int close)
    {
        int depth = 0;
        for (int i = close; i >= 0; i--)
        {
            if (!code[i]) continue;
            if (s[i] == ')') depth++;
            else if (s[i] == '(' && --depth == 0) return i;
        }
        return -1;
    }

    private static int PrevCode(string s, bool[] code, int i)
    {
        while (i >= 0 && (!code[i] || char.IsWhiteSpace(s[i]))) i--;
        return i;
    }

    // The first code character after the previous top-level ';' or '}' (comments and directives before it excluded).
    private static int StartOf(string s, bool[] code, int boundary, int open)
    {
        int i = boundary;
        while (i < open && (!code[i] || char.IsWhiteSpace(s[i]))) i++;
        return i;
    }
}
