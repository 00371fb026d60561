using System.Text.Json;

namespace Avic.Coyote.Testing;

/// <summary>How a System.Text.Json error is quoted to the user (schedule files, coyote.json, hunt reports).</summary>
public static class JsonErrors
{
    /// <summary>The reader's own sentence without the location suffix it appends (" Path: … | LineNumber: …"):
    /// callers give the location themselves, from <see cref="JsonException"/>'s typed fields.</summary>
    public static string Sentence(JsonException e)
    {
        string message = e.Message;
        int path = message.IndexOf(" Path:", StringComparison.Ordinal);
        int line = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        int cut = path > 0 && line > 0 ? Math.Min(path, line) : Math.Max(path, line);
        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }
}
