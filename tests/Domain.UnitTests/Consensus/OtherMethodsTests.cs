using CoConstruisons.Domain.Consensus;
using FsCheck.Xunit;

namespace CoConstruisons.Domain.UnitTests.Consensus;

/// <summary>The hierarchical prior's learned borrowing, and EBCC / BWA (docs/consensus.md).</summary>
public class OtherMethodsTests
{
    private static readonly ConsensusOptions Hierarchical = new() { Method = ConsensusMethods.HierarchicalDawidSkene };

    /// <summary>Every method but majority vote, whose ties go to the first choice in ordinal order by design.</summary>
    public static TheoryData<string> Methods => new(ConsensusMethods.All.Where(m => m != ConsensusMethods.MajorityVote));

    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_contributor_aware_method_is_unchanged_by_shuffling_the_answers_and_renaming_the_choices(string method)
    {
        var options = new ConsensusOptions { Method = method };
        var crowd = Crowds.Generate(11);
        static string Rename(string label) => "z" + (char)('z' - label[1]) + "-renamed";
        var shuffled = crowd.Answers.OrderBy(_ => Random.Shared.Next()).Select(a => a with { Label = Rename(a.Label) }).ToList();

        var before = ConsensusModel.Fit(crowd.Answers, options);
        var after = ConsensusModel.Fit(shuffled, options);

        Assert.All(before.Items.Values, p =>
        {
            var q = after.Items[p.Item];
            Assert.Equal(Rename(p.Label), q.Label);
            for (var c = 0; c < before.Labels.Count; c++)
            {
                Assert.Equal(p.Probabilities[c], q.Probabilities[after.IndexOf(Rename(before.Labels[c]))], 9);
            }
        });
    }

    [Fact]
    public void How_much_a_contributor_borrows_from_the_crowd_is_learned_from_how_alike_the_crowd_is()
    {
        // The same newcomer (12 answers, all right) in a crowd of alike contributors (all 0.7) and in a
        // crowd of very different ones (0.45 or 0.98): the learned prior is tighter in the first, so the
        // newcomer stays closer to the crowd there.
        var alike = Newcomer(Crowd(w => 0.7));
        var unalike = Newcomer(Crowd(w => w % 2 == 0 ? 0.45 : 0.98));

        Assert.True(alike < unalike - 0.05, $"alike crowd {alike:F3}, unalike crowd {unalike:F3}");
        Assert.InRange(alike, 0.6, 0.9);

        static double Newcomer((List<CrowdAnswer> Answers, Dictionary<string, string> Truth) crowd)
        {
            var answers = crowd.Answers.Concat(crowd.Truth.Take(12).Select(t => new CrowdAnswer(t.Key, "newcomer", t.Value))).ToList();
            return ConsensusModel.Fit(answers, Hierarchical).Workers["newcomer"].Accuracy;
        }
    }

    [Fact]
    public void A_channel_with_its_own_prior_learns_its_own_typical_contributor()
    {
        // Volunteers are good (0.85); CAPTCHA solvers are poor (0.4 on three choices). A new solver is
        // expected to behave like the solvers seen so far, a new volunteer like the volunteers.
        var random = new Random(5);
        var answers = new List<CrowdAnswer>();
        for (var i = 0; i < 600; i++)
        {
            var label = random.Next(3);
            foreach (var w in Enumerable.Range(0, 40).OrderBy(_ => random.Next()).Take(6))
            {
                var captcha = w % 4 == 0;
                answers.Add(new CrowdAnswer($"i{i}", $"w{w}", $"c{Crowds.Answer(random, captcha ? 0.4 : 0.85, label, 3)}", captcha ? "captcha" : "web"));
            }
        }

        var options = Hierarchical with { ChannelPriors = new Dictionary<string, SkillPrior> { ["captcha"] = new(0.6, 5) } };
        var fit = ConsensusModel.Fit(answers, options);

        var solver = fit.SkillOf("new-solver", "captcha").Accuracy;
        var volunteer = fit.SkillOf("new-volunteer", "web").Accuracy;
        Assert.InRange(solver, 0.3, 0.5);
        Assert.InRange(volunteer, 0.75, 0.95);
    }

    [Fact]
    public void Before_any_answer_a_new_contributor_gets_their_channels_prior()
    {
        var options = Hierarchical with
        {
            Labels = ["a", "b"],
            ChannelPriors = new Dictionary<string, SkillPrior> { ["captcha"] = new(0.6, 5) },
        };

        var fit = ConsensusModel.Fit([], options);

        Assert.Equal(0.6, fit.SkillOf("someone", "captcha").Probability(0, 0), 9);
        Assert.Equal(0.75, fit.SkillOf("someone else").Probability(1, 1), 9);
    }

    [Property(MaxTest = 10)]
    public bool The_hierarchical_prior_recognises_a_random_spammer_as_one(int seed)
    {
        // The same check as the default's spammer property: a contributor answering at random is not
        // pulled towards the typical contributor by the learned prior (the spammer component catches them).
        var crowd = Crowds.Generate(seed, items: 400, spammerEvery: 0);
        var random = new Random(seed);
        var answers = crowd.Answers
            .Concat(crowd.Truth.Keys.Select(item => new CrowdAnswer(item, "spammer", $"c{random.Next(3)}")))
            .ToList();

        return new[] { ConsensusMethods.HierarchicalDawidSkene, ConsensusMethods.CorroboratedHierarchicalDawidSkene }.All(method =>
        {
            var fit = ConsensusModel.Fit(answers, new ConsensusOptions { Method = method });
            var spammer = fit.Workers["spammer"];
            var honest = fit.Workers.Values.Where(w => w.Worker != "spammer").ToList();
            static double MaxLogRatio(WorkerSkill w) => Enumerable.Range(0, 3).SelectMany(l => Enumerable.Range(0, 3).Select(c =>
                Math.Abs(Math.Log(w.Probability(c, l) / w.Probability((c + 1) % 3, l))))).Max();
            var honestRatios = honest.Select(MaxLogRatio).Order().ToList();
            return spammer.Accuracy < 1.0 / 3 + 0.1 && honest.All(w => w.Accuracy > spammer.Accuracy) &&
                   MaxLogRatio(spammer) < 0.5 * honestRatios[honestRatios.Count / 2];
        });
    }

    [Fact]
    public void Ebcc_and_bwa_keep_gold_items_at_their_known_label()
    {
        var crowd = Crowds.Generate(3);
        var gold = crowd.Truth.Take(20).ToDictionary(t => t.Key, t => t.Value == "c0" ? "c1" : "c0");
        foreach (var method in new[] { ConsensusMethods.Ebcc, ConsensusMethods.Bwa })
        {
            var fit = ConsensusModel.Fit(crowd.Answers, new ConsensusOptions { Method = method }, gold);
            Assert.All(gold, g => Assert.Equal((g.Value, true), (fit.Items[g.Key].Label, fit.Items[g.Key].IsGold)));
        }
    }

    [Property(MaxTest = 8)]
    public bool Ebcc_and_bwa_beat_majority_vote_on_crowds_with_spammers(int seed)
    {
        var crowd = Crowds.Generate(seed, items: 600, spammerEvery: 3);
        var majority = Crowds.Accuracy(ConsensusModel.Fit(crowd.Answers, new ConsensusOptions { Method = ConsensusMethods.MajorityVote }), crowd.Truth);
        return new[] { ConsensusMethods.Ebcc, ConsensusMethods.Bwa }.All(method =>
            Crowds.Accuracy(ConsensusModel.Fit(crowd.Answers, new ConsensusOptions { Method = method }), crowd.Truth) >= majority);
    }

    private static (List<CrowdAnswer> Answers, Dictionary<string, string> Truth) Crowd(Func<int, double> accuracy)
    {
        var random = new Random(8);
        var answers = new List<CrowdAnswer>();
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 600; i++)
        {
            var label = random.Next(3);
            truth[$"i{i}"] = $"c{label}";
            foreach (var w in Enumerable.Range(0, 30).OrderBy(_ => random.Next()).Take(5))
            {
                answers.Add(new CrowdAnswer($"i{i}", $"w{w}", $"c{Crowds.Answer(random, accuracy(w), label, 3)}"));
            }
        }

        return (answers, truth);
    }
}
