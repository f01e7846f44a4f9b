using CoConstruisons.Application.Common;
using CoConstruisons.Infrastructure.EventStore;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Cli;

/// <summary>The platform's application and infrastructure services for commands that work on its database directly.</summary>
public static class PlatformServices
{
    /// <summary>
    /// Settings from the usual options (null keeps the platform's default); the scheduler stays off in a command.
    /// A <c>--connection</c> that is not a connection string, or a <c>--schema</c> that is not a plain identifier, is a
    /// usage error (exit code 2) said in words, before anything connects.
    /// </summary>
    public static Dictionary<string, string?> Settings(string? connection, string? schema, string? storage = null)
    {
        if (connection is not null && DatabaseSettings.ConnectionProblem(connection) is { } connectionProblem)
        {
            throw new UsageException(Texts.T("--connection : ", "--connection: ") + connectionProblem);
        }

        if (schema is not null && DatabaseSettings.SchemaProblem(schema) is { } schemaProblem)
        {
            throw new UsageException(Texts.T("--schema : ", "--schema: ") + schemaProblem);
        }

        var settings = new Dictionary<string, string?> { ["Quartz:Enabled"] = "false" };
        if (connection is not null)
        {
            settings["ConnectionStrings:Marten"] = connection;
        }

        if (schema is not null)
        {
            settings["Marten:Schema"] = schema;
        }

        if (storage is not null)
        {
            settings["Storage:Path"] = storage;
        }

        return settings;
    }

    /// <summary>Builds the services and brings the database schema up to date.</summary>
    public static async Task<ServiceProvider> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApplication(configuration);
        services.AddInfrastructure(configuration, isDevelopment: true);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return provider;
    }
}
