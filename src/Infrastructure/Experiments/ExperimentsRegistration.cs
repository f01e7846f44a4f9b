using CoConstruisons.Application.Experiments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.FeatureManagement;

namespace CoConstruisons.Infrastructure.Experiments;

public static class ExperimentsRegistration
{
    /// <summary>
    /// Microsoft.FeatureManagement with variants, fed by the "feature_management" configuration
    /// section and by <see cref="IExperimentDefinitionStore"/> (in-memory unless one is registered
    /// before, e.g. the Marten-backed store).
    /// </summary>
    public static IServiceCollection AddExperiments(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<IExperimentDefinitionStore, InMemoryExperimentDefinitionStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IFeatureDefinitionProvider>(sp => new ExperimentFeatureDefinitionProvider(
            new ConfigurationFeatureDefinitionProvider(configuration),
            sp.GetRequiredService<IExperimentDefinitionStore>()));
        services.AddFeatureManagement();
        services.TryAddSingleton<ExperimentCatalog>();
        services.TryAddSingleton<IExperimentCatalog>(sp => sp.GetRequiredService<ExperimentCatalog>());
        services.TryAddSingleton<IExperimentVariants>(sp => sp.GetRequiredService<ExperimentCatalog>());
        return services;
    }
}
