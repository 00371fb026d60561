using System.Xml;
using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using static Avic.Coyote.Tests.Hunt.HuntReportFixtures;

namespace Avic.Coyote.Tests.Hunt;

public class JUnitWriterTests
{
    [Fact]
    public void OneTestcasePerTestWithFailuresExactlyWhereExpectationsFail()
    {
        HuntReport report = Report(Run(1, 1),
            Test("Pass.Clean", Expectation.Pass),
            Test("Pass.Buggy", Expectation.Pass, null, 10, Bug(BugKind.AssertionFailure, "INV-A1 <broken> & \"quoted\"\u0001")),
            Test("Known.Found", Expectation.Deadlock, "INV-A4", 10, Bug(BugKind.Deadlock, "INV-A4(a): possible deadlock", invariant: "INV-A4")),
            Test("Known.Missed", Expectation.Deadlock, "INV-A4"),
            Test("Known.Other", Expectation.Deadlock, "INV-A4", 10, Bug(BugKind.Liveness, "hot")),
            Test("Known.Both", Expectation.Deadlock, "INV-A4", 10, Bug(BugKind.Deadlock, "INV-A4", invariant: "INV-A4"), Bug(BugKind.Liveness, "hot")),
            Test("Explore.Any", Expectation.Explore, null, 10, Bug(BugKind.AssertionFailure, "whatever")));

        var xml = new XmlDocument();
        xml.LoadXml(HuntWriters.JUnit(report));

        XmlNodeList cases = xml.SelectNodes("/testsuites/testsuite/testcase")!;
        Assert.Equal(7, cases.Count);
        var failed = cases.Cast<XmlElement>().Where(c => c["failure"] is not null).Select(c => c.GetAttribute("name")).ToList();
        Assert.Equal(["Pass.Buggy", "Known.Missed", "Known.Other"], failed);
        Assert.Equal("3", xml.SelectSingleNode("/testsuites/@failures")!.Value);
        Assert.Equal("7", xml.SelectSingleNode("/testsuites/testsuite/@tests")!.Value);

        var buggy = (XmlElement)xml.SelectSingleNode("//testcase[@name='Pass.Buggy']")!;
        Assert.Equal("Pass", buggy.GetAttribute("classname"));
        Assert.Contains("INV-A1 <broken> & \"quoted\"", buggy["failure"]!.GetAttribute("message"));
        Assert.Equal("10", buggy.SelectSingleNode("properties/property[@name='iterations']/@value")!.Value);
        Assert.Equal("100", buggy.SelectSingleNode("properties/property[@name='steps']/@value")!.Value);
        Assert.Contains("iterations: 10", buggy["system-out"]!.InnerText);
        Assert.Contains("expected bug not found", ((XmlElement)xml.SelectSingleNode("//testcase[@name='Known.Missed']")!)["failure"]!.GetAttribute("message"));
        Assert.EndsWith("found 1 other distinct bug (Liveness) instead", ((XmlElement)xml.SelectSingleNode("//testcase[@name='Known.Other']")!)["failure"]!.GetAttribute("message"));
    }

    [Fact]
    public void TheMarkdownSummaryListsEveryTestAndBug()
    {
        HuntReport report = Report(Run(1, 1), Test("Known.Found", Expectation.Deadlock, null, 10,
            Bug(BugKind.Deadlock, "stuck", schedule: "Known.Found.1.schedule")), Test("Pass.Clean", Expectation.Pass));

        string md = HuntWriters.Markdown(report, "out");

        Assert.Contains("| Known.Found | bug: Deadlock | 1 | 10 | 100 | 1 | ok: expected bug found |", md);
        Assert.Contains("| Pass.Clean | pass | 1 | 10 | 100 | 0 | ok: no bug found |", md);
        Assert.Contains("./coyote replay out/Known.Found.1.schedule", md);
    }
}
