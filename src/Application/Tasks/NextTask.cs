using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Contributions;
using Marten;
using Marten.Services.BatchQuerying;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Tasks;

/// <summary>
/// The next image for a contributor (see docs/assignment.md): never one they answered or skipped,
/// never a retired one; gold mixed in at a rate that falls as they prove reliable; a short lease so
/// concurrent contributors never collect more answers than the item still needs.
/// </summary>
public sealed record NextTask(Guid ProjectId, ContributorCredential Contributor) : IQuery<NextTaskResult>;

/// <remarks>
/// Round trips on the hot path: the contributor's progress, both candidate pools (and, once a
/// second, the open count) in one batch; the leases of the candidates in one query; the winning
/// lease saved. Gold items are never capped, so they take no lease.
/// </remarks>
public sealed class NextTaskHandler(
    IDocumentStore store,
    TaskReadCache cache,
    ContributorResolver resolver,
    ITokenService tokens,
    RateLimiter limiter,
    IOptions<RateLimitOptions> limits,
    TimeProvider clock) : IQueryHandler<NextTask, NextTaskResult>
{
    private const int CandidatePool = 24;

    public async ValueTask<NextTaskResult> Handle(NextTask query, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var project = await cache.ProjectAsync(session, query.ProjectId, cancellationToken);
        var contributor = resolver.Resolve(query.Contributor, project.Id);
        limiter.Take("contributor:" + contributor.ContributorId, limits.Value.ContributorPerSecond, limits.Value.ContributorBurst);
        var contributorId = contributor.ContributorId;
        var now = clock.GetUtcNow();

        var batch = session.CreateBatchQuery();
        var progressQuery = batch.Load<ContributorProgress>(ContributorProgress.IdFor(contributorId, project.Id));
        var goldQuery = Candidates(batch, project.Id, contributorId, gold: true);
        var plainQuery = Candidates(batch, project.Id, contributorId, gold: false);
        var remaining = cache.Remaining(project.Id);
        var countQuery = remaining is null ? batch.Query<ItemProgress>().Count(p => p.ProjectId == project.Id && !p.Retired) : null;
        await batch.Execute(cancellationToken);

        var progress = await progressQuery;
        if (countQuery is not null)
        {
            remaining = (int)await countQuery;
            cache.RememberRemaining(project.Id, remaining.Value);
        }

        var stats = TaskReadCache.Stats(progress, now, remaining ?? 0);
        var wantGold = Random.Shared.NextDouble() < GoldPolicy.Rate(progress?.GoldAnswered ?? 0, progress?.GoldCorrect ?? 0);
        var policy = project.Settings.Retirement;
        var until = now + ReservationTimes.Hold;
        var busy = false;
        foreach (var gold in new[] { wantGold, !wantGold })
        {
            var candidates = await (gold ? goldQuery : plainQuery);
            busy |= candidates.Count > 0;
            var ordered = AssignmentPolicy.Order(candidates, contributorId, Random.Shared);
            var chosen = gold
                ? ordered.FirstOrDefault() // gold items are never capped: nothing to reserve
                : await LeaseFirstOpen(ordered, contributorId, now, until, policy, cancellationToken);
            if (chosen is not null)
            {
                var token = tokens.Issue(TokenPurposes.Reservation, new Reservation(project.Id, chosen.Id, contributorId, until), until + ReservationTimes.Grace);
                return new NextTaskResult(new OfferedTask(chosen.Id, project, token, until), stats);
            }
        }

        return new NextTaskResult(null, stats, busy ? ReservationTimes.Hold / 4 : TimeSpan.Zero);
    }

    private static Task<IReadOnlyList<ItemProgress>> Candidates(IBatchedQuery batch, Guid projectId, string contributorId, bool gold)
    {
        var ordered = batch.Query<ItemProgress>()
            .Where(p => p.ProjectId == projectId && !p.Retired && p.IsGold == gold && !p.ContributorIds.Contains(contributorId))
            .OrderByDescending(p => p.Priority)
            .ThenByDescending(p => p.Uncertainty);

        // Same order as AssignmentPolicy: open items closest to retirement first, gold items least-checked first.
        return (gold ? ordered.ThenBy(p => p.EvidenceCount) : ordered.ThenByDescending(p => p.EvidenceCount))
            .Take(CandidatePool)
            .ToList();
    }

    /// <summary>
    /// Reserves a slot on the first candidate (in order) that still has one. The candidates' leases
    /// are read in one query; a lease another node changed meanwhile (optimistic concurrency) is
    /// passed over, and the following candidates are read again.
    /// </summary>
    private async Task<ItemProgress?> LeaseFirstOpen(
        IReadOnlyList<ItemProgress> ordered, string contributorId, DateTimeOffset now, DateTimeOffset until, RetirementPolicy policy, CancellationToken ct)
    {
        var next = 0;
        while (next < ordered.Count)
        {
            await using var session = store.LightweightSession();
            var leases = (await session.LoadManyAsync<ItemLease>(ct, ordered.Skip(next).Select(c => c.Id)))
                .ToDictionary(l => l.Id);
            for (; next < ordered.Count; next++)
            {
                var candidate = ordered[next];
                var isNew = !leases.TryGetValue(candidate.Id, out var lease);
                lease ??= new ItemLease { Id = candidate.Id };
                if (!lease.TryReserve(contributorId, now, until, policy.MaxAnswers, candidate.EvidenceCount, candidate.ContributorIds))
                {
                    continue;
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
                    return candidate;
                }
                catch (Exception ex) when (ConcurrencyConflicts.IsConflict(ex))
                {
                    // Another contributor changed this lease first: try the next candidates on fresh leases.
                    next++;
                    break;
                }
            }
        }

        return null;
    }
}
