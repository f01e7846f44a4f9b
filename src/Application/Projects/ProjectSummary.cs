using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Owners;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Projects;

/// <summary>A project with the figures its owners watch.</summary>
public sealed record ProjectSummary(
    Project Project,
    IReadOnlyList<string> OwnerEmails,
    int ItemCount,
    int AnswerCount,
    int CompletedItemCount);

public static class ProjectSummaries
{
    public static async Task<ProjectSummary> SummarizeAsync(this IQuerySession session, Project project, CancellationToken ct)
    {
        var owners = await session.LoadManyAsync<Owner>(ct, project.OwnerIds);
        var progress = await session.Query<ItemProgress>()
            .Where(p => p.ProjectId == project.Id)
            .Select(p => new ProgressRow(p.AnswerCount, p.Retired))
            .ToListAsync(ct);
        return new ProjectSummary(
            project,
            owners.Select(o => o.Email).Order(StringComparer.Ordinal).ToList(),
            progress.Count,
            progress.Sum(p => p.AnswerCount),
            progress.Count(p => p.Retired));
    }

    private sealed record ProgressRow(int AnswerCount, bool Retired);
}
