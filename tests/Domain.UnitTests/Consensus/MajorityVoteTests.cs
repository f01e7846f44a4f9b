using CoConstruisons.Domain.Consensus;
using FsCheck.Xunit;

namespace CoConstruisons.Domain.UnitTests.Consensus;

public class MajorityVoteTests
{
    [Fact]
    public void The_most_voted_choice_wins_with_its_share_as_confidence()
    {
        var decision = MajorityVote.Decide(new Dictionary<string, int> { ["flat"] = 1, ["east_west"] = 3 });

        Assert.Equal(new LabelDecision("east_west", 0.75), decision);
    }

    [Fact]
    public void No_vote_gives_no_label() => Assert.Null(MajorityVote.Decide(new Dictionary<string, int>()));

    [Property]
    public bool Ties_do_not_depend_on_the_order_votes_arrived(int a, int b)
    {
        var n = Math.Abs(a % 5) + 1;
        var first = MajorityVote.Decide(new Dictionary<string, int> { ["x"] = n, ["y"] = n });
        var second = MajorityVote.Decide(new Dictionary<string, int> { ["y"] = n, ["x"] = n });
        return first == second && first!.Label == "x";
    }
}
