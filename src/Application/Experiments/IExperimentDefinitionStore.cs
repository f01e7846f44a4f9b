using CoConstruisons.Domain.Experiments;

namespace CoConstruisons.Application.Experiments;

/// <summary>
/// Port: where researchers' experiment definitions live at run time (so they can be edited without a
/// redeploy). Infrastructure ships an in-memory implementation; production backs it with Marten
/// (one stream per experiment holding its audit events, plus the current definition as a document).
/// </summary>
public interface IExperimentDefinitionStore
{
    /// <summary>Every stored definition (any status).</summary>
    ValueTask<IReadOnlyList<ExperimentDefinition>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>One definition by experiment (= feature flag) name, or null.</summary>
    ValueTask<ExperimentDefinition?> FindAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stores the new state of a definition together with the audit events that led to it.</summary>
    ValueTask SaveAsync(ExperimentDefinition definition, IReadOnlyList<object> events, CancellationToken cancellationToken = default);

    /// <summary>The audit trail of one experiment, oldest first.</summary>
    ValueTask<IReadOnlyList<object>> EventsAsync(string name, CancellationToken cancellationToken = default);
}
