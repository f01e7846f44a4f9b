using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Contributions;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Tasks;

public sealed record GetMyStats(Guid ProjectId, ContributorCredential Contributor) : IQuery<ContributorStats>;

public sealed class GetMyStatsHandler(IQuerySession session, ContributorResolver resolver, CandidateCache candidates, TimeProvider clock)
    : IQueryHandler<GetMyStats, ContributorStats>
{
    public async ValueTask<ContributorStats> Handle(GetMyStats query, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(query.ProjectId, cancellationToken);
        var contributor = resolver.Resolve(query.Contributor, project.Id);
        var progress = await session.LoadAsync<ContributorProgress>(ContributorProgress.IdFor(contributor.ContributorId, project.Id), cancellationToken);
        return TaskReadCache.Stats(progress, clock.GetUtcNow(), await candidates.OpenCountAsync(project.Id, cancellationToken));
    }
}
