using CoConstruisons.Application.Abstractions;
using CoConstruisons.Infrastructure.EventStore;
using CoConstruisons.Infrastructure.Images;
using CoConstruisons.Infrastructure.Scheduling;
using CoConstruisons.Infrastructure.Security;
using CoConstruisons.Infrastructure.Storage;
using Marten;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

public static class InfrastructureServices
{
    public const string DefaultConnectionString =
        "Host=127.0.0.1;Port=5432;Database=coconstruisons;Username=coconstruisons;Password=coconstruisons";

    /// <summary>
    /// Marten on PostgreSQL, image storage, keys and tokens. <paramref name="isDevelopment"/> lets
    /// missing secrets be generated into the data folder; in production they must be configured.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        var written = configuration.GetConnectionString("Marten") ?? DefaultConnectionString;
        var schema = configuration["Marten:Schema"] ?? DatabaseSettings.DefaultSchema;
        if ((DatabaseSettings.ConnectionProblem(written) ?? DatabaseSettings.SchemaProblem(schema)) is { } problem)
        {
            // A configuration error of the operator's: said in words at start-up, before anything connects.
            throw new InvalidOperationException(problem);
        }

        var connectionString = ConnectionTuning.Apply(written);
        var dataFolder = Path.GetFullPath(configuration["Storage:Path"] ?? ".data");

        services.AddMarten(opts => MartenRegistration.Configure(opts, connectionString, schema))
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();

        services.AddScheduling(configuration, connectionString, schema);
        services.AddSingleton<CoConstruisons.Application.Experiments.IExperimentDefinitionStore, CoConstruisons.Infrastructure.Experiments.MartenExperimentDefinitionStore>();
        CoConstruisons.Infrastructure.Experiments.ExperimentsRegistration.AddExperiments(services, configuration);
        services.AddSingleton<CoConstruisons.Application.Experiments.IExperimentEvidenceSource, CoConstruisons.Infrastructure.Experiments.MartenExperimentEvidenceSource>();
        services.AddSingleton(SecretKeys.Load(
            configuration["Security:TokenKey"],
            configuration["Security:PseudonymKey"],
            isDevelopment ? dataFolder : null));
        services.AddSingleton<ITokenService, TokenService>();
        services.AddSingleton<IPseudonymizer, Pseudonymizer>();
        services.AddSingleton<IContributorDataStore, CoConstruisons.Infrastructure.EventStore.MartenContributorDataStore>();
        services.AddSingleton<IPasswordHasher, Pbkdf2PasswordHasher>();
        services.AddSingleton<IImageInspector, SkiaImageInspector>();
        services.AddSingleton<IDemoImageGenerator, RoofImageGenerator>();
        services.AddSingleton<IImageStore>(new FileSystemImageStore(Path.Combine(dataFolder, "images")));
        services.AddSingleton<IImportFileStore>(new FileSystemImportFileStore(Path.Combine(dataFolder, "imports")));
        var downloads = new CoConstruisons.Infrastructure.Downloads.DownloadOptions();
        configuration.GetSection("Downloads").Bind(downloads);
        services.AddSingleton(downloads);
        services.AddSingleton<IRemoteFileFetcher, CoConstruisons.Infrastructure.Downloads.HttpRemoteFileFetcher>();
        services.AddSingleton<ITileCompositor, SkiaTileCompositor>();
        services.AddSingleton<IImageClassifierTrainer, CoConstruisons.Infrastructure.Learning.MlImageClassifierTrainer>();
        services.AddSingleton<IModelFileStore>(new CoConstruisons.Infrastructure.Learning.FileSystemModelFileStore(Path.Combine(dataFolder, "models")));
        return services;
    }
}
