using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Engine;

public class ScheduleFileTests
{
    private static string ValidJson() => ToyCatalog.Run("Toys.LostUpdate").Schedule!.ToJson();

    [Fact]
    public void RoundTripsThroughJson()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.RandomChoice").Schedule!;

        ScheduleFile back = ScheduleFile.Parse(s.ToJson(), "x.schedule");

        Assert.Equal(s.ToJson(), back.ToJson());
        Assert.Equal(s.Decisions, back.Decisions);
        Assert.Equal(s.Bug, back.Bug);
    }

    [Fact]
    public void TheBugsInvariantIsWrittenAndReadBack()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.CheckThenAct").Schedule!;
        string json = s.ToJson();

        Assert.Contains("\"format\": \"avic-coyote-schedule/2\"", json);
        Assert.Contains("\"invariant\": \"INV-1\"", json);
        Assert.Equal("INV-1", ScheduleFile.Parse(json, "x.schedule").Bug!.Invariant);
    }

    /// <summary>A version-1 file: no invariant field; the bug message is all it has.</summary>
    private static string Version1(ScheduleFile s) =>
        s.ToJson().Replace("avic-coyote-schedule/2", "avic-coyote-schedule/1", StringComparison.Ordinal)
                  .Replace($"    \"invariant\": \"{s.Bug!.Invariant}\",\n", "", StringComparison.Ordinal);

    [Fact]
    public void AVersion1FileIsRefusedWithAClearError()
    {
        string v1 = Version1(ToyCatalog.Run("Toys.CheckThenAct").Schedule!);
        Assert.DoesNotContain("\"invariant\"", v1);

        var e = Assert.Throws<ScheduleFormatException>(() => ScheduleFile.Parse(v1, "old.schedule"));

        // Its bug's identity could only be guessed from the message, which nothing reads.
        Assert.Equal("old.schedule: a version 1 schedule ('avic-coyote-schedule/1'), which does not record its bug's invariant; " +
                     "this engine reads version 2 only: record the bug again with `coyote test`", e.Message);
    }

    [Fact]
    public void AnInvariantThatIsNotAnIdIsAClearError()
    {
        string json = ToyCatalog.Run("Toys.CheckThenAct").Schedule!.ToJson().Replace("\"invariant\": \"INV-1\"", "\"invariant\": \"two words\"", StringComparison.Ordinal);

        var e = Assert.Throws<ScheduleFormatException>(() => ScheduleFile.Parse(json, "f.schedule"));

        Assert.Equal("f.schedule: bug.invariant 'two words' is not an invariant id (a word such as \"INV-A1\")", e.Message);
    }

    [Fact]
    public void SyntaxErrorCarriesLineAndColumn()
    {
        string json = ValidJson();
        int line3 = json.IndexOf('\n', json.IndexOf('\n') + 1) + 1; // start of line 3
        string broken = json[..line3] + "  \"oops\" 1,\n" + json[line3..];

        var e = Assert.Throws<ScheduleFormatException>(() => ScheduleFile.Parse(broken, "bad.schedule"));

        Assert.StartsWith("bad.schedule:3:10:", e.Message);
    }

    [Fact]
    public void TruncatedFileCarriesLineAndColumn()
    {
        string json = ValidJson();

        var e = Assert.Throws<ScheduleFormatException>(() => ScheduleFile.Parse(json[..(json.Length / 2)], "cut.schedule"));

        Assert.Matches(@"^cut\.schedule:\d+:\d+: ", e.Message);
    }

    [Theory]
    [InlineData("\"test\"", "\"tst\"", "missing field 'test'")]
    [InlineData("\"seed\": ", "\"seed\": \"one\", \"x\": ", "field 'seed' must be a number")]
    [InlineData("\"format\": \"avic-coyote-schedule/2\"", "\"format\": \"other/2\"", "not a schedule file of this engine")]
    [InlineData("\"maxSteps\": ", "\"maxSteps\": 0, \"x\": ", "configuration.maxSteps is 0; it must be at least 1")]
    public void FieldErrorsNameTheField(string find, string replace, string expected)
    {
        string json = ValidJson();
        int at = json.IndexOf(find, StringComparison.Ordinal);
        string edited = json[..at] + replace + json[(at + find.Length)..];

        var e = Assert.Throws<ScheduleFormatException>(() => ScheduleFile.Parse(edited, "f.schedule"));

        Assert.Contains(expected, e.Message);
        Assert.StartsWith("f.schedule", e.Message);
    }

    [Fact]
    public void BadDecisionTokenIsNamed()
    {
        string json = ValidJson();
        int at = json.IndexOf("\"o", json.IndexOf("\"decisions\"", StringComparison.Ordinal), StringComparison.Ordinal);
        string edited = json[..(at + 1)] + "x7 " + json[(at + 1)..];

        var e = Assert.Throws<ScheduleFormatException>(() => ScheduleFile.Parse(edited, "d.schedule"));

        Assert.Contains("decision 0 'x7'", e.Message);
    }
}
