using System.Collections.Concurrent;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Domain.Experiments;

namespace CoConstruisons.Infrastructure.Experiments;

/// <summary>A process-local <see cref="IExperimentDefinitionStore"/> (tests, demo, single node).</summary>
public sealed class InMemoryExperimentDefinitionStore : IExperimentDefinitionStore
{
    private readonly ConcurrentDictionary<string, ExperimentDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<object>> _events = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<ExperimentDefinition>> ListAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<ExperimentDefinition>>(_definitions.Values.OrderBy(d => d.Name, StringComparer.Ordinal).ToList());

    public ValueTask<ExperimentDefinition?> FindAsync(string name, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_definitions.GetValueOrDefault(name));

    public ValueTask SaveAsync(ExperimentDefinition definition, IReadOnlyList<object> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(events);
        var trail = _events.GetOrAdd(definition.Name, _ => []);
        lock (trail)
        {
            trail.AddRange(events);
            _definitions[definition.Name] = definition;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<object>> EventsAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!_events.TryGetValue(name, out var trail))
        {
            return ValueTask.FromResult<IReadOnlyList<object>>([]);
        }

        lock (trail)
        {
            return ValueTask.FromResult<IReadOnlyList<object>>(trail.ToList());
        }
    }
}
