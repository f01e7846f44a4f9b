using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Projects;
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

/// <remarks>
/// The handler checks the caller, then hands the request to
/// <see cref="TaskDispenser"/>, which serves the requests that arrive together in one group:
/// their contributors' progress and the leases of their candidates in one query, the winning
/// leases saved in one transaction. Candidates come from this node's copy of the open items
/// (<see cref="CandidateCache"/>), refreshed about once a second. Gold items are never capped, so
/// they take no lease.
/// </remarks>
public sealed class NextTaskHandler(
    IDocumentStore store,
    TaskReadCache cache,
    ContributorResolver resolver,
    ChatConsent consent,
    TaskDispenser dispenser) : IQueryHandler<NextTask, NextTaskResult>
{
    public async ValueTask<NextTaskResult> Handle(NextTask query, CancellationToken cancellationToken)
    {
        var project = await cache.ProjectAsync(store, query.ProjectId, cancellationToken);

        var contributorId = resolver.Resolve(query.Contributor, project.Id).ContributorId;
        if (ChatConsent.IsChatUser(query.Contributor))
        {
            // No task, no reservation, so no answer either, without the chat user's consent (ChatConsent).
            await consent.RequireAsync(project.Id, contributorId, cancellationToken);
        }

        return await dispenser.NextAsync(project, contributorId, cancellationToken);
    }
}

/// <summary>
/// Chooses and reserves the next item for each waiting request, in groups (docs/assignment.md,
/// "Group commit"): the requests that arrive while the previous group is being served are served
/// together. A group reads its contributors' progress and the leases of their non-gold candidates
/// in one query, decides each request in arrival order on those leases (two contributors of one
/// group see each other's reservations), and saves the changed leases in one transaction. When that
/// commit fails (another node changed one of the leases first), each request is served again alone,
/// on fresh leases.
/// </summary>
public sealed class TaskDispenser : IAsyncDisposable
{
    /// <summary>The most requests served together.</summary>
    public const int MaxGroup = 64;

    private const int CandidatePool = 24;

    /// <summary>How far down the order a request looks when its first candidates are all held.</summary>
    private const int FurtherPool = 4 * CandidatePool;

    /// <summary>
    /// Among the best candidates that share the first one's owner priority and model uncertainty,
    /// concurrent contributors start their reservation attempts at a random one (then go on in
    /// order, wrapping): they all share the same items closest to retirement, and trying the very
    /// first one together only queues them on one reservation row (measured with `bench serve`:
    /// the lease write's mean time fell from 35 ms with a spread of 8 to 3.5 ms with 24). Owner
    /// priority and model uncertainty stay strict.
    /// </summary>
    private const int Spread = 24;

    private readonly IDocumentStore _store;
    private readonly CandidateCache _candidates;
    private readonly ITokenService _tokens;
    private readonly TimeProvider _clock;
    private readonly RateLimiter _limiter;
    private readonly IOptions<RateLimitOptions> _limits;
    private readonly GroupQueue<Pending, NextTaskResult> _queue;

    public TaskDispenser(
        IDocumentStore store, CandidateCache candidates, ITokenService tokens, TimeProvider clock, RateLimiter limiter, IOptions<RateLimitOptions> limits)
    {
        _store = store;
        _candidates = candidates;
        _tokens = tokens;
        _clock = clock;
        _limiter = limiter;
        _limits = limits;
        _queue = new GroupQueue<Pending, NextTaskResult>(MaxGroup, async group =>
        {
            var results = await ServeAsync(group);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Done.TrySetResult(results[i]);
            }
        });
    }

    private sealed class Pending(Project project, string contributorId, Guid? excluding, ContributorProgress? known) : GroupedRequest<NextTaskResult>
    {
        public Project Project { get; } = project;
        public string ContributorId { get; } = contributorId;

        /// <summary>An item never to offer: the one whose answer is being written at the same time.</summary>
        public Guid? Excluding { get; } = excluding;

        /// <summary>The contributor's progress as the caller already holds it (not read again); null: read it.</summary>
        public ContributorProgress? Known { get; } = known;

        public override IEnumerable<string> ExclusiveKeys => [ContributorId];
    }

    /// <summary>
    /// The contributor's next task, reserved, once the contributor's rate limit allows it (over the
    /// limit, nothing is queued). The limit is checked before the task is returned: a caller over it
    /// gets the exception at once.
    /// </summary>
    public Task<NextTaskResult> NextAsync(Project project, string contributorId, CancellationToken ct)
    {
        TakeLimit(contributorId);
        return _queue.SendAsync(new Pending(project, contributorId, null, null), ct);
    }

    /// <summary>
    /// Takes the contributor's rate limit for a next task (throws when over it). For a caller that
    /// asks for the task later with <see cref="NextAfterAnswerAsync"/>.
    /// </summary>
    public void TakeLimit(string contributorId) =>
        _limiter.Take("contributor:" + contributorId, _limits.Value.ContributorPerSecond, _limits.Value.ContributorBurst);

    /// <summary>
    /// The next task after an answer being written (its limit already taken with <see cref="TakeLimit"/>):
    /// <paramref name="answered"/> is never offered (this node's copy of the open items learns of the
    /// answer only once it is committed), and <paramref name="progress"/>, the contributor's progress
    /// with that answer, is used instead of being read again (null: it is read).
    /// </summary>
    public Task<NextTaskResult> NextAfterAnswerAsync(Project project, string contributorId, Guid answered, ContributorProgress? progress) =>
        _queue.SendAsync(new Pending(project, contributorId, answered, progress), CancellationToken.None);

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private async Task<NextTaskResult[]> ServeAsync(List<Pending> group)
    {
        var ct = CancellationToken.None;
        var candidates = new IReadOnlyList<CandidateCache.OpenItem>[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            candidates[i] = await _candidates.CandidatesAsync(group[i].Project.Id, group[i].ContributorId, gold: false, CandidatePool, ct);
        }

        await using var session = _store.LightweightSession();
        var batch = session.CreateBatchQuery();
        var progressQueries = group.Select(p => p.Known is { } known ? Task.FromResult<ContributorProgress?>(known) : batch.Load<ContributorProgress>(ContributorProgress.IdFor(p.ContributorId, p.Project.Id))).ToArray();
        var leaseIds = candidates.SelectMany(c => c).Select(c => c.Id).Distinct().ToArray();
        var leaseQuery = leaseIds.Length == 0 ? null : batch.LoadMany<ItemLease>().ById(leaseIds);
        if (leaseQuery is not null || group.Any(p => p.Known is null))
        {
            await batch.Execute(ct);
        }

        var leases = (leaseQuery is null ? [] : await leaseQuery).ToDictionary(l => l.Id);
        var created = new HashSet<Guid>();
        var changed = new HashSet<Guid>();

        var now = _clock.GetUtcNow();
        var until = now + ReservationTimes.Hold;
        var results = new NextTaskResult[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            var p = group[i];
            var progress = await progressQueries[i];
            var remaining = await _candidates.OpenCountAsync(p.Project.Id, ct);
            var stats = TaskReadCache.Stats(progress, now, remaining);
            var wantGold = Random.Shared.NextDouble() < GoldPolicy.Rate(progress?.GoldAnswered ?? 0, progress?.GoldCorrect ?? 0);
            var policy = p.Project.Settings.Retirement;
            var busy = false;
            CandidateCache.OpenItem? chosen = null;
            foreach (var gold in new[] { wantGold, !wantGold })
            {
                var best = Offerable(gold ? await _candidates.CandidatesAsync(p.Project.Id, p.ContributorId, gold: true, CandidatePool, ct) : candidates[i], p, progress);
                busy |= best.Count > 0;
                var tier = best.Count == 0 ? 0 : Math.Min(Spread, best.TakeWhile(c => c.Priority == best[0].Priority && c.Uncertainty == best[0].Uncertainty).Count());
                var start = tier == 0 ? 0 : Random.Shared.Next(tier);
                IReadOnlyList<CandidateCache.OpenItem> ordered = [.. best.Skip(start).Take(tier - start), .. best.Take(start), .. best.Skip(tier)];
                chosen = gold
                    ? ordered.FirstOrDefault() // gold items are never capped: nothing to reserve
                    : Reserve(ordered, leases, created, changed, p.ContributorId, now, until, policy);
                if (chosen is null && !gold && best.Count > 0 && candidates[i].Count == CandidatePool)
                {
                    // Every one of the best candidates is held (they share the items closest to
                    // retirement with everyone else): look further down the order before offering a
                    // gold image or nothing, with the leases of those items read now.
                    var further = await FurtherCandidatesAsync(session, p, progress, candidates[i], leases, ct);
                    chosen = Reserve(further, leases, created, changed, p.ContributorId, now, until, policy);
                }

                if (chosen is not null)
                {
                    break;
                }
            }

            if (chosen is null)
            {
                results[i] = new NextTaskResult(null, stats, busy ? ReservationTimes.Hold / 4 : TimeSpan.Zero);
                continue;
            }

            var token = _tokens.Issue(TokenPurposes.Reservation, new Reservation(p.Project.Id, chosen.Id, p.ContributorId, until), until + ReservationTimes.Grace);
            results[i] = new NextTaskResult(new OfferedTask(chosen.Id, p.Project, token, until), stats);
        }

        foreach (var id in changed)
        {
            if (created.Contains(id))
            {
                session.Insert(leases[id]);
            }
            else
            {
                session.Store(leases[id]);
            }
        }

        if (changed.Count > 0)
        {
            // Optimistic concurrency: a lease another node saved since it was read fails the commit.
            await session.SaveChangesAsync(ct);
        }

        return results;
    }

    /// <summary>
    /// The candidates that may be offered to the request's contributor: not among their recent items
    /// (this node's copy may not have seen an answer given through another node yet), not the item
    /// whose answer is being written.
    /// </summary>
    private static IReadOnlyList<CandidateCache.OpenItem> Offerable(IReadOnlyList<CandidateCache.OpenItem> items, Pending p, ContributorProgress? progress)
    {
        var recent = progress?.RecentItems;
        return recent is not { Count: > 0 } && p.Excluding is null
            ? items
            : [.. items.Where(c => c.Id != p.Excluding && (recent is null || !recent.Contains(c.Id)))];
    }

    /// <summary>
    /// The best <see cref="FurtherPool"/> regular candidates, in the assignment order, less those
    /// already <paramref name="tried"/> (ties are drawn at random again, so they are not simply the
    /// first ones), with their leases read into <paramref name="leases"/>.
    /// </summary>
    private async Task<IReadOnlyList<CandidateCache.OpenItem>> FurtherCandidatesAsync(
        IQuerySession session, Pending p, ContributorProgress? progress, IReadOnlyList<CandidateCache.OpenItem> tried,
        Dictionary<Guid, ItemLease> leases, CancellationToken ct)
    {
        var skip = tried.Select(c => c.Id).ToHashSet();
        var further = Offerable(await _candidates.CandidatesAsync(p.Project.Id, p.ContributorId, gold: false, FurtherPool, ct), p, progress)
            .Where(c => !skip.Contains(c.Id)).ToList();
        var unread = further.Select(c => c.Id).Where(id => !leases.ContainsKey(id)).ToArray();
        if (unread.Length > 0)
        {
            foreach (var lease in await session.LoadManyAsync<ItemLease>(ct, unread))
            {
                leases[lease.Id] = lease;
            }
        }

        return further;
    }

    /// <summary>Reserves a slot on the first candidate (in order) whose lease still has one.</summary>
    private static CandidateCache.OpenItem? Reserve(
        IReadOnlyList<CandidateCache.OpenItem> ordered, Dictionary<Guid, ItemLease> leases, HashSet<Guid> created, HashSet<Guid> changed,
        string contributorId, DateTimeOffset now, DateTimeOffset until, RetirementPolicy policy)
    {
        foreach (var candidate in ordered)
        {
            if (!leases.TryGetValue(candidate.Id, out var lease))
            {
                lease = new ItemLease { Id = candidate.Id };
                leases[candidate.Id] = lease;
                created.Add(candidate.Id);
            }

            if (lease.TryReserve(contributorId, now, until, policy.MaxAnswers, candidate.EvidenceCount, candidate.ContributorIds, candidate.Abstained))
            {
                changed.Add(candidate.Id);
                return candidate;
            }
        }

        return null;
    }
}
