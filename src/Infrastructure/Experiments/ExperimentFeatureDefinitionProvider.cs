using System.Runtime.CompilerServices;
using CoConstruisons.Application.Experiments;
using Microsoft.FeatureManagement;

namespace CoConstruisons.Infrastructure.Experiments;

/// <summary>
/// Feature definitions from two sources: the application configuration ("feature_management"
/// section, Microsoft schema, deployed with the code) and the runtime experiment store (edited by
/// researchers without a redeploy). A stored experiment wins over a configured flag of the same name.
/// The store is read on every evaluation, so an edit is visible at once on every node that shares it.
/// </summary>
public sealed class ExperimentFeatureDefinitionProvider(IFeatureDefinitionProvider configured, IExperimentDefinitionStore store)
    : IFeatureDefinitionProvider
{
    public async Task<FeatureDefinition> GetFeatureDefinitionAsync(string featureName)
    {
        var stored = await store.FindAsync(featureName).ConfigureAwait(false);
        return stored is not null
            ? ExperimentFeatureFlags.ToFeatureDefinition(stored)
            : await configured.GetFeatureDefinitionAsync(featureName).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<FeatureDefinition> GetAllFeatureDefinitionsAsync()
    {
        var stored = await store.ListAsync().ConfigureAwait(false);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var experiment in stored)
        {
            names.Add(experiment.Name);
            yield return ExperimentFeatureFlags.ToFeatureDefinition(experiment);
        }

        await foreach (var definition in configured.GetAllFeatureDefinitionsAsync().ConfigureAwait(false))
        {
            if (!names.Contains(definition.Name))
            {
                yield return definition;
            }
        }
    }
}
