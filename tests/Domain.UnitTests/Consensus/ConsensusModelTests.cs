using System.Diagnostics;
using CoConstruisons.Domain.Consensus;
using FsCheck.Xunit;

namespace CoConstruisons.Domain.UnitTests.Consensus;

public class ConsensusModelTests
{
    private static readonly ConsensusOptions Default = new();
    private static readonly ConsensusOptions Corroborated = new() { Method = ConsensusMethods.CorroboratedDawidSkene };

    [Property(MaxTest = 15)]
    public bool Renaming_the_choices_changes_nothing(int seed)
    {
        var crowd = Crowds.Generate(seed);
        // Reverses the ordinal order of the labels, so every class index changes.
        static string Rename(string label) => "z" + (char)('z' - label[1]) + "-renamed";
        var renamed = crowd.Answers.Select(a => a with { Label = Rename(a.Label) }).ToList();

        var before = ConsensusModel.Fit(crowd.Answers, Default);
        var after = ConsensusModel.Fit(renamed, Default);

        return before.Items.Values.All(p =>
        {
            var q = after.Items[p.Item];
            return Rename(p.Label) == q.Label &&
                   before.Labels.Select((label, c) => Math.Abs(p.Probabilities[c] - q.Probabilities[after.IndexOf(Rename(label))])).Max() < 1e-9;
        });
    }

    [Property(MaxTest = 15)]
    public bool Shuffling_the_answers_changes_nothing(int seed)
    {
        var crowd = Crowds.Generate(seed);
        var shuffled = crowd.Answers.OrderBy(_ => Random.Shared.Next()).ToList();

        var before = ConsensusModel.Fit(crowd.Answers, Default);
        var after = ConsensusModel.Fit(shuffled, Default);

        return before.Items.Values.All(p => p.Probabilities.SequenceEqual(after.Items[p.Item].Probabilities)) &&
               before.Workers.Values.All(w => w.Confusion.SequenceEqual(after.Workers[w.Worker].Confusion));
    }

    [Property(MaxTest = 15)]
    public bool A_perfect_contributor_never_lowers_accuracy(int seed)
    {
        var crowd = Crowds.Generate(seed, items: 400);
        var random = new Random(seed);
        var withPerfect = crowd.Answers
            .Concat(crowd.Truth.Where(_ => random.NextDouble() < 0.3).Select(t => new CrowdAnswer(t.Key, "perfect", t.Value)))
            .ToList();

        var without = Crowds.Accuracy(ConsensusModel.Fit(crowd.Answers, Default), crowd.Truth);
        var with = Crowds.Accuracy(ConsensusModel.Fit(withPerfect, Default), crowd.Truth);

        return with >= without;
    }

    [Property(MaxTest = 10)]
    public bool A_random_spammer_is_detected_and_down_weighted(int seed)
    {
        var crowd = Crowds.Generate(seed, items: 400, spammerEvery: 0);
        var random = new Random(seed);
        var answers = crowd.Answers
            .Concat(crowd.Truth.Keys.Select(item => new CrowdAnswer(item, "spammer", $"c{random.Next(3)}")))
            .ToList();

        var fit = ConsensusModel.Fit(answers, Default);
        var spammer = fit.Workers["spammer"];
        var honest = fit.Workers.Values.Where(w => w.Worker != "spammer").ToList();

        // Its answers move a belief far less than a typical honest contributor's: the largest
        // log-likelihood ratio any of its answers carries is under half the honest median's.
        static double MaxLogRatio(WorkerSkill w) => Enumerable.Range(0, 3).SelectMany(l => Enumerable.Range(0, 3).Select(c =>
            Math.Abs(Math.Log(w.Probability(c, l) / w.Probability((c + 1) % 3, l))))).Max();
        var honestRatios = honest.Select(MaxLogRatio).Order().ToList();
        var medianHonest = honestRatios[honestRatios.Count / 2];
        return spammer.Accuracy < 1.0 / 3 + 0.1 && honest.All(w => w.Accuracy > spammer.Accuracy) && MaxLogRatio(spammer) < 0.5 * medianHonest;
    }

    [Fact]
    public void The_properties_above_cover_the_default_method_shrunk_dawid_skene()
    {
        // The renaming, shuffling, perfect-contributor and spammer properties run on ConsensusOptions'
        // default; this pins which method that is.
        Assert.Equal(ConsensusMethods.ShrunkDawidSkene, Default.Method);
        Assert.Equal(ConsensusMethods.ShrunkDawidSkene, ConsensusModel.Fit(Crowds.Generate(1).Answers, Default).Method);
    }

    [Property(MaxTest = 15)]
    public bool A_contributor_seen_only_on_items_nobody_else_answered_keeps_the_prior_skill(int seed)
    {
        // Their own answer is the only evidence of those items' labels, so it says nothing about their
        // skill: the corroborated methods leave them at the prior (what a new contributor gets; for
        // corroborated-hierarchical-dawid-skene, the learned prior), where shrunk-dawid-skene would let
        // EM confirm whatever their matrix drifts to.
        var crowd = Crowds.Generate(seed);
        var random = new Random(seed);
        var answers = crowd.Answers
            .Concat(Enumerable.Range(0, 1 + random.Next(40)).Select(i => new CrowdAnswer($"solo-item-{i}", "solo", $"c{random.Next(3)}")))
            .ToList();

        return new[] { Corroborated, Corroborated with { Method = ConsensusMethods.CorroboratedHierarchicalDawidSkene } }.All(options =>
        {
            var fit = ConsensusModel.Fit(answers, options);
            var solo = fit.Workers["solo"].Confusion;
            var prior = fit.SkillOf("never-seen").Confusion;
            return solo.Zip(prior).All(p => Math.Abs(p.First - p.Second) < 1e-9);
        });
    }

    [Property(MaxTest = 15)]
    public bool A_lone_answer_of_a_contributor_without_corroborated_history_is_followed_when_classes_are_balanced(int seed)
    {
        var crowd = Crowds.Generate(seed);
        var random = new Random(seed);
        var lone = Enumerable.Range(0, 1 + random.Next(40)).Select(i => new CrowdAnswer($"solo-item-{i}", "solo", $"c{random.Next(3)}")).ToList();

        var fit = ConsensusModel.Fit([.. crowd.Answers, .. lone], Corroborated);
        return lone.All(a => fit.Items[a.Item].Label == a.Label);
    }

    [Fact]
    public void A_contributor_with_three_answers_is_not_trusted_blindly()
    {
        var crowd = Crowds.Generate(1, items: 400, spammerEvery: 0);
        var answers = crowd.Answers
            .Concat(crowd.Truth.Take(3).Select(t => new CrowdAnswer(t.Key, "newcomer", t.Value)))
            .Concat(crowd.Truth.Take(300).Select(t => new CrowdAnswer(t.Key, "veteran", t.Value)))
            .ToList();

        var fit = ConsensusModel.Fit(answers, Default);

        Assert.InRange(fit.Workers["newcomer"].Accuracy, 0.6, 0.9);
        Assert.True(fit.Workers["veteran"].Accuracy > 0.95, $"veteran {fit.Workers["veteran"].Accuracy}");
    }

    [Fact]
    public void Gold_items_anchor_a_crowd_whose_majority_is_systematically_wrong()
    {
        // 6 of 10 contributors answer the opposite of the truth: without gold, the crowd's labels flip.
        var random = new Random(3);
        var answers = new List<CrowdAnswer>();
        var truth = new Dictionary<string, string>();
        for (var i = 0; i < 300; i++)
        {
            var label = random.Next(2);
            truth[$"i{i}"] = $"c{label}";
            for (var w = 0; w < 10; w++)
            {
                var right = random.NextDouble() < (w < 6 ? 0.1 : 0.9);
                answers.Add(new CrowdAnswer($"i{i}", $"w{w}", $"c{(right ? label : 1 - label)}"));
            }
        }

        var gold = truth.Take(30).ToDictionary(t => t.Key, t => t.Value);
        var unanchored = ConsensusModel.Fit(answers, Default);
        var anchored = ConsensusModel.Fit(answers, Default, gold);

        Assert.True(Crowds.Accuracy(unanchored, truth) < 0.2);
        Assert.True(Crowds.Accuracy(anchored, truth) > 0.95);
        Assert.All(gold, g => Assert.Equal((g.Value, 1.0, true), (anchored.Items[g.Key].Label, anchored.Items[g.Key].Confidence, anchored.Items[g.Key].IsGold)));
        Assert.True(anchored.Workers["w0"].Accuracy < 0.3);
    }

    [Property(MaxTest = 15)]
    public bool Incremental_updates_agree_with_the_refit_posterior_given_its_skills(int seed)
    {
        var crowd = Crowds.Generate(seed);
        var fit = ConsensusModel.Fit(crowd.Answers, Default);

        return crowd.Answers.GroupBy(a => a.Item).All(item =>
        {
            var belief = fit.NewBelief();
            foreach (var a in item.OrderBy(_ => Random.Shared.Next()))
            {
                fit.Update(belief, a.Worker, a.Label);
            }

            var posterior = belief.Posterior();
            var refit = fit.Items[item.Key].Probabilities;
            return posterior.Select((p, c) => Math.Abs(p - refit[c])).Max() < 1e-9 && belief.Evidence == fit.Items[item.Key].Evidence;
        });
    }

    [Fact]
    public void An_incremental_update_takes_well_under_a_millisecond()
    {
        var crowd = Crowds.Generate(5, items: 2000);
        var fit = ConsensusModel.Fit(crowd.Answers, Default);
        var belief = fit.NewBelief();
        fit.Update(belief, "w1", "c0");

        var watch = Stopwatch.StartNew();
        for (var n = 0; n < 10_000; n++)
        {
            fit.Update(belief, crowd.Answers[n].Worker, crowd.Answers[n].Label);
        }

        // 10 µs each at most (measured well below 1 µs); generous so a loaded CI machine does not fail it.
        Assert.True(watch.Elapsed.TotalMilliseconds < 100, $"{watch.Elapsed.TotalMilliseconds} ms for 10,000 updates");
    }

    [Fact]
    public void Dont_know_answers_are_not_evidence()
    {
        var crowd = Crowds.Generate(2);
        var withDontKnow = crowd.Answers
            .Concat(crowd.Truth.Keys.Take(100).Select(item => new CrowdAnswer(item, "w1", "dont_know")))
            .Concat([new CrowdAnswer("only-dont-know", "w2", "dont_know")])
            .ToList();

        var before = ConsensusModel.Fit(crowd.Answers, Default);
        var after = ConsensusModel.Fit(withDontKnow, Default);

        Assert.All(before.Items.Values, p => Assert.Equal(p.Probabilities, after.Items[p.Item].Probabilities));
        Assert.Equal(0, after.Items["only-dont-know"].Evidence);
        var belief = after.NewBelief();
        Assert.False(after.Update(belief, "w1", "dont_know"));
        Assert.Equal(0, belief.Evidence);
    }

    [Fact]
    public void A_repeated_answer_keeps_only_the_contributors_latest_answer_by_default()
    {
        var answers = new List<CrowdAnswer>
        {
            new("x", "a", "yes"), new("x", "b", "no"), new("x", "a", "no"), new("y", "a", "yes"), new("y", "b", "yes"),
        };

        var last = ConsensusModel.Fit(answers, Default);
        var all = ConsensusModel.Fit(answers, Default with { Repeats = RepeatPolicy.KeepAll });

        Assert.Equal(("no", 2), (last.Items["x"].Label, last.Items["x"].Evidence));
        Assert.Equal(3, all.Items["x"].Evidence);
        Assert.Equal(2, last.Workers["a"].Answers);
    }

    [Fact]
    public void A_channel_prior_sets_how_much_an_unknown_contributor_counts()
    {
        var crowd = Crowds.Generate(4);
        var options = Default with
        {
            ChannelPriors = new Dictionary<string, SkillPrior> { ["captcha"] = new(0.4, 10), ["slack"] = new(0.9, 10) },
        };
        var fit = ConsensusModel.Fit(crowd.Answers, options);
        var captcha = fit.NewBelief();
        var volunteer = fit.NewBelief();

        fit.Update(captcha, "stranger-1", "c2", "captcha");
        fit.Update(volunteer, "stranger-2", "c2", "slack");

        Assert.True(volunteer.Posterior()[2] > captcha.Posterior()[2] + 0.2);
        Assert.Equal(0, fit.SkillOf("stranger-1", "captcha").Answers);
    }

    [Fact]
    public void A_contributor_aware_method_beats_majority_vote_on_a_crowd_with_spammers()
    {
        var crowd = Crowds.Generate(9, items: 1000, workers: 40, spammerEvery: 3);

        var majority = Crowds.Accuracy(ConsensusModel.Fit(crowd.Answers, Default with { Method = ConsensusMethods.MajorityVote }), crowd.Truth);

        Assert.All(ConsensusMethods.All.Where(m => m != ConsensusMethods.MajorityVote), method =>
            Assert.True(Crowds.Accuracy(ConsensusModel.Fit(crowd.Answers, Default with { Method = method }), crowd.Truth) > majority + 0.02, method));
    }

    [Fact]
    public void Labels_outside_the_declared_choices_are_refused_with_the_culprit_named()
    {
        var answers = new List<CrowdAnswer> { new("x", "a", "yes"), new("x", "b", "perhaps") };

        var error = Assert.Throws<ArgumentException>(() => ConsensusModel.Fit(answers, Default with { Labels = ["yes", "no"] }));

        Assert.Contains("'perhaps'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_method_is_refused_with_the_known_ones_listed()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ConsensusModel.Fit([new("x", "a", "yes"), new("x", "b", "no")], Default with { Method = "magic" }));

        Assert.Contains(ConsensusMethods.DawidSkene, error.Message, StringComparison.Ordinal);
    }
}
