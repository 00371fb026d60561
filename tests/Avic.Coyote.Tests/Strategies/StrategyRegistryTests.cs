using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Strategies;

public class StrategyRegistryTests
{
    public static TheoryData<string> Names() => [.. StrategyRegistry.All.Select(s => s.Name)];

    [Fact]
    public void Names_and_aliases_are_unique_and_find_their_entry()
    {
        var all = StrategyRegistry.All.SelectMany(s => s.Aliases.Append(s.Name)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        foreach (StrategySpec spec in StrategyRegistry.All)
            Assert.All(spec.Aliases.Append(spec.Name), name => Assert.Same(spec, StrategyRegistry.Find(name)));
        Assert.Same(StrategyRegistry.DfsProof, StrategyRegistry.Find("dfs-optimal"));
        Assert.Same(StrategyRegistry.Prioritization, StrategyRegistry.Find("pct"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void An_entry_builds_a_strategy_of_its_name_with_its_traits(string name)
    {
        StrategySpec spec = StrategyRegistry.Get(name);
        ISchedulingStrategy s = spec.Create(new StrategyArguments(Seed: 3, Value: 2, MaxSteps: 100));
        Assert.Equal(name, s.Name); // the name a schedule file records
        Assert.Equal(spec.IsExhaustive, s is IExhaustiveStrategy);
        Assert.False(spec.IsExhaustive && spec.IsSeeded, "an exhaustive search ignores the seed");
    }

    [Fact]
    public void Fair_prioritization_is_pct_then_a_fair_random_suffix()
    {
        ISchedulingStrategy fair = StrategyRegistry.FairPrioritization.Create(new StrategyArguments(1, 3, 100));
        var combo = Assert.IsType<PrefixThenSuffix>(fair);
        Assert.IsType<StepBoundedPrefix>(combo.Prefix);
        Assert.True(fair.IsFair);
        Assert.False(StrategyRegistry.Prioritization.Create(new StrategyArguments(1, 3, 100)).IsFair);
    }

    [Fact]
    public void Reports_show_a_strategy_with_what_its_value_means()
    {
        Assert.Equal("prioritization (value 6)", StrategyRegistry.Describe("prioritization", 6));
        Assert.Equal("dfs-bounded (at most 2 preemptions)", StrategyRegistry.Describe("dfs-bounded", 2));
        Assert.Equal("random", StrategyRegistry.Describe("random", 6));
        Assert.Equal("fair-prioritization(3)", StrategyRegistry.Label("fairpct", 3));
        Assert.Equal("dfs", StrategyRegistry.Label("dfs", 3));
        Assert.Equal("replay", StrategyRegistry.Describe("replay", 0)); // not an exploring strategy: shown as recorded
    }

    [Fact]
    public void An_unknown_name_is_an_error_listing_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => new Configuration { Strategy = "dfz" }.CreateStrategy());
        Assert.Equal("unknown strategy 'dfz'; known: random, prioritization, fair-prioritization, dfs, dfs-proof, dfs-sleepsets, dfs-full, dfs-bounded, dfs-bounded-full, dfs-stateful", e.Message);
    }

    [Fact]
    public void A_parameter_checks_its_range()
    {
        StrategyParameter p = StrategyRegistry.DfsBounded.Parameter!;
        Assert.Null(p.Check(0));
        Assert.Equal("the preemption bound must be from 0 to 10,000, got -1", p.Check(-1));
        Assert.Null(StrategyRegistry.Random.Parameter);
    }

    [Fact]
    public void The_portfolio_takes_its_strategies_from_the_registry()
    {
        var config = new Configuration { Seed = 10, StrategyValue = 3 };
        var workers = Enumerable.Range(0, 10).Select(i => Portfolio.Worker(i, config)).ToList();
        Assert.All(workers, w => Assert.NotNull(StrategyRegistry.Find(w.Strategy)));
        Assert.Equal("#0 prioritization(3) seed 10", workers[0].ToString());
        Assert.Equal("#1 random seed 11", workers[1].ToString());
        Assert.Equal("#9 prioritization(10) seed 19", workers[9].ToString());
        Assert.All(workers.Where(w => w.Spec.Parameter is null), w => Assert.Equal(0, w.StrategyValue));
    }

    [Fact]
    public void The_lenient_prefix_hands_each_choice_it_cannot_make_to_the_suffix()
    {
        TestCase test = ToyCatalog.Get("Toys.RandomChoice");
        var runner = new ExecutionRunner(test, 100, test.MemoryModel, 0);
        // One scheduling decision for an operation that does not exist, then nothing: the suffix (no
        // preemptions, values 0) decides everything, as the non-preemptive run does on its own.
        Assert.True(runner.TryRun(PrefixThenSuffix.NonPreemptiveAfter([new(DecisionKind.Operation, 42)]), 0, out ExecutionOutcome a));
        Decision[] withPrefix = runner.Runtime.RecordedDecisions();
        Assert.True(runner.TryRun(new NonPreemptiveStrategy(), 0, out ExecutionOutcome b));
        Assert.Equal(b, a);
        Assert.Equal(runner.Runtime.RecordedDecisions(), withPrefix);
    }
}
