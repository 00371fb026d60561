using Avic.Coyote.Cli.Hunt;

namespace Avic.Coyote.Tests.Hunt;

public class HuntBudgetTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2m30s", 150)]
    [InlineData("1.5m", 90)]
    public void DurationsParse(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), HuntBudget.TryParse(text, out _));

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("m")]
    [InlineData("30x")]
    [InlineData("-5m")]
    [InlineData("5m1h")]
    [InlineData("5m5m")]
    [InlineData("1 h")]
    public void MalformedDurationsAreRejected(string text)
    {
        Assert.Null(HuntBudget.TryParse(text, out string? error));
        Assert.Contains("--budget needs a duration such as 90s, 30m, 1h", error);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("0m")]
    [InlineData("200h")]
    public void ZeroAndAbsurdBudgetsAreRejected(string text)
    {
        Assert.Null(HuntBudget.TryParse(text, out string? error));
        Assert.Contains("--budget must be more than 0", error);
    }
}
