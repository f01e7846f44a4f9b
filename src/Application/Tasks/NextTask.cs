using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Tasks;

/// <summary>
/// The next image for a contributor (see docs/assignment.md): never one they answered or skipped,
/// never a retired one; gold mixed in at a rate that falls as they prove reliable; a short lease so
/// concurrent contributors never collect more answers than the item still needs.
/// </summary>
public sealed record NextTask(Guid ProjectId, ContributorCredential Contributor) : IQuery<NextTaskResult>;

public sealed class NextTaskHandler(
    IDocumentStore store,
    ContributorResolver resolver,
    ITokenService tokens,
    RateLimiter limiter,
    IOptions<RateLimitOptions> limits,
    TimeProvider clock) : IQueryHandler<NextTask, NextTaskResult>
{
    private const int CandidatePool = 24;

    public async ValueTask<NextTaskResult> Handle(NextTask query, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var project = await session.LoadPublicAsync(query.ProjectId, cancellationToken);
        var contributor = resolver.Resolve(query.Contributor, project.Id);
        limiter.Take("contributor:" + contributor.ContributorId, limits.Value.ContributorPerSecond, limits.Value.ContributorBurst);
        var contributorId = contributor.ContributorId;
        var now = clock.GetUtcNow();
        var progress = await session.LoadAsync<ContributorProgress>(ContributorProgress.IdFor(contributorId, project.Id), cancellationToken);
        var wantGold = Random.Shared.NextDouble() < GoldPolicy.Rate(progress?.GoldAnswered ?? 0, progress?.GoldCorrect ?? 0);

        var policy = project.Settings.Retirement;
        var busy = false;
        foreach (var gold in new[] { wantGold, !wantGold })
        {
            var candidates = await Candidates(session, project.Id, contributorId, gold, cancellationToken);
            busy |= candidates.Count > 0;
            foreach (var candidate in AssignmentPolicy.Order(candidates, contributorId, Random.Shared))
            {
                var until = now + ReservationTimes.Hold;
                var openSlots = candidate.IsGold ? int.MaxValue : policy.OpenSlots(candidate.EvidenceCount);
                if (!await TryLease(candidate, contributorId, now, until, openSlots, cancellationToken))
                {
                    continue;
                }

                var item = await session.LoadAsync<Item>(candidate.Id, cancellationToken)
                    ?? throw new InvalidOperationException($"Item {candidate.Id} has progress but no document.");
                var token = tokens.Issue(TokenPurposes.Reservation, new Reservation(project.Id, item.Id, contributorId, until), until + ReservationTimes.Grace);
                return new NextTaskResult(
                    new OfferedTask(item, project, token, until),
                    await session.StatsAsync(project, contributorId, now, cancellationToken, progress));
            }
        }

        return new NextTaskResult(
            null,
            await session.StatsAsync(project, contributorId, now, cancellationToken, progress),
            busy ? ReservationTimes.Hold / 4 : TimeSpan.Zero);
    }

    private static Task<IReadOnlyList<ItemProgress>> Candidates(IQuerySession session, Guid projectId, string contributorId, bool gold, CancellationToken ct) =>
        session.Query<ItemProgress>()
            .Where(p => p.ProjectId == projectId && !p.Retired && p.IsGold == gold && !p.ContributorIds.Contains(contributorId))
            .OrderByDescending(p => p.Priority)
            .ThenByDescending(p => p.Uncertainty)
            .ThenByDescending(p => p.EvidenceCount)
            .Take(CandidatePool)
            .ToListAsync(ct);

    /// <summary>Reserves a slot on the item; false when it is fully reserved or another node won the race.</summary>
    private async Task<bool> TryLease(ItemProgress item, string contributorId, DateTimeOffset now, DateTimeOffset until, int openSlots, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var lease = await session.LoadAsync<ItemLease>(item.Id, ct);
        var isNew = lease is null;
        lease ??= new ItemLease { Id = item.Id };
        if (!lease.TryReserve(contributorId, now, until, openSlots, item.ContributorIds))
        {
            return false;
        }

        if (isNew)
        {
            session.Insert(lease);
        }
        else
        {
            session.Store(lease);
        }

        try
        {
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (Exception ex) when (ConcurrencyConflicts.IsConflict(ex))
        {
            return false;
        }
    }
}
