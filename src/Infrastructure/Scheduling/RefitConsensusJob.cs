using CoConstruisons.Application.Consensus;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;
using Quartz;

namespace CoConstruisons.Infrastructure.Scheduling;

/// <summary>
/// Every few minutes (setting Consensus:RefitMinutes, default 10), refits the consensus of each
/// project that received answers since its last fit. Clustered: one node runs each fire.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RefitConsensusJob(IMediator mediator, IQuerySession session) : IJob
{
    public const string Name = "refit-consensus";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var projects = await session.Query<Project>().Select(p => p.Id).ToListAsync(cancellationToken);
        foreach (var projectId in projects)
        {
            var answers = await session.Query<ItemProgress>().Where(p => p.ProjectId == projectId).SumAsync(p => p.AnswerCount, cancellationToken);
            var last = await session.LoadAsync<ProjectConsensus>(projectId, cancellationToken);
            if (answers > (last?.Answers ?? 0))
            {
                await mediator.Send(new RefitConsensus(projectId), cancellationToken);
            }
        }
    }
}
