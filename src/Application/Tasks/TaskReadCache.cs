using System.Collections.Concurrent;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Tasks;

/// <summary>
/// What every task call reads and what changes rarely, kept per node for a few seconds so the hot
/// path (NextTask, SubmitAnswer) does not reload it on every call: the public project (its settings).
/// The count of open items shown to contributors comes from <see cref="CandidateCache"/>.
/// Nothing here guards a rule: the no-repeat, cap and idempotency checks read fresh state.
/// </summary>
public sealed class TaskReadCache(TimeProvider clock)
{
    /// <summary>How long a node trusts its copy of a project (settings and owners change rarely).</summary>
    public static readonly TimeSpan ProjectLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, (Project Project, DateTimeOffset Until)> _projects = new();

    /// <summary>The project (any caller may read a public project), from this node's copy when it is recent.</summary>
    public async ValueTask<Project> ProjectAsync(IDocumentStore store, Guid projectId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_projects.TryGetValue(projectId, out var cached) && cached.Until > now)
        {
            return cached.Project;
        }

        // Unknown projects are not remembered: "not found" is always answered from the store.
        await using var session = store.QuerySession();
        var project = await session.LoadPublicAsync(projectId, ct);
        _projects[projectId] = (project, now + ProjectLifetime);
        return project;
    }

    /// <summary>A contributor's figures from their progress document and the project's recent open count.</summary>
    public static ContributorStats Stats(ContributorProgress? progress, DateTimeOffset now, int remaining) =>
        new(progress?.Answers ?? 0, progress?.AnswersOn(now) ?? 0, remaining);
}
