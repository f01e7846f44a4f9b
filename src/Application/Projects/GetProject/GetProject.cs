using Marten;
using Mediator;

namespace CoConstruisons.Application.Projects.GetProject;

public sealed record GetProject(Guid OwnerId, Guid ProjectId) : IQuery<ProjectSummary>;

public sealed class GetProjectHandler(IQuerySession session) : IQueryHandler<GetProject, ProjectSummary>
{
    public async ValueTask<ProjectSummary> Handle(GetProject query, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        return await session.SummarizeAsync(project, cancellationToken);
    }
}
