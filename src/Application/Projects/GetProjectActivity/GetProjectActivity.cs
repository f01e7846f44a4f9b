using CoConstruisons.Domain.Contributions;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Projects.GetProjectActivity;

/// <summary>
/// A project's participation over time, for the owner's chart: answers and distinct contributors
/// per day (UTC), every day from the first answer to the last, none left out. Over a longer span
/// than <see cref="MaxDays"/> (a campaign imported from years ago) the periods are calendar months.
/// </summary>
public sealed record GetProjectActivity(Guid OwnerId, Guid ProjectId) : IQuery<ProjectActivity>;

/// <param name="Period">"YYYY-MM-DD" for a day, "YYYY-MM" for a month.</param>
public sealed record ActivityPeriod(string Period, int Answers, int Contributors);

public sealed record ProjectActivity(bool Monthly, IReadOnlyList<ActivityPeriod> Periods);

public sealed class GetProjectActivityHandler(IQuerySession session) : IQueryHandler<GetProjectActivity, ProjectActivity>
{
    /// <summary>Longest span drawn day by day.</summary>
    public const int MaxDays = 400;

    public async ValueTask<ProjectActivity> Handle(GetProjectActivity query, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        var answers = await session.Events.QueryRawEventDataOnly<AnswerSubmitted>()
            .Where(a => a.ProjectId == project.Id)
            .Select(a => new AnswerMoment(a.SubmittedAt, a.ContributorId))
            .ToListAsync(cancellationToken);
        return Summarize(answers);
    }

    /// <summary>Groups answers by day (or by month over a long span), with the empty periods in between.</summary>
    public static ProjectActivity Summarize(IReadOnlyCollection<AnswerMoment> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (answers.Count == 0)
        {
            return new ProjectActivity(false, []);
        }

        var first = DateOnly.FromDateTime(answers.Min(a => a.At).UtcDateTime);
        var last = DateOnly.FromDateTime(answers.Max(a => a.At).UtcDateTime);
        var monthly = last.DayNumber - first.DayNumber + 1 > MaxDays;
        var start = monthly ? new DateOnly(first.Year, first.Month, 1) : first;
        DateOnly Period(DateTimeOffset at)
        {
            var day = DateOnly.FromDateTime(at.UtcDateTime);
            return monthly ? new DateOnly(day.Year, day.Month, 1) : day;
        }

        var groups = answers.GroupBy(a => Period(a.At)).ToDictionary(g => g.Key, g => (Answers: g.Count(), Contributors: g.Select(a => a.ContributorId).Distinct(StringComparer.Ordinal).Count()));
        var periods = new List<ActivityPeriod>();
        for (var p = start; p <= last; p = monthly ? p.AddMonths(1) : p.AddDays(1))
        {
            var (count, contributors) = groups.GetValueOrDefault(p);
            periods.Add(new ActivityPeriod(p.ToString(monthly ? "yyyy-MM" : "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), count, contributors));
        }

        return new ProjectActivity(monthly, periods);
    }
}

public sealed record AnswerMoment(DateTimeOffset At, string ContributorId);
