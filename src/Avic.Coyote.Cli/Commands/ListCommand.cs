using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Commands;

/// <summary>`coyote list [ASSEMBLY]`: every test with its expected verdict and description.</summary>
public static class ListCommand
{
    public static readonly CommandInfo Info = new("list", "[ASSEMBLY]", 1,
        "list the tests with their expected verdicts", [Engines.EngineOption.Spec], Run,
        "ASSEMBLY is a .dll with [Test] methods; default: the bundled models (Avic.Coyote.Models).");

    public static int Run(ParsedArgs args, CliContext context)
    {
        IReadOnlyList<TestCase> tests = TestSelection.Load(context, args.Positional(0));
        if (args.Has(Engines.EngineOption.Spec.Long) && Engines.EngineOption.IsMicrosoftCoyote(args, context))
            return Engines.MicrosoftCoyoteCommands.List(tests, context);
        var table = new TextTable("test", "expected", "description");
        foreach (TestCase t in tests)
            table.Add(t.Name + (t.MemoryModel == MemoryModel.X86Tso ? " [tso]" : ""), t.ExpectationText, t.Description);
        table.Write(context.Out);
        context.Out.WriteLine($"{tests.Count} test{(tests.Count == 1 ? "" : "s")} in {args.Positional(0) ?? TestSelection.BundledAssembly}");
        return ExitCode.Ok;
    }
}
