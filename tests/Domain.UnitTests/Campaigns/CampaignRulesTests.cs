using CoConstruisons.Domain.Campaigns;

namespace CoConstruisons.Domain.UnitTests.Campaigns;

public sealed class CampaignRulesTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly CampaignRules Rules = new();

    /// <summary>A Paris wall-clock time (winter: UTC+1, summer: UTC+2).</summary>
    private static DateTimeOffset At(int year, int month, int day, int hour, int minute = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Paris.GetUtcOffset(local));
    }

    private static Engagement Active(params DateTimeOffset[] nudges) =>
        new() { Consent = ConsentState.Accepted, Address = "sealed", Nudges = [.. nudges] };

    [Fact]
    public void Invites_a_consenting_contributor_on_a_working_day_outside_quiet_hours()
    {
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(Active(), null, At(2026, 1, 13, 10))); // Tuesday 10:00 Paris (09:00 UTC)
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(Active(), null, At(2026, 7, 14, 9))); // summer time: 09:00 Paris is 07:00 UTC
    }

    [Theory]
    [InlineData(8, 59, NudgeVerdict.QuietHours)]
    [InlineData(9, 0, NudgeVerdict.Send)]
    [InlineData(19, 59, NudgeVerdict.Send)]
    [InlineData(20, 0, NudgeVerdict.QuietHours)]
    [InlineData(23, 30, NudgeVerdict.QuietHours)]
    [InlineData(3, 0, NudgeVerdict.QuietHours)]
    public void Respects_quiet_hours_in_Paris_time(int hour, int minute, NudgeVerdict expected) =>
        Assert.Equal(expected, Rules.Decide(Active(), null, At(2026, 1, 14, hour, minute)));

    [Fact]
    public void Never_on_weekends_by_default()
    {
        Assert.Equal(NudgeVerdict.NotWorkingDay, Rules.Decide(Active(), null, At(2026, 1, 17, 11)));
        Assert.Equal(NudgeVerdict.NotWorkingDay, Rules.Decide(Active(), null, At(2026, 1, 18, 11)));
    }

    [Fact]
    public void Nobody_is_nudged_after_saying_stop_without_consent_without_an_address_or_when_disabled()
    {
        var stopped = Active();
        stopped.OptedOut = true;
        Assert.Equal(NudgeVerdict.Stopped, Rules.Decide(stopped, null, At(2026, 1, 13, 10)));
        Assert.Equal(NudgeVerdict.NotConsented, Rules.Decide(new Engagement { Address = "a" }, null, At(2026, 1, 13, 10)));
        Assert.Equal(NudgeVerdict.NotConsented, Rules.Decide(new Engagement { Consent = ConsentState.Declined, Address = "a" }, null, At(2026, 1, 13, 10)));
        Assert.Equal(NudgeVerdict.NoAddress, Rules.Decide(new Engagement { Consent = ConsentState.Accepted }, null, At(2026, 1, 13, 10)));
        Assert.Equal(NudgeVerdict.Disabled, (Rules with { Enabled = false }).Decide(Active(), null, At(2026, 1, 13, 10)));
    }

    [Fact]
    public void A_new_consent_after_a_stop_reactivates_and_keeps_the_nudge_history()
    {
        var e = new Engagement();
        var project = Guid.NewGuid();
        e.Apply(new ConsentRecorded(project, "c_1", "slack", "v1", "addr", At(2026, 1, 12, 10)));
        e.Apply(new NudgeSent(Guid.NewGuid(), project, "c_1", "slack", Tone.Impact, QuestionMode.Single, 1, At(2026, 1, 13, 10)));
        e.Apply(new ContributorOptedOut(project, "c_1", "slack", At(2026, 1, 13, 11)));
        Assert.False(e.Active);
        e.Apply(new ConsentRecorded(project, "c_1", "slack", "v1", "", At(2026, 1, 13, 12)));
        Assert.True(e.Active);
        Assert.Equal("addr", e.Address); // an empty address does not erase the known one
        Assert.Equal(NudgeVerdict.DailyCap, Rules.Decide(e, null, At(2026, 1, 13, 15)));
    }

    [Fact]
    public void Caps_per_day_and_per_rolling_week()
    {
        Assert.Equal(NudgeVerdict.DailyCap, Rules.Decide(Active(At(2026, 1, 13, 9, 30)), null, At(2026, 1, 13, 16)));
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(Active(At(2026, 1, 12, 19)), null, At(2026, 1, 13, 9)));
        var week = Active(At(2026, 1, 12, 10), At(2026, 1, 13, 10), At(2026, 1, 14, 10));
        Assert.Equal(NudgeVerdict.WeeklyCap, Rules.Decide(week, null, At(2026, 1, 15, 10)));
        Assert.Equal(NudgeVerdict.WeeklyCap, Rules.Decide(week, null, At(2026, 1, 19, 9, 59))); // Monday: the first nudge is not 7 days old yet
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(week, null, At(2026, 1, 19, 10, 1)));
    }

    [Fact]
    public void Someone_who_already_answered_today_is_left_alone()
    {
        Assert.Equal(NudgeVerdict.AlreadyActiveToday, Rules.Decide(Active(), At(2026, 1, 13, 8), At(2026, 1, 13, 15)));
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(Active(), At(2026, 1, 13, 8), At(2026, 1, 14, 15)));
    }

    [Theory]
    [InlineData("daily", 1, 7)]
    [InlineData("three_a_week", 1, 3)]
    [InlineData("weekly", 1, 1)]
    public void Frequency_variants_set_the_caps(string variant, int perDay, int perWeek)
    {
        var paced = Rules.WithFrequency(variant)!;
        Assert.Equal((perDay, perWeek), (paced.MaxPerDay, paced.MaxPerWeek));
        Assert.Null(Rules.WithFrequency("hourly"));
    }

    [Fact]
    public void Invalid_rules_are_named()
    {
        var problems = (Rules with { MaxPerDay = 3, MaxPerWeek = 2, WorkingDays = [], TimeZoneId = "Mars/Olympus" }).Problems();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("Mars/Olympus", StringComparison.Ordinal));
        Assert.Empty(Rules.Problems());
    }
}
