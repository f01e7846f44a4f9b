using System.Security.Cryptography;
using System.Text;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Domain.Experiments;
using Marten;

namespace CoConstruisons.Infrastructure.Experiments;

/// <summary>The current definition of an experiment (id = its feature-flag name).</summary>
public sealed class StoredExperiment
{
    public required string Id { get; set; }
    public required ExperimentDefinition Definition { get; set; }
}

/// <summary>
/// Experiment definitions in PostgreSQL, shared by every node: the current definition as a
/// document, and the audit trail (defined, allocation changed, started, stopped) as the events of
/// one stream per experiment, written in the same transaction.
/// </summary>
public sealed class MartenExperimentDefinitionStore(IDocumentStore store) : IExperimentDefinitionStore
{
    public async ValueTask<IReadOnlyList<ExperimentDefinition>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        var stored = await session.Query<StoredExperiment>().ToListAsync(cancellationToken);
        return stored.Select(s => s.Definition).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    public async ValueTask<ExperimentDefinition?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<StoredExperiment>(name, cancellationToken))?.Definition;
    }

    public async ValueTask SaveAsync(ExperimentDefinition definition, IReadOnlyList<object> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(events);
        await using var session = store.LightweightSession();
        session.Store(new StoredExperiment { Id = definition.Name, Definition = definition });
        if (events.Count > 0)
        {
            session.Events.Append(StreamId(definition.Name), events.ToArray());
        }

        await session.SaveChangesAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<object>> EventsAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamId(name), token: cancellationToken);
        return events.Select(e => e.Data).ToList();
    }

    /// <summary>A stable stream id per experiment name (name-based, like a UUID v5).</summary>
    public static Guid StreamId(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("coconstruisons-experiment\n" + name));
        return new Guid(hash.AsSpan(0, 16));
    }
}
