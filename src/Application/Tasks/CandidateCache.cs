using System.Collections.Concurrent;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Contributions;
using Marten;
using Marten.Linq.LastModified;

namespace CoConstruisons.Application.Tasks;

/// <summary>
/// Each node's copy of the open items of the projects it serves, so that choosing candidates for
/// <c>NextTask</c> is a scan in memory instead of a sort over the item documents in PostgreSQL
/// (which was the hot path's most expensive query). The copy is refreshed at most every
/// <see cref="RefreshInterval"/> with only the documents modified since the last refresh (minus an
/// overlap, so transactions that committed late are not missed), and this node's own answers and
/// skips update it at once.
///
/// <para>Nothing here guards a rule: a stale copy can only offer an item that the submit then
/// refuses (already answered by this person, or full). The reservation (<c>ItemLease</c>, optimistic
/// concurrency in the store) keeps concurrent contributors on all nodes within an item's cap; it
/// remembers who any node saw answer, and reservations last far longer (2 minutes) than
/// the copy may lag (about a second).</para>
/// </summary>
public sealed class CandidateCache(IDocumentStore store)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>Re-read changes this far before the last refresh: a document's timestamp is its transaction's start.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Guid, Pool> _pools = new();

    /// <summary>One open item as the candidate choice needs it.</summary>
    public sealed class OpenItem : IAssignmentCandidate
    {
        public Guid Id { get; init; }
        public bool IsGold { get; set; }
        public int Priority { get; set; }
        public double Uncertainty { get; set; }
        public int EvidenceCount { get; set; }

        /// <summary>
        /// Who answered or skipped it. The sets are never changed once set (a change replaces the
        /// set, under the pool's lock), so the copies handed out share them instead of copying
        /// them for every request (they were the Api's largest allocation under load).
        /// </summary>
        public IReadOnlySet<string> ContributorIds { get; set; } = NoOne;

        /// <summary>Those of <see cref="ContributorIds"/> whose answer is not evidence ("don't know", skip).</summary>
        public IReadOnlySet<string> Abstained { get; set; } = NoOne;
    }

    private static readonly IReadOnlySet<string> NoOne = new HashSet<string>(StringComparer.Ordinal);

    /// <summary><paramref name="set"/> with <paramref name="more"/> added: a new set when something is added, else the same one.</summary>
    private static IReadOnlySet<string> With(IReadOnlySet<string> set, IEnumerable<string> more)
    {
        HashSet<string>? copy = null;
        foreach (var id in more)
        {
            if (!set.Contains(id))
            {
                copy ??= new HashSet<string>(set, StringComparer.Ordinal);
                copy.Add(id);
            }
        }

        return copy ?? set;
    }

    /// <summary>
    /// Items that tie in the assignment order: same pool (gold or not), owner priority, model
    /// uncertainty and evidence. Kept sorted by <see cref="AssignmentPolicy.Compare"/> so a
    /// contributor's candidates are read from the best buckets down, instead of a scan over every
    /// open item.
    /// </summary>
    private sealed record BucketKey(bool IsGold, int Priority, double Uncertainty, int EvidenceCount) : IAssignmentCandidate, IComparable<BucketKey>
    {
        public static BucketKey Of(OpenItem item) => new(item.IsGold, item.Priority, item.Uncertainty, item.EvidenceCount);

        public int CompareTo(BucketKey? other) => AssignmentPolicy.Compare(this, other!);
    }

    private sealed class Pool
    {
        public readonly Lock Gate = new();
        public readonly SemaphoreSlim Refreshing = new(1, 1);
        public readonly Dictionary<Guid, OpenItem> Items = [];

        /// <summary>The open items by bucket, best bucket first: [0] regular items, [1] gold items.</summary>
        public readonly SortedDictionary<BucketKey, List<OpenItem>>[] Buckets = [new(), new()];

        /// <summary>Where each open item sits: its bucket and its index in the bucket's list.</summary>
        public readonly Dictionary<Guid, (BucketKey Key, int Slot)> Place = [];

        /// <summary>Items seen retired: never added back by a refresh that read an older row.</summary>
        public readonly HashSet<Guid> Retired = [];
        /// <summary>When the copy was last refreshed (monotonic milliseconds; null before the first load).</summary>
        public long? RefreshedAt;

        /// <summary>The database's clock at the last refresh, minus the overlap.</summary>
        public DateTimeOffset LoadedSince;

        /// <summary>Puts an item (new or changed) in its bucket. Call under <see cref="Gate"/>.</summary>
        public void Put(OpenItem item)
        {
            Unplace(item);
            Items[item.Id] = item;
            var key = BucketKey.Of(item);
            var buckets = Buckets[item.IsGold ? 1 : 0];
            if (!buckets.TryGetValue(key, out var list))
            {
                buckets[key] = list = [];
            }

            Place[item.Id] = (key, list.Count);
            list.Add(item);
        }

        /// <summary>Takes an item out of the pool. Call under <see cref="Gate"/>.</summary>
        public void Remove(Guid id)
        {
            if (Items.Remove(id, out var item))
            {
                Unplace(item);
            }
        }

        private void Unplace(OpenItem item)
        {
            if (!Place.Remove(item.Id, out var at))
            {
                return;
            }

            var buckets = Buckets[at.Key.IsGold ? 1 : 0];
            var list = buckets[at.Key];
            // Swap-remove: the last item of the bucket takes the freed slot.
            var last = list[^1];
            list[at.Slot] = last;
            list.RemoveAt(list.Count - 1);
            if (last.Id != item.Id)
            {
                Place[last.Id] = at;
            }

            if (list.Count == 0)
            {
                buckets.Remove(at.Key);
            }
        }
    }

    private sealed class Row
    {
        public Guid Id { get; set; }
        public bool IsGold { get; set; }
        public int Priority { get; set; }
        public double Uncertainty { get; set; }
        public int EvidenceCount { get; set; }
        public bool Retired { get; set; }
        public List<string>? ContributorIds { get; set; }
        public List<string>? Abstained { get; set; }
    }

    /// <summary>
    /// The best <paramref name="take"/> candidates of one pool (gold or not) for a contributor, in
    /// the assignment order (docs/assignment.md): owner priority, model uncertainty, then the items
    /// closest to retirement (gold: the least checked), ties at random. Copies, safe to keep (their sets are shared but never changed).
    /// </summary>
    public async Task<IReadOnlyList<OpenItem>> CandidatesAsync(Guid projectId, string contributorId, bool gold, int take, CancellationToken ct)
    {
        var pool = await FreshAsync(projectId, ct);
        var best = new List<OpenItem>(take);
        lock (pool.Gate)
        {
            // Best bucket first; inside a bucket (a tie) from a random place, wrapping.
            foreach (var list in pool.Buckets[gold ? 1 : 0].Values)
            {
                var start = Random.Shared.Next(list.Count);
                for (var k = 0; k < list.Count && best.Count < take; k++)
                {
                    var item = list[(start + k) % list.Count];
                    if (!item.ContributorIds.Contains(contributorId))
                    {
                        best.Add(new OpenItem
                        {
                            Id = item.Id,
                            IsGold = item.IsGold,
                            Priority = item.Priority,
                            Uncertainty = item.Uncertainty,
                            EvidenceCount = item.EvidenceCount,
                            ContributorIds = item.ContributorIds,
                            Abstained = item.Abstained,
                        });
                    }
                }

                if (best.Count == take)
                {
                    break;
                }
            }
        }

        return best;
    }

    /// <summary>How many items of the project are open (not retired), from this node's copy.</summary>
    public async Task<int> OpenCountAsync(Guid projectId, CancellationToken ct)
    {
        var pool = await FreshAsync(projectId, ct);
        lock (pool.Gate)
        {
            return pool.Items.Count;
        }
    }

    /// <summary>This node recorded an answer (or a skip: <paramref name="evidence"/> false) on an item.</summary>
    public void Answered(Guid projectId, Guid itemId, string contributorId, bool evidence, bool retired)
    {
        if (!_pools.TryGetValue(projectId, out var pool))
        {
            return;
        }

        lock (pool.Gate)
        {
            if (!pool.Items.TryGetValue(itemId, out var item))
            {
                return;
            }

            if (retired)
            {
                pool.Remove(itemId);
                pool.Retired.Add(itemId);
                return;
            }

            item.ContributorIds = With(item.ContributorIds, [contributorId]);
            if (!evidence)
            {
                item.Abstained = With(item.Abstained, [contributorId]);
            }
            else
            {
                item.EvidenceCount++;
                pool.Put(item);
            }
        }
    }

    private async Task<Pool> FreshAsync(Guid projectId, CancellationToken ct)
    {
        var pool = _pools.GetOrAdd(projectId, _ => new Pool());
        if (pool.RefreshedAt is { } at && Environment.TickCount64 - at < RefreshInterval.TotalMilliseconds)
        {
            return pool;
        }

        if (pool.RefreshedAt is not null)
        {
            // Once there is a copy, a refresh never holds up a request (it takes tens of milliseconds
            // under load, and every request of a group waited for it): one refresh at a time runs in
            // the background while callers keep using the current copy.
            if (await pool.Refreshing.WaitAsync(0, ct))
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await RefreshAsync(pool, projectId, CancellationToken.None);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        // The copy stays as it was; the next request past the interval tries again.
                    }
                    finally
                    {
                        pool.Refreshing.Release();
                    }
                }, CancellationToken.None);
            }

            return pool;
        }

        await pool.Refreshing.WaitAsync(ct);
        try
        {
            if (pool.RefreshedAt is null)
            {
                await RefreshAsync(pool, projectId, ct);
            }

            return pool;
        }
        finally
        {
            pool.Refreshing.Release();
        }
    }

    /// <summary>Loads the copy (first time) or reads the rows modified since the last refresh. Call holding <see cref="Pool.Refreshing"/>.</summary>
    private async Task RefreshAsync(Pool pool, Guid projectId, CancellationToken ct)
    {
        if (pool.RefreshedAt is { } again && Environment.TickCount64 - again < RefreshInterval.TotalMilliseconds)
        {
            return;
        }

        // Freshness is real time (not the application's clock, which tests may stop), and the
        // "modified since" mark is the database's own clock, which stamped the documents.
        var started = Environment.TickCount64;
        await using var session = store.QuerySession();
        var databaseNow = (await session.QueryAsync<DateTimeOffset>("select now()", ct)).Single();
        var query = session.Query<ItemProgress>().Where(p => p.ProjectId == projectId);
        var first = pool.RefreshedAt is null;
        query = first ? query.Where(p => !p.Retired) : query.Where(p => p.ModifiedSince(pool.LoadedSince));
        var rows = await query
            .Select(p => new Row
            {
                Id = p.Id,
                IsGold = p.IsGold,
                Priority = p.Priority,
                Uncertainty = p.Uncertainty,
                EvidenceCount = p.EvidenceCount,
                Retired = p.Retired,
                ContributorIds = p.ContributorIds,
                Abstained = p.Abstained,
            })
            .ToListAsync(ct);
        lock (pool.Gate)
        {
            foreach (var row in rows)
            {
                if (row.Retired || pool.Retired.Contains(row.Id))
                {
                    pool.Remove(row.Id);
                    pool.Retired.Add(row.Id);
                    continue;
                }

                var item = pool.Items.TryGetValue(row.Id, out var known) ? known : new OpenItem { Id = row.Id };
                item.IsGold = row.IsGold;
                item.Priority = row.Priority;
                item.Uncertainty = row.Uncertainty;
                // This node's own updates may be ahead of a row read in a transaction that started earlier.
                item.EvidenceCount = Math.Max(item.EvidenceCount, row.EvidenceCount);
                if (ErasedSince(item, row))
                {
                    // A contributor of this item was erased (through any node): the row has their
                    // pseudonym replaced, so the row's lists replace this copy's (which still holds it).
                    item.ContributorIds = NoOne;
                    item.Abstained = NoOne;
                }

                item.ContributorIds = With(item.ContributorIds, row.ContributorIds ?? []);
                item.Abstained = With(item.Abstained, row.Abstained ?? []);
                pool.Put(item);
            }

            pool.LoadedSince = databaseNow - Overlap;
            pool.RefreshedAt = started;
        }
    }

    private static bool ErasedSince(OpenItem item, Row row) =>
        row.ContributorIds is { } ids && ids.Any(id => id.StartsWith(IContributorDataStore.ErasedPrefix, StringComparison.Ordinal) && !item.ContributorIds.Contains(id));
}
