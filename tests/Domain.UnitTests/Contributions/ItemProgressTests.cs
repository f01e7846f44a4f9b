using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using Xunit;

namespace CoConstruisons.Domain.UnitTests.Contributions;

public sealed class ItemProgressTests
{
    private static readonly Guid Project = Guid.NewGuid();
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static AnswerSubmitted Answer(Guid item, string contributor, string choice, AnswerBelief? belief = null) =>
        new(Guid.NewGuid(), item, Project, contributor, choice, "portal", 1200, contributor + "-key", Now, belief);

    [Fact]
    public void An_answer_carrying_its_consensus_gives_the_item_that_label_and_retires_it_when_it_says_so()
    {
        var item = new ItemProgress { Id = Guid.NewGuid() };
        var fit = Guid.NewGuid();
        item.Apply(Answer(item.Id, "a", "south", new AnswerBelief("south", 0.80, [-0.2, -1.6], 1, fit)));
        Assert.Equal(("south", 0.80, false), (item.Label, item.Confidence, item.Retired));

        // The second answer disagrees, but the contributor-aware consensus still says south, and confidently.
        item.Apply(Answer(item.Id, "b", "east", new AnswerBelief("south", 0.96, [-0.04, -3.2], 2, fit, RetiresItem: true)));
        Assert.Equal(("south", 0.96, true), (item.Label, item.Confidence, item.Retired));
        Assert.Equal([-0.04, -3.2], item.LogScores!);
        Assert.Equal(fit, item.FitId);
        Assert.Equal(2, item.EvidenceCount);
        Assert.Equal(1, item.Votes["east"]);
    }

    [Fact]
    public void An_item_built_from_the_older_three_events_per_answer_reads_the_same_as_from_one()
    {
        var fit = Guid.NewGuid();
        double[] prior = [0.3, -0.3];
        var belief = new AnswerBelief("east", 0.97, [-0.03, -3.5], 2, fit, prior, "v2", 0.5, RetiresItem: true);

        var folded = new ItemProgress { Id = Guid.NewGuid() };
        folded.Apply(Answer(folded.Id, "a", "east"));
        folded.Apply(Answer(folded.Id, "b", "east", belief));

        var older = new ItemProgress { Id = folded.Id };
        older.Apply(Answer(older.Id, "a", "east"));
        older.Apply(Answer(older.Id, "b", "east"));
        older.Apply(new ItemBeliefUpdated(older.Id, Project, "east", 0.97, [-0.03, -3.5], 2, fit, Now, prior, "v2", 0.5));
        older.Apply(new ItemRetired(older.Id, Project, "east", 0.97, 2, Now));

        Assert.Equal(
            (older.Label, older.Confidence, older.Retired, older.FitId, older.PriorModelVersion, older.EvidenceCount, older.AnswerCount),
            (folded.Label, folded.Confidence, folded.Retired, folded.FitId, folded.PriorModelVersion, folded.EvidenceCount, folded.AnswerCount));
        Assert.Equal(older.LogScores!, folded.LogScores!);
        Assert.Equal(older.PriorLogScores!, folded.PriorLogScores!);
    }

    [Fact]
    public void Imported_answers_without_their_consensus_are_counted_as_a_vote_and_dont_know_is_not_evidence()
    {
        var item = new ItemProgress { Id = Guid.NewGuid() };
        item.Apply(Answer(item.Id, "a", "flat"));
        item.Apply(Answer(item.Id, "b", "flat"));
        item.Apply(Answer(item.Id, "c", "east"));
        item.Apply(Answer(item.Id, "d", Domain.Projects.Choice.DontKnowKey));

        Assert.Equal("flat", item.Label);
        Assert.Equal(2.0 / 3, item.Confidence, 9);
        Assert.Equal((3, 4, false), (item.EvidenceCount, item.AnswerCount, item.Retired));
        Assert.Equal(["d"], item.Abstained);
        Assert.Null(item.LogScores);
    }
}
