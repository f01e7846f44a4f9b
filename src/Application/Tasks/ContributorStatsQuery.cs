using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Tasks;

public static class ContributorStatsQuery
{
    public static async Task<ContributorStats> StatsAsync(this IQuerySession session, Project project, string contributorId, DateTimeOffset now, CancellationToken ct)
    {
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var mine = await session.Events.QueryRawEventDataOnly<AnswerSubmitted>()
            .Where(a => a.ProjectId == project.Id && a.ContributorId == contributorId)
            .Select(a => a.SubmittedAt)
            .ToListAsync(ct);
        var wanted = project.Settings.AnswersPerItem;
        var remaining = await session.Query<ItemProgress>()
            .CountAsync(p => p.ProjectId == project.Id && p.EvidenceCount < wanted, ct);
        return new ContributorStats(mine.Count, mine.Count(t => t >= dayStart), remaining);
    }
}
