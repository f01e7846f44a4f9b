using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Contributions;

namespace CoConstruisons.Domain.UnitTests.Assignment;

public class AssignmentPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_fully_reserved_item_frees_a_slot_when_a_reservation_expires()
    {
        var lease = new ItemLease();
        Assert.True(lease.TryReserve("a", Now, Now.AddMinutes(2), maxAnswers: 1, evidence: 0, answered: [], abstained: []));
        Assert.False(lease.TryReserve("b", Now.AddMinutes(1), Now.AddMinutes(3), maxAnswers: 1, evidence: 0, answered: [], abstained: []));

        Assert.True(lease.TryReserve("b", Now.AddMinutes(2), Now.AddMinutes(4), maxAnswers: 1, evidence: 0, answered: [], abstained: []));
        Assert.Equal(["b"], lease.Holders.Select(h => h.ContributorId));
    }

    [Fact]
    public void A_writer_with_an_older_view_of_the_item_still_counts_answers_a_newer_writer_saw()
    {
        var lease = new ItemLease();
        lease.TryReserve("a", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: [], abstained: []);
        lease.TryReserve("b", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: [], abstained: []);

        // c saw a and b answer (evidence 2): it drops their slots and finds the item full.
        Assert.False(lease.TryReserve("c", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 2, answered: ["a", "b"], abstained: []));
        // d read the item before those answers (evidence 0) but the lease remembers them.
        Assert.False(lease.TryReserve("d", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: [], abstained: []));
    }

    [Fact]
    public void Two_writers_that_each_saw_a_different_answer_count_both()
    {
        // Two nodes: each has seen the answer given through it, not yet the other's.
        var lease = new ItemLease();
        foreach (var who in new[] { "a", "b", "c" })
        {
            Assert.True(lease.TryReserve(who, Now, Now.AddMinutes(2), maxAnswers: 3, evidence: 0, answered: [], abstained: []));
        }

        Assert.False(lease.TryReserve("d", Now, Now.AddMinutes(2), maxAnswers: 3, evidence: 1, answered: ["a"], abstained: []));
        // b answered too, and c still holds its slot: the item is full (a, b, and c to come).
        Assert.False(lease.TryReserve("e", Now, Now.AddMinutes(2), maxAnswers: 3, evidence: 1, answered: ["b"], abstained: []));
        Assert.Equal(["c"], lease.Holders.Select(h => h.ContributorId));
    }

    [Fact]
    public void A_holder_who_said_dont_know_frees_the_slot_without_counting_as_an_answer()
    {
        var lease = new ItemLease();
        lease.TryReserve("a", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: [], abstained: []);
        lease.TryReserve("b", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: [], abstained: []);

        // a answered "don't know": a's slot is free again, and b's answer is still to come.
        Assert.True(lease.TryReserve("c", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: ["a"], abstained: ["a"]));
        Assert.False(lease.TryReserve("d", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: ["a"], abstained: ["a"]));
    }

    [Fact]
    public void A_holder_who_already_answered_no_longer_takes_a_slot()
    {
        var lease = new ItemLease();
        lease.TryReserve("a", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 0, answered: [], abstained: []);

        Assert.True(lease.TryReserve("b", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 1, answered: ["a"], abstained: []));
        Assert.False(lease.TryReserve("c", Now, Now.AddMinutes(2), maxAnswers: 2, evidence: 1, answered: ["a"], abstained: []));
    }

    [Fact]
    public void Items_closest_to_retirement_come_first_and_answered_or_retired_ones_never()
    {
        var fresh = new ItemProgress { Id = Guid.NewGuid(), EvidenceCount = 0 };
        var started = new ItemProgress { Id = Guid.NewGuid(), EvidenceCount = 2 };
        var mine = new ItemProgress { Id = Guid.NewGuid(), EvidenceCount = 3, ContributorIds = ["me"] };
        var retired = new ItemProgress { Id = Guid.NewGuid(), EvidenceCount = 4, Retired = true };
        var urgent = new ItemProgress { Id = Guid.NewGuid(), Priority = 5 };

        var order = AssignmentPolicy.Order([fresh, started, mine, retired, urgent], "me", new Random(1));

        Assert.Equal([urgent.Id, started.Id, fresh.Id], order.Select(o => o.Id));
    }

    [Fact]
    public void Within_one_owner_priority_the_items_the_model_is_least_sure_of_come_first()
    {
        var sure = new ItemProgress { Id = Guid.NewGuid(), Uncertainty = 0.02, EvidenceCount = 3 };
        var unsure = new ItemProgress { Id = Guid.NewGuid(), Uncertainty = 0.6 };
        var halfSure = new ItemProgress { Id = Guid.NewGuid(), Uncertainty = 0.3, EvidenceCount = 1 };
        var urgent = new ItemProgress { Id = Guid.NewGuid(), Priority = 1, Uncertainty = 0.01 };

        var order = AssignmentPolicy.Order([sure, unsure, halfSure, urgent], "me", new Random(1));

        Assert.Equal([urgent.Id, unsure.Id, halfSure.Id, sure.Id], order.Select(o => o.Id));
    }

    [Fact]
    public void Gold_items_never_retire_so_the_least_checked_come_first()
    {
        var checkedOften = new ItemProgress { Id = Guid.NewGuid(), IsGold = true, EvidenceCount = 40 };
        var checkedOnce = new ItemProgress { Id = Guid.NewGuid(), IsGold = true, EvidenceCount = 1 };
        var neverChecked = new ItemProgress { Id = Guid.NewGuid(), IsGold = true, EvidenceCount = 0 };

        var order = AssignmentPolicy.Order([checkedOften, checkedOnce, neverChecked], "me", new Random(1));

        Assert.Equal([neverChecked.Id, checkedOnce.Id, checkedOften.Id], order.Select(o => o.Id));
    }

    [Fact]
    public void The_gold_rate_falls_as_a_contributor_proves_reliable_and_rises_again_after_mistakes()
    {
        var newcomer = GoldPolicy.Rate(0, 0);
        var reliable = GoldPolicy.Rate(5, 5);
        var veteran = GoldPolicy.Rate(40, 40);
        var careless = GoldPolicy.Rate(6, 2);

        Assert.True(newcomer > reliable && reliable > veteran);
        Assert.Equal(GoldPolicy.FloorRate, veteran);
        Assert.Equal(GoldPolicy.BaseRate, careless);
    }

    [Theory]
    [InlineData(1, 0, false)]
    [InlineData(2, 0, true)]
    [InlineData(2, 1, false)]
    [InlineData(4, 3, false)]
    [InlineData(5, 4, true)]
    public void An_item_retires_on_confident_agreement_or_at_its_cap(int agree, int disagree, bool retires)
    {
        var policy = new RetirementPolicy(MinAnswers: 2, MaxAnswers: 8, ConfidenceTarget: 0.95);
        var votes = new Dictionary<string, int> { ["a"] = agree };
        if (disagree > 0)
        {
            votes["b"] = disagree;
        }

        var confidence = RetirementPolicy.EqualSkillConfidence(votes, choiceCount: 4);

        Assert.Equal(retires, policy.ShouldRetire(agree + disagree, confidence));
        Assert.True(policy.ShouldRetire(8, 0.3));
    }
}
