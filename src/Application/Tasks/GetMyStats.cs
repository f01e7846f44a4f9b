using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Projects;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Tasks;

public sealed record GetMyStats(Guid ProjectId, ContributorCredential Contributor) : IQuery<ContributorStats>;

public sealed class GetMyStatsHandler(IQuerySession session, ContributorResolver resolver, TimeProvider clock)
    : IQueryHandler<GetMyStats, ContributorStats>
{
    public async ValueTask<ContributorStats> Handle(GetMyStats query, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(query.ProjectId, cancellationToken);
        var contributor = resolver.Resolve(query.Contributor, project.Id);
        return await session.StatsAsync(project, contributor.ContributorId, clock.GetUtcNow(), cancellationToken);
    }
}
