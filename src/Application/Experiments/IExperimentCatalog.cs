using CoConstruisons.Domain.Experiments;

namespace CoConstruisons.Application.Experiments;

/// <summary>
/// Port: what researchers do to experiments (define, re-allocate, start, stop), each change validated
/// against the whole catalogue and stored with its audit event (Infrastructure: ExperimentCatalog).
/// </summary>
public interface IExperimentCatalog
{
    Task<ExperimentDefined> DefineAsync(ExperimentDefinition definition, string by, CancellationToken cancellationToken = default);

    Task<ExperimentAllocationChanged> ChangeAllocationAsync(string name, IReadOnlyList<VariantAllocation> allocations, string by, CancellationToken cancellationToken = default);

    Task<ExperimentStarted> StartAsync(string name, string by, CancellationToken cancellationToken = default);

    Task<ExperimentStopped> StopAsync(string name, string by, string reason, CancellationToken cancellationToken = default);
}

/// <summary>What an experiment's outcome metrics are computed from.</summary>
public sealed record ExperimentEvidence(IReadOnlyList<ExperimentExposure> Exposures, IReadOnlyDictionary<string, ContributorHistory> Histories);

/// <summary>Port: reads an experiment's exposures and the exposed contributors' histories from the event store.</summary>
public interface IExperimentEvidenceSource
{
    Task<ExperimentEvidence> LoadAsync(string experiment, CancellationToken cancellationToken);
}
