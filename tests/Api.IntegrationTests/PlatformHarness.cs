using Marten;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>
/// The platform's application and infrastructure services without the Api host, on PostgreSQL with
/// their own schema and storage folder (dropped afterwards), Quartz off; an optional clock replaces
/// the system's. For tests that drive use cases directly through Mediator.
/// </summary>
public sealed class PlatformHarness : IAsyncDisposable
{
    public const string Connection = "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";

    private readonly string _schema;
    private readonly string _storage;

    private PlatformHarness(ServiceProvider services, string schema, string storage)
    {
        Services = services;
        _schema = schema;
        _storage = storage;
    }

    public ServiceProvider Services { get; }

    /// <summary>The storage folder (Storage:Path): images, models, import files.</summary>
    public string StoragePath => _storage;

    public static async Task<PlatformHarness> StartAsync(string prefix, IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var schema = prefix + "_" + Guid.NewGuid().ToString("N")[..10];
        var storage = Path.Combine(Path.GetTempPath(), "coco-" + schema);
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Marten"] = Connection,
            ["Marten:Schema"] = schema,
            ["Storage:Path"] = storage,
            ["Quartz:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApplication(configuration);
        services.AddInfrastructure(configuration, isDevelopment: true);
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new PlatformHarness(provider, schema, storage);
    }

    /// <summary>Sends a request in its own scope, as one gRPC call would.</summary>
    public async Task<T> Send<T>(IRequest<T> request)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public async Task<T> Send<T>(ICommand<T> command)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    public async Task<T> Send<T>(IQuery<T> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema);
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }
}
