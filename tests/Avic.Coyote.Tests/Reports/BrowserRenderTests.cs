using System.Diagnostics;
using Avic.Coyote.Reports;

namespace Avic.Coyote.Tests.Reports;

/// <summary>A [Fact] that is skipped, with the reason, when Debian's chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is not installed (apt-get install -y chromium)";
    }
}

public sealed class BrowserRenderTests
{
    [ChromiumFact]
    public void A_200_step_three_vcpu_trace_renders_in_headless_chromium()
    {
        var (schedule, trace) = ReportToys.FailingRun(ReportToys.ThreeVcpus());
        string dir = Directory.CreateTempSubdirectory("coyote-html-").FullName;
        try
        {
            string html = Path.Combine(dir, "trace.html");
            string png = Path.Combine(dir, "shot.png");
            HtmlTraceWriter.Write(html, trace, TraceHeader.From(schedule));

            var start = new ProcessStartInfo(ChromiumFactAttribute.Chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + Path.Combine(dir, "profile"),
                         "--screenshot=" + png, "--window-size=1400,1000", new Uri(html).AbsoluteUri })
                start.ArgumentList.Add(arg);
            using Process chromium = Process.Start(start)!;
            chromium.StandardOutput.ReadToEndAsync();
            chromium.StandardError.ReadToEndAsync();
            Assert.True(chromium.WaitForExit(120_000), "chromium did not finish within 2 minutes");

            Assert.True(File.Exists(png), "chromium wrote no screenshot");
            byte[] bytes = File.ReadAllBytes(png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            // A blank 1400x1000 page compresses to a few KB; a page full of text does not.
            Assert.True(bytes.Length > 30_000, $"the screenshot is only {bytes.Length} bytes: is the page blank?");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
