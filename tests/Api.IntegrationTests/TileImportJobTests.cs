using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Images.ImportTiles;
using CoConstruisons.Application.Images.TileImportJobs;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Items;
using CoConstruisons.Tests.Shared;
using Google.Protobuf;
using Grpc.Core;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>
/// The Api with the local tile server allowed (<c>Downloads:AllowPrivateAddresses</c>, off by
/// default and on a server) and an import worker that looks for work twice a second and saves
/// progress every two features.
/// </summary>
public sealed class TileImportFixture : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Downloads:AllowPrivateAddresses"] = "true",
        ["Imports:PollSeconds"] = "0.5",
        ["Imports:BatchFeatures"] = "2",
    };
}

[CollectionDefinition(nameof(TileImportCollection))]
public sealed class TileImportCollection : ICollectionFixture<TileImportFixture>;

[Collection(nameof(TileImportCollection))]
public sealed class TileImportJobTests : IDisposable
{
    private const int Zoom = 18;
    private static readonly int Tx = (int)(WebMercator.PixelX(4.85, Zoom, 256) / 256);
    private static readonly int Ty = (int)(WebMercator.PixelY(45.76, Zoom, 256) / 256);
    private readonly TileImportFixture _api;
    private readonly ImportService.ImportServiceClient _imports;
    private readonly ConcurrentQueue<(int X, int Y)> _requested = new();
    private readonly LocalHttpServer _server;

    public TileImportJobTests(TileImportFixture fixture)
    {
        _api = fixture;
        _imports = new(fixture.Channel);
        _server = TileGeometry.Server((x, y) =>
        {
            _requested.Enqueue((x, y));
            return x - Tx == 5 ? new LocalResponse(404, []) : null;
        });
    }


    private string Template => _server.BaseUrl + "/{z}/{x}/{y}.png";

    /// <summary>A footprint inside tile (Tx + column, Ty), 40 × 30 pixels from (left, 100).</summary>
    private static JsonObject InTile(string id, int column, double left = 100.5, string commune = "Lyon") =>
        TileGeometry.Square(id, ((Tx + column) * 256) + left, (Ty * 256) + 100.5, ((Tx + column) * 256) + left + 40, (Ty * 256) + 130.5, commune, Zoom);

    private static byte[] Collection(params JsonNode[] features) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["type"] = "FeatureCollection", ["features"] = new JsonArray(features) }.ToJsonString());

    private async Task<ImportJob> WaitUntilFinished(string jobId, Metadata headers, List<ImportJob>? seen = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var job = await _imports.GetImportJobAsync(new GetImportJobRequest { JobId = jobId }, headers);
            seen?.Add(job);
            if (job.State is ImportJobState.Done or ImportJobState.Failed)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job still {job.State} at {job.Processed}/{job.Features}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_tile_import_started_over_grpc_runs_in_the_background_and_reports_every_feature()
    {
        var projectId = await _api.EmptyProject();
        var headers = await _api.OwnerHeaders();
        var geojson = Collection(
            InTile("bat-1", 0),
            TileGeometry.Square("bat-2", ((Tx + 3) * 256) - 20.5, (Ty * 256) + 50.5, ((Tx + 3) * 256) + 20.5, (Ty * 256) + 80.5, "Villeurbanne", Zoom),
            InTile("bat-1-bis", 0), // same place, same pixels: a duplicate
            InTile("bat-404", 5, commune: "Bron"),
            new JsonObject { ["type"] = "Feature", ["id"] = "pt", ["properties"] = new JsonObject(), ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(4.85, 45.76) } },
            InTile("bat-6", 1, commune: "Caluire"));

        var started = await _imports.StartTileImportAsync(
            new StartTileImportRequest
            {
                ProjectId = projectId.ToString(),
                GeojsonName = "batiments.geojson",
                Geojson = ByteString.CopyFrom(geojson),
                TileUrlTemplate = Template,
                Zoom = Zoom,
                MarginPixels = 8,
            },
            headers);

        Assert.Equal(6, started.Features);
        Assert.Contains(started.State, new[] { ImportJobState.Queued, ImportJobState.Running });
        var seen = new List<ImportJob>();
        var job = await WaitUntilFinished(started.Id, headers, seen);

        Assert.True(job.State == ImportJobState.Done, job.Error);
        Assert.Equal(6, job.Processed);
        Assert.Equal(3, job.ItemsAdded);
        Assert.Equal(1, job.Duplicates);
        Assert.Equal(1, job.Rejected);
        Assert.Equal(1, job.BadFeatures);
        Assert.Equal(job.Features, job.ItemsAdded + job.Duplicates + job.Rejected + job.BadFeatures);
        Assert.Contains("bat-1", Assert.Single(job.DuplicateList).Reason, StringComparison.Ordinal);
        var rejected = Assert.Single(job.RejectedList);
        Assert.Contains("bat-404", rejected.Name, StringComparison.Ordinal);
        Assert.Contains("404", rejected.Reason, StringComparison.Ordinal);
        var bad = Assert.Single(job.BadFeatureList);
        Assert.Equal(5, bad.Feature);
        Assert.Contains("Point", bad.Reason, StringComparison.Ordinal);
        Assert.True(job.FinishedAtUnix >= job.CreatedAtUnix);
        // Progress is saved every two features, so a poll may see it part-way (not asserted: timing).
        Assert.All(seen, s => Assert.InRange(s.Processed, 0, s.Features));

        await using var scope = _api.Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var items = await session.Query<Item>().Where(i => i.ProjectId == projectId).ToListAsync();
        Assert.Equal(["bat-1.png", "bat-2.png", "bat-6.png"], items.Select(i => i.FileName).Order().ToArray());
        var first = items.Single(i => i.FileName == "bat-1.png");
        Assert.Equal("Lyon", first.Metadata["commune"]);
        Assert.Equal("42.5", first.Metadata["surface_m2"]);
        Assert.Equal("18", first.Metadata["zoom"]);
        Assert.Equal(Template, first.Metadata["tile_source"]);
        Assert.Equal("Polygon", JsonNode.Parse(first.Metadata["footprint"])!["type"]!.GetValue<string>());
        Assert.Null(await session.LoadAsync<TileImportInput>(Guid.Parse(job.Id))); // the upload is dropped once done

        var listed = await _imports.ListImportJobsAsync(new ListImportJobsRequest { ProjectId = projectId.ToString() }, headers);
        Assert.Equal(job.Id, Assert.Single(listed.Jobs).Id);
    }

    [Fact]
    public async Task A_bad_template_zoom_or_geojson_is_refused_at_once_with_a_clear_message()
    {
        var projectId = (await _api.EmptyProject()).ToString();
        var headers = await _api.OwnerHeaders();
        var good = Collection(InTile("a", 0));
        async Task<RpcException> Refused(StartTileImportRequest request) =>
            await Assert.ThrowsAsync<RpcException>(async () => await _imports.StartTileImportAsync(request, headers));
        StartTileImportRequest Request(byte[] geojson, string template, int zoom = Zoom) =>
            new() { ProjectId = projectId, GeojsonName = "f.geojson", Geojson = ByteString.CopyFrom(geojson), TileUrlTemplate = template, Zoom = zoom };

        var noPlaceholders = await Refused(Request(good, _server.BaseUrl + "/tiles.png"));
        Assert.Equal(StatusCode.InvalidArgument, noPlaceholders.StatusCode);
        Assert.Contains("{z}, {x} et {y}", noPlaceholders.Status.Detail, StringComparison.Ordinal);

        var ftp = await Refused(Request(good, "ftp://tiles.example.org/{z}/{x}/{y}.png"));
        Assert.Equal(StatusCode.InvalidArgument, ftp.StatusCode);

        var zoom = await Refused(Request(good, Template, zoom: 30));
        Assert.Contains("zoom", zoom.Status.Detail, StringComparison.Ordinal);

        var notJson = await Refused(Request(Encoding.UTF8.GetBytes("{\"type\": \"FeatureCollection\", \"features\": ["), Template));
        Assert.Equal(StatusCode.InvalidArgument, notJson.StatusCode);
        Assert.Contains("GeoJSON « f.geojson » refusé : JSON illisible", notJson.Status.Detail, StringComparison.Ordinal);

        var notGeoJson = await Refused(Request(Encoding.UTF8.GetBytes("[1, 2, 3]"), Template));
        Assert.Contains("GeoJSON « f.geojson » refusé", notGeoJson.Status.Detail, StringComparison.Ordinal);

        var empty = await Refused(Request(Collection(), Template));
        Assert.Contains("aucun objet", empty.Status.Detail, StringComparison.Ordinal);

        var english = new Metadata { { "authorization", headers.GetValue("authorization")! }, { "accept-language", "en" } };
        var inEnglish = await Assert.ThrowsAsync<RpcException>(async () => await _imports.StartTileImportAsync(Request(good, "nope"), english));
        Assert.Contains("must be an http(s) address", inEnglish.Status.Detail, StringComparison.Ordinal);

        await using (var scope = _api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CoConstruisons.Application.Owners.RegisterOwner("autre@example.fr", "Autre", "another-password"));
        }

        var otherProject = await Assert.ThrowsAsync<RpcException>(async () =>
            await _imports.StartTileImportAsync(Request(good, Template), await _api.OwnerHeaders("autre@example.fr", "another-password")));
        Assert.Equal(StatusCode.NotFound, otherProject.StatusCode);
    }

    [Fact]
    public async Task A_job_left_running_by_a_stopped_node_is_resumed_where_it_stopped_without_duplicates()
    {
        var projectId = await _api.EmptyProject();
        var headers = await _api.OwnerHeaders();
        JsonNode[] features = [InTile("r-1", 0), InTile("r-2", 1), InTile("r-3", 2), InTile("r-4", 3)];
        Guid ownerId;
        var jobId = Guid.CreateVersion7();
        await using (var scope = _api.Services.CreateAsyncScope())
        {
            // The stopped node's work: the first two features' items were saved with its progress.
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
            ownerId = (await session.LoadAsync<CoConstruisons.Domain.Projects.Project>(projectId))!.OwnerIds.First();
            var before = await mediator.Send(new ImportTiles(ownerId, projectId, "r.geojson", Collection(features[0].DeepClone(), features[1].DeepClone()), Template, Zoom, MarginPixels: 8));
            Assert.Equal(2, before.Added.Count);
            var now = DateTimeOffset.UtcNow;
            session.Store(new TileImportJob
            {
                Id = jobId,
                ProjectId = projectId,
                OwnerId = ownerId,
                GeoJsonName = "r.geojson",
                TileUrlTemplate = Template,
                Zoom = Zoom,
                MarginPixels = 8,
                State = TileImportState.Running,
                Features = 4,
                Processed = 2,
                Added = 2,
                TilesDownloaded = 2,
                CreatedAt = now.AddMinutes(-10),
                StartedAt = now.AddMinutes(-10),
                Worker = "a-node-that-stopped",
                LeaseUntil = now.AddMinutes(-1),
                Attempts = 1,
            });
            session.Store(new TileImportInput { Id = jobId, GeoJson = Collection(features) });
            await session.SaveChangesAsync();
        }

        while (_requested.TryDequeue(out _))
        {
        }

        var job = await WaitUntilFinished(jobId.ToString(), headers);

        Assert.True(job.State == ImportJobState.Done, job.Error);
        Assert.Equal(4, job.Processed);
        Assert.Equal(4, job.ItemsAdded);
        Assert.Equal(0, job.Duplicates);
        Assert.Equal(0, job.Rejected);
        Assert.DoesNotContain(_requested, t => t.X - Tx < 2); // the first two features were not cut again
        await using var check = _api.Services.CreateAsyncScope();
        var items = await check.ServiceProvider.GetRequiredService<IQuerySession>().Query<Item>().Where(i => i.ProjectId == projectId).ToListAsync();
        Assert.Equal(["r-1.png", "r-2.png", "r-3.png", "r-4.png"], items.Select(i => i.FileName).Order().ToArray());
        var stored = await check.ServiceProvider.GetRequiredService<IQuerySession>().LoadAsync<TileImportJob>(jobId);
        Assert.Equal(2, stored!.Attempts);
    }

    public void Dispose() => _server.Dispose();
}

/// <summary>On the shared Api (private addresses refused, as on a server).</summary>
[Collection(nameof(ApiCollection))]
public sealed class TileImportRefusalTests(ApiFixture api)
{
    [Fact]
    public async Task A_tile_service_on_the_servers_own_network_is_refused_with_a_clear_message()
    {
        var projectId = await api.EmptyProject();
        var imports = new ImportService.ImportServiceClient(api.Channel);
        using var server = TileGeometry.Server();
        var geojson = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray(TileGeometry.Square("a", 1000, 1000, 1040, 1030, "Lyon", 18)),
        }.ToJsonString());

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await imports.StartTileImportAsync(
            new StartTileImportRequest { ProjectId = projectId.ToString(), GeojsonName = "a.geojson", Geojson = ByteString.CopyFrom(geojson), TileUrlTemplate = server.BaseUrl + "/{z}/{x}/{y}.png", Zoom = 18 },
            await api.OwnerHeaders()));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("adresse privée ou locale refusée (127.0.0.1)", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
        var jobs = await imports.ListImportJobsAsync(new ListImportJobsRequest { ProjectId = projectId.ToString() }, await api.OwnerHeaders());
        Assert.Empty(jobs.Jobs);
    }
}
