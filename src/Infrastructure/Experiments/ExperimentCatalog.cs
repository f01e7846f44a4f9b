using CoConstruisons.Application.Experiments;
using CoConstruisons.Domain.Experiments;
using Microsoft.FeatureManagement;

namespace CoConstruisons.Infrastructure.Experiments;

/// <summary>
/// What researchers do to experiments (define, re-allocate, start, stop), each change validated
/// against the whole catalogue (overlap rule) and stored with its audit event; and what campaigns
/// ask (which variant does this contributor get), answered by <see cref="IVariantFeatureManager"/>.
/// </summary>
public sealed class ExperimentCatalog(IExperimentDefinitionStore store, IVariantFeatureManager features, TimeProvider clock)
    : IExperimentCatalog, IExperimentVariants
{
    public async Task<ExperimentDefined> DefineAsync(ExperimentDefinition definition, string by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (await store.FindAsync(definition.Name, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new ExperimentDefinitionException([ExperimentProblem.AlreadyExists(definition.Name)]);
        }

        var defined = definition.Define(by, clock.GetUtcNow());
        await SaveAsync(definition, defined, cancellationToken).ConfigureAwait(false);
        return defined;
    }

    public async Task<ExperimentAllocationChanged> ChangeAllocationAsync(string name, IReadOnlyList<VariantAllocation> allocations, string by, CancellationToken cancellationToken = default)
    {
        var (updated, changed) = (await GetAsync(name, cancellationToken).ConfigureAwait(false)).ChangeAllocation(allocations, by, clock.GetUtcNow());
        await SaveAsync(updated, changed, cancellationToken).ConfigureAwait(false);
        return changed;
    }

    public async Task<ExperimentStarted> StartAsync(string name, string by, CancellationToken cancellationToken = default)
    {
        var (updated, started) = (await GetAsync(name, cancellationToken).ConfigureAwait(false)).Start(by, clock.GetUtcNow());
        await SaveAsync(updated, started, cancellationToken).ConfigureAwait(false);
        return started;
    }

    public async Task<ExperimentStopped> StopAsync(string name, string by, string reason, CancellationToken cancellationToken = default)
    {
        var (updated, stopped) = (await GetAsync(name, cancellationToken).ConfigureAwait(false)).Stop(by, clock.GetUtcNow(), reason);
        await SaveAsync(updated, stopped, cancellationToken).ConfigureAwait(false);
        return stopped;
    }

    /// <summary>
    /// The variant of a feature flag (stored experiment or configured flag) for this contributor and
    /// invitation, or null when the flag is off for them (not running, not targeted).
    /// </summary>
    public async Task<string?> VariantForAsync(string featureName, ExperimentSubject subject, CancellationToken cancellationToken = default)
    {
        var variant = await features.GetVariantAsync(featureName, ExperimentFeatureFlags.TargetingContextFor(subject), cancellationToken).ConfigureAwait(false);
        return variant?.Name;
    }

    /// <summary>
    /// Configured flags (appsettings "feature_management") that campaigns read by name, with the lever
    /// each one moves. A stored experiment on the same lever takes precedence.
    /// </summary>
    public static IReadOnlyDictionary<string, ExperimentLever> ConfiguredLevers { get; } = new Dictionary<string, ExperimentLever>(StringComparer.Ordinal)
    {
        ["NudgeTone"] = ExperimentLever.Tone,
        ["NudgeFrequency"] = ExperimentLever.Frequency,
        ["QuestionMode"] = ExperimentLever.QuestionMode,
    };

    /// <summary>Every variant this contributor gets from the running experiments, one per lever at most per experiment.</summary>
    public async ValueTask<IReadOnlyList<AssignedVariant>> ForAsync(ExperimentSubject subject, CancellationToken cancellationToken) =>
        (await ForEachAsync([subject], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>The variants of many contributors; the stored experiments are listed once for all of them.</summary>
    public async ValueTask<IReadOnlyList<IReadOnlyList<AssignedVariant>>> ForEachAsync(IReadOnlyList<ExperimentSubject> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var stored = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var running = stored.Where(d => d.Status == ExperimentStatus.Running).ToList();
        var storedNames = stored.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var results = new List<IReadOnlyList<AssignedVariant>>(subjects.Count);
        foreach (var subject in subjects)
        {
            var result = new List<AssignedVariant>();
            foreach (var experiment in running)
            {
                if (await VariantForAsync(experiment.Name, subject, cancellationToken).ConfigureAwait(false) is { } variant)
                {
                    result.Add(new AssignedVariant(experiment.Name, experiment.Lever, variant));
                }
            }

            foreach (var (name, lever) in ConfiguredLevers)
            {
                if (!storedNames.Contains(name) && result.All(r => r.Lever != lever)
                    && await VariantForAsync(name, subject, cancellationToken).ConfigureAwait(false) is { } variant)
                {
                    result.Add(new AssignedVariant(name, lever, variant));
                }
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>The exposure event to append when the variant's treatment was actually delivered.</summary>
    public ExperimentExposure Exposure(string featureName, string contributorId, string variant, string whatChanged) =>
        new(contributorId, featureName, variant, whatChanged, clock.GetUtcNow());

    private async Task<ExperimentDefinition> GetAsync(string name, CancellationToken cancellationToken) =>
        await store.FindAsync(name, cancellationToken).ConfigureAwait(false)
        ?? throw new ExperimentDefinitionException([new ExperimentProblem(
            $"Aucune expérience ne s'appelle « {name} ».", $"No experiment is called '{name}'.", "name")]);

    private async Task SaveAsync(ExperimentDefinition updated, object @event, CancellationToken cancellationToken)
    {
        var others = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(d => d.Name != updated.Name);
        var errors = ExperimentValidator.CatalogProblems([.. others, updated]);
        if (errors.Count > 0)
        {
            throw new ExperimentDefinitionException(errors);
        }

        await store.SaveAsync(updated, [@event], cancellationToken).ConfigureAwait(false);
    }
}
