using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Tasks;

/// <summary>The next image to show a contributor: never one they already answered or skipped, never a complete one.</summary>
public sealed record NextTask(Guid ProjectId, ContributorCredential Contributor) : IQuery<NextTaskResult>;

public sealed class NextTaskHandler(IQuerySession session, ContributorResolver resolver, ITokenService tokens, TimeProvider clock)
    : IQueryHandler<NextTask, NextTaskResult>
{
    public async ValueTask<NextTaskResult> Handle(NextTask query, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(query.ProjectId, cancellationToken);
        var contributor = resolver.Resolve(query.Contributor, project.Id);
        var now = clock.GetUtcNow();
        var wanted = project.Settings.AnswersPerItem;
        var contributorId = contributor.ContributorId;

        // Finish what is started: the items closest to their answer count come first; a random
        // pick among the first few spreads concurrent contributors over different items.
        var candidates = await session.Query<ItemProgress>()
            .Where(p => p.ProjectId == project.Id && p.EvidenceCount < wanted && !p.ContributorIds.Contains(contributorId))
            .OrderByDescending(p => p.EvidenceCount)
            .Take(8)
            .Select(p => p.Id)
            .ToListAsync(cancellationToken);
        var stats = await session.StatsAsync(project, contributorId, now, cancellationToken);
        if (candidates.Count == 0)
        {
            return new NextTaskResult(null, stats);
        }

        var itemId = candidates[Random.Shared.Next(candidates.Count)];
        var item = await session.LoadAsync<Item>(itemId, cancellationToken) ?? throw new InvalidOperationException($"Item {itemId} has progress but no document.");
        var until = now + ReservationTimes.Hold;
        var token = tokens.Issue(TokenPurposes.Reservation, new Reservation(project.Id, item.Id, contributorId, until), until + ReservationTimes.Grace);
        return new NextTaskResult(new OfferedTask(item, project, token, until), stats);
    }
}
