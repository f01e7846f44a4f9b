using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Projects.ListProjects;

public sealed record ListProjects(Guid OwnerId) : IQuery<IReadOnlyList<ProjectSummary>>;

public sealed class ListProjectsHandler(IQuerySession session) : IQueryHandler<ListProjects, IReadOnlyList<ProjectSummary>>
{
    public async ValueTask<IReadOnlyList<ProjectSummary>> Handle(ListProjects query, CancellationToken cancellationToken)
    {
        var projects = await session.Query<Project>()
            .Where(p => p.OwnerIds.Contains(query.OwnerId))
            .OrderByDescending(p => p.CreatedAt)
            .ToListAsync(cancellationToken);
        var result = new List<ProjectSummary>(projects.Count);
        foreach (var project in projects)
        {
            result.Add(await session.SummarizeAsync(project, cancellationToken));
        }

        return result;
    }
}
