using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Consensus;

namespace CoConstruisons.Domain.UnitTests.Assignment;

public sealed class AnswerReplayTests
{
    private static readonly string[] Choices = ["1", "2", "3", "4"];

    private static ReplayOptions Options(string method, int min, int max, double target = 0.95) => new()
    {
        Choices = Choices,
        Retirement = new RetirementPolicy(min, max, target),
        Method = method,
        Prior = new SkillPrior(0.8, 5),
        CurveEvery = 1,
    };

    private static ReplayAnswer A(string item, string worker, string choice) => new(item, worker, choice);

    [Fact]
    public void Answers_after_retirement_are_saved_and_answers_before_are_spent()
    {
        ReplayAnswer[] stream =
        [
            A("a", "w1", "1"), A("a", "w2", "1"), // two agreeing answers: 0.98 ≥ 0.95, retired
            A("a", "w3", "2"), A("a", "w4", "1"), // saved
            A("b", "w1", "1"), A("b", "w2", "2"), A("b", "w3", "1"), // 2 against 1 = 0.91: kept, then the cap of 3
            A("b", "w4", "1"), // saved
        ];

        var result = AnswerReplay.Run(stream, Options(ReplayMethods.EqualSkill, min: 2, max: 3));

        Assert.Equal(5, result.Spent);
        Assert.Equal(3, result.Saved);
        Assert.Equal(new RetiredItem("a", "1", result.Retired["a"].Confidence, 2, Confident: true), result.Retired["a"]);
        Assert.True(result.Retired["a"].Confidence > 0.97);
        Assert.False(result.Retired["b"].Confident);
        Assert.Equal(3, result.Retired["b"].Evidence);
        Assert.Equal(1, result.Confident);
        Assert.Equal(["2", "1"], result.LeftOver["a"]);
        Assert.Equal(new CurvePoint(5, 1), result.Curve[^1]);
    }

    [Fact]
    public void A_second_answer_by_the_same_person_and_an_unknown_choice_are_neither_spent_nor_saved()
    {
        ReplayAnswer[] stream = [A("a", "w1", "1"), A("a", "w1", "1"), A("a", "w2", "dont_know"), A("a", "w3", "1")];

        var result = AnswerReplay.Run(stream, Options(ReplayMethods.EqualSkill, min: 2, max: 5));

        Assert.Equal(1, result.Repeats);
        Assert.Equal(1, result.Refused);
        Assert.Equal(2, result.Spent);
        Assert.Equal(0, result.Saved);
        Assert.True(result.Retired.ContainsKey("a"));
    }

    [Fact]
    public void With_equal_skills_one_answer_never_retires_an_item_even_when_one_is_allowed()
    {
        var result = AnswerReplay.Run([A("a", "w1", "3")], Options(ReplayMethods.EqualSkill, min: 1, max: 5));

        Assert.Empty(result.Retired);
        Assert.Equal(1, result.Spent);
    }

    [Fact]
    public void A_contributor_proven_right_by_others_comes_to_retire_items_alone_and_an_unknown_one_does_not()
    {
        var stream = new List<ReplayAnswer>();
        for (var i = 0; i < 40; i++)
        {
            // "pro" agrees with two independent contributors on 40 items: their skill grows.
            stream.Add(A($"x{i}", "pro", "2"));
            stream.Add(A($"x{i}", $"p{i}", "2"));
            stream.Add(A($"x{i}", $"q{i}", "2"));
        }

        stream.Add(A("solo-pro", "pro", "3"));
        stream.Add(A("solo-new", "newcomer", "3"));

        var result = AnswerReplay.Run(stream, Options(ReplayMethods.OnlineOneCoin, min: 1, max: 10));

        Assert.True(result.Retired.TryGetValue("solo-pro", out var pro) && pro.Confident && pro.Evidence == 1);
        Assert.False(result.Retired.ContainsKey("solo-new"));
    }

    [Theory]
    [InlineData(ConsensusMethods.OneCoin)]
    [InlineData(ConsensusMethods.DawidSkene)]
    [InlineData(ConsensusMethods.ShrunkDawidSkene)]
    public void Answers_nobody_else_checked_do_not_prove_their_author(string method)
    {
        // "solo" answers 300 items nobody else sees. Fitted on every spent answer, each of those
        // items can only agree with its one answer, and "solo" may look reliable (self-confirmation);
        // with the default (skills only from items with ≥ 2 answers) "solo" stays an unknown contributor.
        var stream = new List<ReplayAnswer>();
        for (var i = 0; i < 300; i++)
        {
            stream.Add(A($"s{i}", "solo", Choices[i % 4]));
            if (i % 5 == 0)
            {
                // Others, checked by each other, so the fit has a crowd to anchor it.
                stream.Add(A($"x{i}", $"p{i % 7}", Choices[i % 4]));
                stream.Add(A($"x{i}", $"q{i % 11}", Choices[i % 4]));
            }
        }

        stream.Add(A("late", "solo", "3"));
        var options = Options(method, min: 1, max: 10) with { RefitEvery = 50 };

        var strict = AnswerReplay.Run(stream, options);
        var everything = AnswerReplay.Run(stream, options with { SkillMinAnswers = 1 });

        Assert.Equal(2, new ReplayOptions { Choices = Choices }.SkillMinAnswers);
        Assert.DoesNotContain(strict.Retired.Keys, k => k == "late" || k.StartsWith('s'));
        if (method == ConsensusMethods.ShrunkDawidSkene)
        {
            // Where the engine does self-confirm (shrunk rows), the old behaviour let "solo" retire items alone.
            Assert.True(everything.Retired.TryGetValue("late", out var late) && late.Confident && late.Evidence == 1);
        }
    }

    [Fact]
    public void A_contributor_caught_disagreeing_with_everyone_weighs_less_than_one_who_agrees()
    {
        var stream = new List<ReplayAnswer>();
        for (var i = 0; i < 30; i++)
        {
            stream.Add(A($"x{i}", "liar", "4"));
            stream.Add(A($"x{i}", $"p{i}", "1"));
            stream.Add(A($"x{i}", $"q{i}", "1"));
            stream.Add(A($"x{i}", $"r{i}", "1"));
        }

        // Later, the liar against two newcomers: 2 against 1 is not enough with equal skills (0.91),
        // but the liar's answer is known to be worth little, so the skill-aware replay retires it.
        stream.Add(A("late", "liar", "4"));
        stream.Add(A("late", "n1", "1"));
        stream.Add(A("late", "n2", "1"));

        var aware = AnswerReplay.Run(stream, Options(ReplayMethods.OnlineOneCoin, min: 2, max: 10));
        var equal = AnswerReplay.Run(stream, Options(ReplayMethods.EqualSkill, min: 2, max: 10));

        Assert.Equal("1", aware.Retired["late"].Label);
        Assert.True(aware.Retired["late"].Confident);
        Assert.False(equal.Retired.ContainsKey("late"));
    }

    [Theory]
    [InlineData(ReplayMethods.EqualSkill)]
    [InlineData(ReplayMethods.OnlineOneCoin)]
    [InlineData(ConsensusMethods.ShrunkDawidSkene)]
    [InlineData(ConsensusMethods.CorroboratedDawidSkene)]
    [InlineData(ConsensusMethods.OneCoin)]
    public void Every_answer_is_counted_once_and_the_curve_ends_at_the_totals(string method)
    {
        var rng = new Random(3);
        var stream = new List<ReplayAnswer>();
        for (var i = 0; i < 600; i++)
        {
            var item = $"i{rng.Next(150)}";
            var worker = $"w{rng.Next(30)}";
            var choice = rng.NextDouble() < 0.8 ? ((item.GetHashCode(StringComparison.Ordinal) & 3) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : Choices[rng.Next(4)];
            stream.Add(A(item, worker, choice));
        }

        var result = AnswerReplay.Run(stream, Options(method, min: 1, max: 4) with { RefitEvery = 50 });

        Assert.Equal(stream.Count, result.Spent + result.Saved + result.Repeats + result.Refused);
        Assert.All(result.Retired.Values, r => Assert.InRange(r.Evidence, 1, 4));
        Assert.Equal(new CurvePoint(result.Spent, result.Confident), result.Curve[^1]);
        Assert.True(result.Saved > 0);
        if (ConsensusMethods.IsKnown(method))
        {
            Assert.True(result.Refits > 0);
        }
    }

    /// <summary>A crowd of 20 contributors right 80 % of the time on 200 items (truth = item index % 4), 5 answers each, interleaved.</summary>
    private static (List<ReplayAnswer> Stream, Dictionary<string, string> Truth) Crowd(int seed)
    {
        var rng = new Random(seed);
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        var answers = new List<(double At, ReplayAnswer Answer)>();
        for (var i = 0; i < 200; i++)
        {
            var item = $"i{i}";
            truth[item] = Choices[i % 4];
            foreach (var w in Enumerable.Range(0, 20).OrderBy(_ => rng.Next()).Take(5))
            {
                var choice = rng.NextDouble() < 0.8 ? i % 4 : (i + 1 + rng.Next(3)) % 4;
                answers.Add((i + (rng.NextDouble() * 40), A(item, $"w{w}", Choices[choice])));
            }
        }

        return ([.. answers.OrderBy(a => a.At).Select(a => a.Answer)], truth);
    }

    [Theory]
    [InlineData(ReplayMethods.EqualSkill)]
    [InlineData(ReplayMethods.OnlineOneCoin)]
    [InlineData(ConsensusMethods.ShrunkDawidSkene)]
    public void A_uniform_item_prior_changes_nothing(string method)
    {
        var (stream, truth) = Crowd(seed: 5);
        var options = Options(method, min: 1, max: 5) with { RefitEvery = 100 };
        var uniform = truth.Keys.ToDictionary(k => k, IReadOnlyList<double> (_) => [0.25, 0.25, 0.25, 0.25], StringComparer.Ordinal);

        var without = AnswerReplay.Run(stream, options);
        var with = AnswerReplay.Run(stream, options with { ItemPriors = uniform, ItemPriorExponent = 1 });

        Assert.Equal(without.Spent, with.Spent);
        Assert.Equal(without.Saved, with.Saved);
        Assert.Equal(without.Retired.OrderBy(r => r.Key, StringComparer.Ordinal), with.Retired.OrderBy(r => r.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(ReplayMethods.EqualSkill)]
    [InlineData(ReplayMethods.OnlineOneCoin)]
    [InlineData(ConsensusMethods.ShrunkDawidSkene)]
    public void A_confident_correct_item_prior_retires_items_on_fewer_answers(string method)
    {
        var (stream, truth) = Crowd(seed: 9);
        var options = Options(method, min: 1, max: 5) with { RefitEvery = 100 };

        // A classifier 90 % sure of the right class, unnormalised on purpose (only ratios count).
        var priors = truth.ToDictionary(
            t => t.Key,
            IReadOnlyList<double> (t) => [.. Choices.Select(c => c == t.Value ? 2.7 : 0.1)],
            StringComparer.Ordinal);

        var without = AnswerReplay.Run(stream, options);
        var with = AnswerReplay.Run(stream, options with { ItemPriors = priors });
        var tempered = AnswerReplay.Run(stream, options with { ItemPriors = priors, ItemPriorExponent = 0.5 });
        var ignored = AnswerReplay.Run(stream, options with { ItemPriors = priors, ItemPriorExponent = 0 });

        double Mean(ReplayResult r) => r.Retired.Values.Where(x => x.Confident).Average(x => x.Evidence);
        double Accuracy(ReplayResult r) => r.Retired.Values.Where(x => x.Confident).Average(x => x.Label == truth[x.Item] ? 1.0 : 0.0);
        Assert.True(with.Spent < without.Spent, $"{with.Spent} spent with the prior, {without.Spent} without");
        Assert.True(Mean(with) < Mean(without), $"{Mean(with)} answers per confident item with the prior, {Mean(without)} without");
        Assert.True(with.Confident >= without.Confident);
        Assert.True(Accuracy(with) >= Accuracy(without));
        Assert.InRange(tempered.Spent, with.Spent, without.Spent);
        Assert.Equal(without.Spent, ignored.Spent);
    }

    [Fact]
    public void An_item_prior_of_the_wrong_length_or_with_a_zero_is_refused_naming_the_item()
    {
        var options = Options(ReplayMethods.EqualSkill, 1, 3);
        var shortPrior = new Dictionary<string, IReadOnlyList<double>> { ["roof-7"] = [0.5, 0.5] };
        var zero = new Dictionary<string, IReadOnlyList<double>> { ["roof-8"] = [0.5, 0.5, 0, 0] };

        Assert.Contains("roof-7", Assert.Throws<ArgumentException>(() => AnswerReplay.Run([], options with { ItemPriors = shortPrior })).Message, StringComparison.Ordinal);
        Assert.Contains("roof-8", Assert.Throws<ArgumentException>(() => AnswerReplay.Run([], options with { ItemPriors = zero })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_method_is_refused_with_the_known_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => AnswerReplay.Run([], Options("guess", 1, 3)));
        Assert.Contains(ReplayMethods.OnlineOneCoin, ex.Message, StringComparison.Ordinal);
    }
}
