namespace Avic.Coyote.Cli.Output;

/// <summary>Rows of cells printed as an aligned plain-text table, or as a Markdown table.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = new();

    public void Add(params string[] cells) => rows.Add(cells);

    public void Write(TextWriter w)
    {
        int[] widths = Widths();
        WriteRow(w, headers, widths);
        WriteRow(w, widths.Select(n => new string('-', n)).ToArray(), widths);
        foreach (string[] row in rows) WriteRow(w, row, widths);
    }

    public void WriteMarkdown(TextWriter w)
    {
        w.WriteLine("| " + string.Join(" | ", headers) + " |");
        w.WriteLine("|" + string.Concat(headers.Select(_ => "---|")));
        foreach (string[] row in rows) w.WriteLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|"))) + " |");
    }

    private int[] Widths() =>
        headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();

    private static void WriteRow(TextWriter w, string[] cells, int[] widths) =>
        w.WriteLine(string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
}
