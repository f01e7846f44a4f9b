using CoConstruisons.Application.Projects.GetProjectActivity;

namespace CoConstruisons.Application.UnitTests;

public class ProjectActivityTests
{
    private static AnswerMoment At(string when, string who) => new(DateTimeOffset.Parse(when, System.Globalization.CultureInfo.InvariantCulture), who);

    [Fact]
    public void Days_without_answers_are_shown_as_zero_and_contributors_are_counted_once_a_day()
    {
        var activity = GetProjectActivityHandler.Summarize([
            At("2026-11-02T09:00:00+00:00", "a"), At("2026-11-02T18:00:00+00:00", "a"), At("2026-11-02T23:30:00-02:00", "b"), // the last is Nov 3 in UTC
            At("2026-11-05T10:00:00+00:00", "b"),
        ]);

        Assert.False(activity.Monthly);
        Assert.Equal(
            [new ActivityPeriod("2026-11-02", 2, 1), new ActivityPeriod("2026-11-03", 1, 1), new ActivityPeriod("2026-11-04", 0, 0), new ActivityPeriod("2026-11-05", 1, 1)],
            activity.Periods);
    }

    [Fact]
    public void A_campaign_spread_over_years_is_shown_month_by_month()
    {
        var activity = GetProjectActivityHandler.Summarize([At("2015-06-30T12:00:00+00:00", "a"), At("2015-07-01T12:00:00+00:00", "b"), At("2016-09-15T12:00:00+00:00", "a")]);

        Assert.True(activity.Monthly);
        Assert.Equal(16, activity.Periods.Count); // June 2015 to September 2016
        Assert.Equal(new ActivityPeriod("2015-06", 1, 1), activity.Periods[0]);
        Assert.Equal(new ActivityPeriod("2015-07", 1, 1), activity.Periods[1]);
        Assert.Equal(new ActivityPeriod("2016-09", 1, 1), activity.Periods[^1]);
        Assert.All(activity.Periods.Skip(2).SkipLast(1), p => Assert.Equal(0, p.Answers));
    }

    [Fact]
    public void No_answer_gives_no_period() => Assert.Empty(GetProjectActivityHandler.Summarize([]).Periods);
}
