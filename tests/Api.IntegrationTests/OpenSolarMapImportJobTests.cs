using System.IO.Compression;
using System.Text;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Infrastructure.Images;
using Google.Protobuf;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>The OpenSolarMap import started from the portal's gRPC call, run by the background import worker.</summary>
[Collection(nameof(TileImportCollection))]
public sealed class OpenSolarMapImportJobTests(TileImportFixture api)
{
    private readonly ImportService.ImportServiceClient _imports = new(api.Channel);

    /// <summary>A zip of generated roof images named by building id (104 has no answer).</summary>
    private static byte[] Images(params (string Name, byte[] Bytes)[] extra)
    {
        var rng = new Random(7);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (id, choice) in new[] { ("101", "north_south"), ("102", "east_west"), ("103", "flat"), ("104", "other") })
            {
                Add(zip, id + ".jpg", RoofImageGenerator.Draw(choice, rng));
            }

            foreach (var (name, bytes) in extra)
            {
                Add(zip, name, bytes);
            }
        }

        return buffer.ToArray();

        static void Add(ZipArchive zip, string name, byte[] bytes)
        {
            using var entry = zip.CreateEntry(name).Open();
            entry.Write(bytes);
        }
    }

    private static byte[] Contributions()
    {
        var csv = new MemoryStream();
        void Line(string text) => csv.Write(Encoding.UTF8.GetBytes(text + "\n"));
        Line("building_id,choice,contributor,created_at");
        Line("101,1,aaa,2015-11-08 09:43:10");
        Line("101,1,bbb,2015-11-08 09:44:10");
        Line("102,2,aaa,2015-11-08 10:00:00");
        Line("103,3,ccc,2015-11-09 10:00:00");
        Line("999,1,ccc,2015-11-09 10:01:00"); // no image
        Line("102,7,bbb,2015-11-09 10:02:00"); // unknown choice
        Line("102,2,ddd"); // truncated
        csv.Write([.. Encoding.UTF8.GetBytes("103,1,"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(",2015-11-09 10:03:00\n")]); // not UTF-8
        return csv.ToArray();
    }

    private async Task<ImportJob> WaitUntilFinished(string jobId, Metadata headers)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var job = await _imports.GetImportJobAsync(new GetImportJobRequest { JobId = jobId }, headers);
            if (job.State is ImportJobState.Done or ImportJobState.Failed)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job still {job.State} at {job.Processed}/{job.Features}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task An_opensolarmap_import_started_over_grpc_creates_the_project_items_and_answers_and_a_second_run_resumes()
    {
        var headers = await api.OwnerHeaders();
        var title = "OSM portail " + Guid.NewGuid().ToString("N")[..6];
        var request = new StartOpenSolarMapImportRequest
        {
            ProjectTitle = title,
            ImagesName = "images.zip",
            ImagesZip = ByteString.CopyFrom(Images()),
            ContributionsCsv = ByteString.CopyFrom(Contributions()),
        };

        var started = await _imports.StartOpenSolarMapImportAsync(request, headers);
        Assert.Equal(CoConstruisons.Contracts.V1.ImportKind.Opensolarmap, started.Kind);
        Assert.Equal(title, started.ProjectTitle);
        var job = await WaitUntilFinished(started.Id, headers);

        Assert.True(job.State == ImportJobState.Done, job.Error);
        var report = job.Opensolarmap;
        Assert.True(report.ProjectCreated);
        Assert.Equal(4, report.ImagesFound);
        Assert.Equal(4, report.ItemsImported);
        Assert.Equal(4, job.ItemsAdded);
        Assert.Equal(4, report.AnswersImported);
        Assert.Equal(1, report.ImagesWithoutAnswers);
        Assert.Equal(1, report.AnswersOnMissingImages);
        Assert.Equal(3, report.RowsUnusable);
        Assert.Equal(3, job.BadFeatures);
        // The examples are the platform's sentences, in the caller's language (French unless it asks otherwise).
        Assert.Contains(report.Examples, e => e.Contains(":7: choix inconnu « 7 »", StringComparison.Ordinal));
        Assert.Contains(report.Examples, e => e.Contains(":8:", StringComparison.Ordinal) && e.Contains("tronquée", StringComparison.Ordinal));
        Assert.Contains(report.Examples, e => e.Contains("réponse(s) sur le bâtiment 999, qui n'a pas d'image", StringComparison.Ordinal));
        Assert.Contains(report.Examples, e => e.Contains(":9:", StringComparison.Ordinal) && e.Contains("UTF-8", StringComparison.Ordinal));

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
            var project = await session.LoadAsync<CoConstruisons.Domain.Projects.Project>(Guid.Parse(job.ProjectId));
            Assert.NotNull(project);
            Assert.Equal(title, project.Settings.Title);
            Assert.Equal(["north_south", "east_west", "flat", "other"], project.Settings.Choices.Select(c => c.Key));
            var items = await session.Query<Item>().Where(i => i.ProjectId == project.Id).ToListAsync();
            Assert.Equal(["101", "102", "103", "104"], items.Select(i => i.Metadata["building_id"]).Order());
            var ids = items.Select(i => i.Id).ToHashSet();
            var answers = (await session.Events.QueryRawEventDataOnly<AnswerSubmitted>().Where(a => a.ProjectId == project.Id).ToListAsync()).ToList();
            Assert.Equal(4, answers.Count);
            Assert.All(answers, a => Assert.Contains(a.ItemId, ids));
            Assert.All(answers, a => Assert.Matches("^c_[0-9a-f]{32}$", a.ContributorId));
            Assert.Contains(answers, a => a.SubmittedAt == new DateTimeOffset(2015, 11, 8, 9, 43, 10, TimeSpan.Zero));
        }

        // The same data again: it resumes into the same project and adds nothing.
        var again = await WaitUntilFinished((await _imports.StartOpenSolarMapImportAsync(request, headers)).Id, headers);
        Assert.True(again.State == ImportJobState.Done, again.Error);
        Assert.Equal(job.ProjectId, again.ProjectId);
        Assert.False(again.Opensolarmap.ProjectCreated);
        Assert.Equal(0, again.Opensolarmap.ItemsImported);
        Assert.Equal(4, again.Opensolarmap.ItemsAlreadyPresent);
    }

    [Fact]
    public async Task Each_kind_of_import_lists_only_its_own_jobs_and_the_limit_counts_that_kind()
    {
        // A project imported from OpenSolarMap, then a tile import into it, then the OpenSolarMap
        // import again: the newest job is an OpenSolarMap one, yet the tile import section (kind
        // TILES, limit 1) must find the tile import.
        var headers = await api.OwnerHeaders();
        var osm = new StartOpenSolarMapImportRequest
        {
            ProjectTitle = "OSM et tuiles " + Guid.NewGuid().ToString("N")[..6],
            ImagesName = "images.zip",
            ImagesZip = ByteString.CopyFrom(Images()),
            ContributionsCsv = ByteString.CopyFrom(Contributions()),
        };
        var first = await WaitUntilFinished((await _imports.StartOpenSolarMapImportAsync(osm, headers)).Id, headers);
        Assert.True(first.State == ImportJobState.Done, first.Error);
        var projectId = first.ProjectId;

        using var server = CoConstruisons.Tests.Shared.TileGeometry.Server();
        const int zoom = 18;
        var px = Math.Floor(CoConstruisons.Application.Images.ImportTiles.WebMercator.PixelX(4.85, zoom, 256) / 256) * 256;
        var py = Math.Floor(CoConstruisons.Application.Images.ImportTiles.WebMercator.PixelY(45.76, zoom, 256) / 256) * 256;
        var geojson = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new System.Text.Json.Nodes.JsonArray(CoConstruisons.Tests.Shared.TileGeometry.Square("toit", px + 100.5, py + 100.5, px + 140.5, py + 130.5, "Lyon", zoom)),
        };
        var tiles = await WaitUntilFinished(
            (await _imports.StartTileImportAsync(
                new StartTileImportRequest { ProjectId = projectId, GeojsonName = "toits.geojson", Geojson = ByteString.CopyFromUtf8(geojson.ToJsonString()), TileUrlTemplate = server.BaseUrl + "/{z}/{x}/{y}.png", Zoom = zoom },
                headers)).Id,
            headers);
        Assert.True(tiles.State == ImportJobState.Done, tiles.Error);
        Assert.Equal(1, tiles.ItemsAdded);

        var again = await WaitUntilFinished((await _imports.StartOpenSolarMapImportAsync(osm, headers)).Id, headers);
        Assert.True(again.State == ImportJobState.Done, again.Error);
        Assert.Equal(projectId, again.ProjectId);

        async Task<string[]> Listed(CoConstruisons.Contracts.V1.ImportKind? kind, int limit = 0)
        {
            var request = new ListImportJobsRequest { ProjectId = projectId, Limit = limit };
            if (kind is { } k)
            {
                request.Kind = k;
            }

            var response = await _imports.ListImportJobsAsync(request, headers);
            if (kind is { } wanted)
            {
                Assert.All(response.Jobs, j => Assert.Equal(wanted, j.Kind));
            }

            return [.. response.Jobs.Select(j => j.Id)];
        }

        // Every kind when none is asked, newest first (as before).
        Assert.Equal([again.Id, tiles.Id, first.Id], await Listed(null));
        // The tile import section's question: its latest job, though an OpenSolarMap import is newer.
        Assert.Equal([tiles.Id], await Listed(CoConstruisons.Contracts.V1.ImportKind.Tiles, limit: 1));
        Assert.Equal([tiles.Id], await Listed(CoConstruisons.Contracts.V1.ImportKind.Tiles));
        Assert.Equal([again.Id, first.Id], await Listed(CoConstruisons.Contracts.V1.ImportKind.Opensolarmap));
        Assert.Equal([again.Id], await Listed(CoConstruisons.Contracts.V1.ImportKind.Opensolarmap, limit: 1));

        // A kind the server does not know is refused, with the known ones named.
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _imports.ListImportJobsAsync(
            new ListImportJobsRequest { ProjectId = projectId, Kind = (CoConstruisons.Contracts.V1.ImportKind)7 }, headers));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("Type d'import inconnu : 7. Types connus : 0 (Tiles), 1 (OpenSolarMap).", unknown.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unusable_files_are_refused_with_a_clear_reason()
    {
        var headers = await api.OwnerHeaders();
        async Task<RpcException> Refused(StartOpenSolarMapImportRequest request) =>
            await Assert.ThrowsAsync<RpcException>(async () => await _imports.StartOpenSolarMapImportAsync(request, headers));

        var badHeader = await Refused(new StartOpenSolarMapImportRequest
        {
            ProjectTitle = "OSM refusé",
            ImagesZip = ByteString.CopyFrom(Images()),
            ContributionsCsv = ByteString.CopyFromUtf8("id,label\n1,2\n"),
        });
        Assert.Equal(StatusCode.InvalidArgument, badHeader.StatusCode);
        Assert.Contains("building_id,choice,contributor,created_at", badHeader.Status.Detail, StringComparison.Ordinal);

        var notZip = await Refused(new StartOpenSolarMapImportRequest
        {
            ProjectTitle = "OSM refusé",
            ImagesZip = ByteString.CopyFromUtf8("not a zip"),
            ContributionsCsv = ByteString.CopyFrom(Contributions()),
        });
        Assert.Equal(StatusCode.InvalidArgument, notZip.StatusCode);

        // Contributions without any usable answer, or a zip cut short, are refused at once, and no project is made for them.
        var title = "OSM refusé " + Guid.NewGuid().ToString("N")[..6];
        var headerOnly = await Refused(new StartOpenSolarMapImportRequest
        {
            ProjectTitle = title,
            ImagesZip = ByteString.CopyFrom(Images()),
            ContributionsCsv = ByteString.CopyFromUtf8("building_id,choice,contributor,created_at\n"),
        });
        Assert.Equal(StatusCode.InvalidArgument, headerOnly.StatusCode);
        Assert.Contains("contributions.csv : aucune réponse après la ligne d'en-tête", headerOnly.Status.Detail, StringComparison.Ordinal);

        var zip = Images();
        var truncated = await Refused(new StartOpenSolarMapImportRequest
        {
            ProjectTitle = title,
            ImagesZip = ByteString.CopyFrom(zip[..(zip.Length / 2)]),
            ContributionsCsv = ByteString.CopyFrom(Contributions()),
        });
        Assert.Equal(StatusCode.InvalidArgument, truncated.StatusCode);
        Assert.Contains("archive ZIP illisible ou tronquée", truncated.Status.Detail, StringComparison.Ordinal);
        var projects = await new ProjectService.ProjectServiceClient(api.Channel).ListProjectsAsync(new ListProjectsRequest(), headers);
        Assert.DoesNotContain(projects.Projects, p => p.Settings.Title == title);

        // A path that leaves the archive: the job fails with the archive expander's reason, nothing is imported.
        var traversal = await _imports.StartOpenSolarMapImportAsync(
            new StartOpenSolarMapImportRequest
            {
                ProjectTitle = "OSM traversée " + Guid.NewGuid().ToString("N")[..6],
                ImagesZip = ByteString.CopyFrom(Images(("../evil.jpg", [1, 2, 3]))),
                ContributionsCsv = ByteString.CopyFrom(Contributions()),
            },
            headers);
        var failed = await WaitUntilFinished(traversal.Id, headers);
        Assert.Equal(ImportJobState.Failed, failed.State);
        Assert.Contains("../evil.jpg", failed.Error, StringComparison.Ordinal);
    }
}
