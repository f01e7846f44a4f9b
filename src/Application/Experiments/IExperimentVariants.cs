using CoConstruisons.Domain.Experiments;

namespace CoConstruisons.Application.Experiments;

/// <summary>The variant of one running experiment a contributor is allocated to.</summary>
public sealed record AssignedVariant(string Experiment, ExperimentLever Lever, string Variant);

/// <summary>
/// Port: which variants of the running experiments a contributor gets for an invitation
/// (Infrastructure answers with Microsoft.FeatureManagement variant flags).
/// </summary>
public interface IExperimentVariants
{
    ValueTask<IReadOnlyList<AssignedVariant>> ForAsync(ExperimentSubject subject, CancellationToken cancellationToken);

    /// <summary>The same for many contributors at once (a nudge round): the running experiments are read once.</summary>
    ValueTask<IReadOnlyList<IReadOnlyList<AssignedVariant>>> ForEachAsync(IReadOnlyList<ExperimentSubject> subjects, CancellationToken cancellationToken);
}
