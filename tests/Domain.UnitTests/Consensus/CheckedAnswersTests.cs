using CoConstruisons.Domain.Consensus;

namespace CoConstruisons.Domain.UnitTests.Consensus;

public sealed class CheckedAnswersTests
{
    [Fact]
    public void Only_answers_that_another_answer_or_gold_can_check_teach_skills()
    {
        CrowdAnswer[] answers =
        [
            new("alone", "w1", "a"),
            new("pair", "w1", "a"), new("pair", "w2", "b"),
            new("dk", "w1", "a"), new("dk", "w2", "dont_know"),
            new("gold", "w3", "b"),
        ];
        var gold = new Dictionary<string, string> { ["gold"] = "b" };

        var selected = CheckedAnswers.Select(answers, 2, gold);

        Assert.Equal(["pair", "pair", "gold"], selected.Select(a => a.Item));
        Assert.Same(answers, CheckedAnswers.Select(answers, 1));
    }
}
