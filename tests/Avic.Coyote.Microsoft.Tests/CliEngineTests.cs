using Avic.Coyote.Cli;

namespace Avic.Coyote.Microsoft.Tests;

/// <summary>`./coyote test|check --engine coyote`.</summary>
public sealed class CliEngineTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "avic-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public CliEngineTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private (int Exit, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int exit = Program.Run(args, new CliContext(o, e, dir));
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public void CheckOnMicrosoftCoyoteHoldsTheSamplesToTheirVerdicts()
    {
        var r = Run("check", "-m", "Samples", "--engine", "coyote", "-i", "100");
        Assert.Equal(0, r.Exit);
        Assert.Contains("4 of 4 runs as expected on Microsoft.Coyote", r.Out);
        Assert.True(File.Exists(Path.Combine(dir, "coyote-out", "check-coyote.md")));
    }

    [Fact]
    public void TestOnMicrosoftCoyoteWritesCoyotesTraceAndTheReplayCommand()
    {
        var r = Run("test", "-m", "Samples.LostUpdate", "-e", "coyote", "-i", "100", "-o", "out");
        Assert.Equal(1, r.Exit);
        Assert.Contains("bug:            AssertionFailure", r.Out);
        Assert.Contains("dotnet coyote replay", r.Out);
        Assert.Contains("-m Samples.LostUpdate", r.Out);
        Assert.True(File.Exists(Path.Combine(dir, "out", "Samples.LostUpdate.trace")));
    }

    [Fact]
    public void TheEngineComesFromCoyoteJsonToo()
    {
        File.WriteAllText(Path.Combine(dir, "coyote.json"), """{ "engine": "coyote", "iterations": 50 }""");
        var r = Run("test", "-m", "Samples.LostUpdateFixed");
        Assert.Equal(0, r.Exit);
        Assert.Contains("on Microsoft.Coyote", r.Out);
    }

    [Fact]
    public void ListShowsTheCoyoteMethodOfEachTest()
    {
        var r = Run("list", "--engine", "coyote");
        Assert.Equal(0, r.Exit);
        Assert.Contains("Memslot.Merged_2vcpu", r.Out);
        Assert.Contains("Doorbell.B_7", r.Out);
        Assert.Contains("x86-TSO", r.Out);
    }

    [Theory]
    [InlineData(new[] { "test", "--engine", "coyote", "-s", "dfs" }, "strategy 'dfs' is not available with --engine coyote")]
    [InlineData(new[] { "test", "--engine", "coyote", "-s", "portfolio" }, "strategy 'portfolio' is not available with --engine coyote")]
    [InlineData(new[] { "check", "--engine", "coyote", "-s", "dfs-bounded" }, "strategy 'dfs-bounded' is not available with --engine coyote")]
    [InlineData(new[] { "test", "--engine", "coyote", "--minimize" }, "--minimize is not available with --engine coyote")]
    [InlineData(new[] { "test", "--engine", "coyote", "-p", "2" }, "--parallel is not available with --engine coyote")]
    [InlineData(new[] { "test", "--engine", "nope" }, "unknown engine 'nope' (expected ours or coyote)")]
    [InlineData(new[] { "test", "--engine", "coyote", "--seed", "5000000000" }, "32-bit seeds")]
    public void WhatMicrosoftCoyoteCannotDoIsRefusedInOneLine(string[] args, string expected)
    {
        var r = Run(args);
        Assert.Equal(2, r.Exit);
        string first = r.Err.Split('\n')[0];
        Assert.StartsWith("coyote: error: ", first);
        Assert.Contains(expected, first);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
