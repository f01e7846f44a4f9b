using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Contributors;

/// <summary>What anyone may read about a project before contributing (no owner, no figures).</summary>
public sealed record GetPublicProject(Guid ProjectId) : IQuery<Project>;

public sealed class GetPublicProjectHandler(IQuerySession session) : IQueryHandler<GetPublicProject, Project>
{
    public async ValueTask<Project> Handle(GetPublicProject query, CancellationToken cancellationToken) =>
        await session.LoadPublicAsync(query.ProjectId, cancellationToken);
}
