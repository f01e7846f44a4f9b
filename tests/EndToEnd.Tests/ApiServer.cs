using System.Net;
using System.Net.Sockets;
using CoConstruisons.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CoConstruisons.EndToEnd.Tests;

/// <summary>
/// The real Api, in-process, on free loopback ports, with its own Marten schema and image folder
/// (both removed at the end), serving the built portal. Seeds the demo owner.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    public const string ConnectionString = "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";
    public const string DemoEmail = "demo@coconstruisons.fr";
    public const string DemoPassword = "demo-demo";

    private readonly WebApplication app;
    private readonly string schema;
    private readonly string storage;

    private ApiServer(WebApplication app, string schema, string storage, string baseUrl)
    {
        this.app = app;
        this.schema = schema;
        this.storage = storage;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>The server's data folder (images under images/, the demo project's id in demo-project-id).</summary>
    public string Storage => storage;

    public static async Task<ApiServer> StartAsync()
    {
        var portal = RepoPaths.PortalDist();
        var webPort = CoConstruisons.Tests.Shared.LoopbackPorts.Free();
        var grpcPort = CoConstruisons.Tests.Shared.LoopbackPorts.Free();
        var baseUrl = $"http://127.0.0.1:{webPort}";
        var schema = "e2e_" + Guid.NewGuid().ToString("N")[..12];
        var storage = Path.Combine(Path.GetTempPath(), "coconstruisons-" + schema);
        Directory.CreateDirectory(storage);
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Web:Url"] = baseUrl,
            ["Kestrel:Endpoints:Web:Protocols"] = "Http1",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["PublicBaseUrl"] = baseUrl,
            ["ConnectionStrings:Marten"] = ConnectionString,
            ["Marten:Schema"] = schema,
            ["Storage:Path"] = storage,
            ["Portal:Path"] = portal,
            ["Demo:Seed"] = "true",
            ["Demo:ImageCount"] = "12",
            ["Demo:OwnerEmail"] = DemoEmail,
            ["Demo:OwnerPassword"] = DemoPassword,
            ["Logging:LogLevel:Default"] = "Warning",
            // The tile import flow fetches from a local tile server (a server refuses its own network by default).
            ["Downloads:AllowPrivateAddresses"] = "true",
            ["Imports:PollSeconds"] = "0.5",
        };
        var app = ApiHost.Build(["--environment", "Development"], builder => builder.Configuration.AddInMemoryCollection(settings));
        var server = new ApiServer(app, schema, storage, baseUrl);
        try
        {
            await app.InitializeAsync();
            await app.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await app.StopAsync();
        }
        finally
        {
            await app.DisposeAsync();
            await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(schema);

            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }
}
