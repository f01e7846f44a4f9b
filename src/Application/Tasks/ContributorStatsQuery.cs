using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Tasks;

public static class ContributorStatsQuery
{
    public static async Task<ContributorStats> StatsAsync(
        this IQuerySession session, Project project, string contributorId, DateTimeOffset now, CancellationToken ct, ContributorProgress? known = null)
    {
        var progress = known ?? await session.LoadAsync<ContributorProgress>(ContributorProgress.IdFor(contributorId, project.Id), ct);
        var remaining = await session.Query<ItemProgress>().CountAsync(p => p.ProjectId == project.Id && !p.Retired, ct);
        return new ContributorStats(progress?.Answers ?? 0, progress?.AnswersOn(now) ?? 0, remaining);
    }
}
