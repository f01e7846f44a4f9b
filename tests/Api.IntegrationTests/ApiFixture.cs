using System.Net;
using System.Net.Sockets;
using CoConstruisons.Api;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using CoConstruisons.Application.Demo;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Owners;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Infrastructure.Images;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>
/// The real Api on Kestrel (HTTP/1.1 port for uploads and images, HTTP/2 cleartext port for gRPC),
/// on the PostgreSQL started by `make test`, in a schema of its own that is dropped at the end.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public const string ConnectionString =
        "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";

    public const string OwnerEmail = "owner@example.fr";
    public const string OwnerPassword = "correct-horse";
    public const string ServiceKey = "test-service-key-0123456789";

    private WebApplication? _app;
    private Dictionary<string, string?> _settings = [];
    private readonly string _schema = "it_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "coco-it-" + Guid.NewGuid().ToString("N"));

    public Uri WebUrl { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public Guid DemoProjectId { get; private set; }

    public async Task InitializeAsync()
    {
        var webPort = CoConstruisons.Tests.Shared.LoopbackPorts.Free();
        var grpcPort = CoConstruisons.Tests.Shared.LoopbackPorts.Free();
        WebUrl = new Uri($"http://127.0.0.1:{webPort}");
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Web:Url"] = WebUrl.ToString().TrimEnd('/'),
            ["Kestrel:Endpoints:Web:Protocols"] = "Http1",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["PublicBaseUrl"] = WebUrl.ToString().TrimEnd('/'),
            ["ConnectionStrings:Marten"] = ConnectionString,
            ["Marten:Schema"] = _schema,
            ["Storage:Path"] = _storage,
            ["Demo:Seed"] = "true",
            ["Demo:ImageCount"] = "8",
            ["Demo:OwnerEmail"] = OwnerEmail,
            ["Demo:OwnerPassword"] = OwnerPassword,
            ["Security:ServiceKeys:tests"] = ServiceKey,
            ["Uploads:MaxImageBytes"] = "200000",
            ["Uploads:MaxPixels"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Model:Iterations"] = "40",
            ["Model:Epochs"] = "4",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        _settings = settings;
        _app = ApiHost.Build(["--environment", "Development"], builder => builder.Configuration.AddInMemoryCollection(settings));
        await _app.InitializeAsync();
        await _app.StartAsync();
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var projects = await new ProjectService.ProjectServiceClient(Channel)
            .ListProjectsAsync(new ListProjectsRequest(), await OwnerHeaders());
        DemoProjectId = Guid.Parse(projects.Projects.Single().Id);
    }

    /// <summary>Settings a derived fixture adds or overrides.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>A fresh project of the test owner without images.</summary>
    public async Task<Guid> EmptyProject()
    {
        await using var scope = Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var owner = await mediator.Send(new RegisterOwner(OwnerEmail, "Owner", OwnerPassword));
        var project = await mediator.Send(new CreateProject(owner.Id, SeedDemoHandler.DemoSettings with { Title = "Test " + Guid.NewGuid().ToString("N")[..8] }));
        return project.Project.Id;
    }

    public async Task<Metadata> OwnerHeaders(string email = OwnerEmail, string password = OwnerPassword)
    {
        var signedIn = await new AuthService.AuthServiceClient(Channel).SignInAsync(new SignInRequest { Email = email, Password = password });
        return new Metadata { { "authorization", "Bearer " + signedIn.AccessToken } };
    }

    public async Task<string> NewWebSession(Guid projectId)
    {
        var started = await new ContributorService.ContributorServiceClient(Channel).StartWebSessionAsync(
            new StartWebSessionRequest { ProjectId = projectId.ToString(), ConsentAccepted = true, ConsentVersion = "1" });
        return started.SessionToken;
    }

    /// <summary>What a chat gateway does before it asks a chat user anything: records their consent on the project.</summary>
    public async Task<ContributorIdentity> ConsentingChatUser(Guid projectId, ContributorIdentity who)
    {
        await new CampaignService.CampaignServiceClient(Channel).RecordConsentAsync(
            new RecordConsentRequest { ProjectId = projectId.ToString(), Contributor = who, Accepted = true, ConsentVersion = "1", SealedAddress = "sealed" },
            new Metadata { { "x-api-key", ServiceKey } });
        return who;
    }

    public IServiceProvider Services => _app!.Services;

    /// <summary>A fresh project of the test owner with generated roof images (no gold).</summary>
    public async Task<Guid> ProjectWithImages(int images, int maxAnswers, int minAnswers = 2, double confidenceTarget = 0.95)
    {
        await using var scope = Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var owner = await mediator.Send(new RegisterOwner(OwnerEmail, "Owner", OwnerPassword));
        var settings = SeedDemoHandler.DemoSettings with
        {
            Title = "Test " + Guid.NewGuid().ToString("N")[..8],
            AnswersPerItem = maxAnswers,
            MinAnswersPerItem = minAnswers,
            ConfidenceTarget = confidenceTarget,
        };
        var project = await mediator.Send(new CreateProject(owner.Id, settings));
        var generated = new RoofImageGenerator().Generate(images, seed: Random.Shared.Next());
        await mediator.Send(new AddImages(owner.Id, project.Project.Id, generated.Select(g => new UploadedFile(g.FileName, g.Bytes)).ToList()));
        return project.Project.Id;
    }

    public virtual async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema);
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }

    /// <summary>
    /// A second Api node on the same database schema, keys and images (its own ports, no demo
    /// seeding), as a deployment with two nodes behind a load balancer would run.
    /// </summary>
    public async Task<(GrpcChannel Channel, IAsyncDisposable Node)> StartSecondNode()
    {
        var grpcPort = CoConstruisons.Tests.Shared.LoopbackPorts.Free();
        var settings = new Dictionary<string, string?>(_settings)
        {
            ["Kestrel:Endpoints:Web:Url"] = $"http://127.0.0.1:{CoConstruisons.Tests.Shared.LoopbackPorts.Free()}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Demo:Seed"] = "false",
        };
        var app = ApiHost.Build(["--environment", "Development"], builder => builder.Configuration.AddInMemoryCollection(settings));
        await app.InitializeAsync();
        await app.StartAsync();
        return (GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}"), app);
    }
}

[CollectionDefinition(nameof(ApiCollection))]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>;
