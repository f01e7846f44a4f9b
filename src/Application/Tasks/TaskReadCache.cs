using System.Collections.Concurrent;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Tasks;

/// <summary>
/// What every task call reads and what changes rarely, kept per node for a few seconds so the hot
/// path (NextTask, SubmitAnswer) does not reload it on every call: the public project (its settings)
/// and the project's count of items still open (shown to contributors, approximate by nature).
/// Nothing here guards a rule: the no-repeat, cap and idempotency checks read fresh state.
/// </summary>
public sealed class TaskReadCache(TimeProvider clock)
{
    /// <summary>How long a node trusts its copy of a project (settings and owners change rarely).</summary>
    public static readonly TimeSpan ProjectLifetime = TimeSpan.FromSeconds(5);

    /// <summary>How stale the "items remaining" figure shown to contributors may be.</summary>
    public static readonly TimeSpan RemainingLifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, (Project Project, DateTimeOffset Until)> _projects = new();
    private readonly ConcurrentDictionary<Guid, (int Count, DateTimeOffset Until)> _remaining = new();

    /// <summary>The project (any caller may read a public project), from this node's copy when it is recent.</summary>
    public async Task<Project> ProjectAsync(IQuerySession session, Guid projectId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_projects.TryGetValue(projectId, out var cached) && cached.Until > now)
        {
            return cached.Project;
        }

        // Unknown projects are not remembered: "not found" is always answered from the store.
        var project = await session.LoadPublicAsync(projectId, ct);
        _projects[projectId] = (project, now + ProjectLifetime);
        return project;
    }

    /// <summary>The recent count of open items, or null when the caller should count again.</summary>
    public int? Remaining(Guid projectId) =>
        _remaining.TryGetValue(projectId, out var cached) && cached.Until > clock.GetUtcNow() ? cached.Count : null;

    public void RememberRemaining(Guid projectId, int count) => _remaining[projectId] = (count, clock.GetUtcNow() + RemainingLifetime);

    /// <summary>The count of open (not retired) items of a project, counted at most once a second per node.</summary>
    public async Task<int> RemainingAsync(IQuerySession session, Guid projectId, CancellationToken ct)
    {
        if (Remaining(projectId) is { } count)
        {
            return count;
        }

        count = await session.Query<ItemProgress>().CountAsync(p => p.ProjectId == projectId && !p.Retired, ct);
        RememberRemaining(projectId, count);
        return count;
    }

    /// <summary>A contributor's figures from their progress document and the project's recent open count.</summary>
    public static ContributorStats Stats(ContributorProgress? progress, DateTimeOffset now, int remaining) =>
        new(progress?.Answers ?? 0, progress?.AnswersOn(now) ?? 0, remaining);
}
