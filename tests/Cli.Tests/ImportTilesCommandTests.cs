using System.Text;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Images.ImportTiles;
using CoConstruisons.Cli.Commands;
using CoConstruisons.Cli.Imports;
using CoConstruisons.Domain.Items;
using CoConstruisons.Tests.Shared;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SkiaSharp;

namespace CoConstruisons.Cli.Tests;

public sealed class ImportTilesCommandTests : IAsyncLifetime
{
    private const string Connection = "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";
    private const int Zoom = 18;
    private const int Margin = 8;
    private readonly string _schema = "cli_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coco-tiles-" + Guid.NewGuid().ToString("N"));

    private Dictionary<string, string?> Settings => new()
    {
        ["Quartz:Enabled"] = "false",
        ["ConnectionStrings:Marten"] = Connection,
        ["Marten:Schema"] = _schema,
        ["Storage:Path"] = Path.Combine(_dir, "storage"),
    };

    private static readonly ImportTarget Create = new(null, "Toits", "ns:Nord-sud,eo:Est-ouest", null, 5, "agent@ville.fr");

    private static JsonObject Square(string id, double x0, double y0, double x1, double y1, string commune) =>
        TileGeometry.Square(id, x0, y0, x1, y1, commune, Zoom);

    [Fact]
    public async Task Each_footprint_becomes_a_stitched_crop_and_failing_tiles_are_reported()
    {
        using var french = UiCulture.Use(UiCulture.French);
        var tx = (int)(WebMercator.PixelX(4.85, Zoom, 256) / 256);
        var ty = (int)(WebMercator.PixelY(45.76, Zoom, 256) / 256);
        using var server = new LocalHttpServer(path =>
        {
            var parts = path.Trim('/').Replace(".png", "", StringComparison.Ordinal).Split('/');
            var (x, y) = (int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
            return (x - tx) switch
            {
                5 => new LocalResponse(404, []),
                7 => new LocalResponse(200, Encoding.UTF8.GetBytes("<html>maintenance</html>"), "text/html"),
                _ => new LocalResponse(200, LocalHttpServer.Png(256, 256, TileGeometry.TileColour(x, y))),
            };
        });
        var collection = new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray(
                Square("bat-1", (tx * 256) + 100.5, (ty * 256) + 100.5, (tx * 256) + 140.5, (ty * 256) + 130.5, "Lyon"),
                Square("bat-2", ((tx + 3) * 256) - 20.5, (ty * 256) + 50.5, ((tx + 3) * 256) + 20.5, (ty * 256) + 80.5, "Villeurbanne"),
                Square("bat-3", ((tx + 5) * 256) + 50.5, (ty * 256) + 50.5, ((tx + 5) * 256) + 60.5, (ty * 256) + 60.5, "Bron"),
                Square("bat-4", ((tx + 7) * 256) + 50.5, (ty * 256) + 50.5, ((tx + 7) * 256) + 60.5, (ty * 256) + 60.5, "Vénissieux"),
                new JsonObject { ["type"] = "Feature", ["id"] = "pt", ["properties"] = new JsonObject(), ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(4.85, 45.76) } },
                Square("grand", tx * 256.0, ty * 256.0, (tx + 10) * 256.0, (ty + 10) * 256.0, "Lyon")),
        };
        Directory.CreateDirectory(_dir);
        var geojson = Path.Combine(_dir, "batiments.geojson");
        File.WriteAllText(geojson, collection.ToJsonString());

        var (project, created, report) = await ImportTilesCommand.Import(
            Settings, Create, geojson, server.BaseUrl + "/{z}/{x}/{y}.png", Zoom, Margin, 256, 16, CancellationToken.None);

        Assert.True(created);
        Assert.Equal(6, report.Features);
        Assert.Equal(["bat-1.png", "bat-2.png"], report.Added.Select(a => a.FileName));
        Assert.Equal(report.Features, report.Added.Count + report.Duplicates.Count + report.Rejected.Count + report.BadFeatures.Count);
        string Reason(string id) => Assert.Single(report.Rejected, r => r.FileName.Contains($"({id})", StringComparison.Ordinal)).Reason;
        Assert.Contains("HTTP 404", Reason("bat-3"), StringComparison.Ordinal);
        Assert.Contains("n'est pas une image lisible", Reason("bat-4"), StringComparison.Ordinal);
        Assert.Contains("baissez le zoom", Reason("grand"), StringComparison.Ordinal);
        var point = Assert.Single(report.BadFeatures);
        Assert.Equal(("pt", 5), (point.Name, point.Feature));
        Assert.Contains("Point", point.Reason, StringComparison.Ordinal);
        Assert.Equal(4, report.TilesDownloaded); // bat-1: 1 tile, bat-2: 2 tiles, bat-4: 1 page (bat-3's 404 is no download)

        await using var provider = await PlatformServices.StartAsync(Settings);
        await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
        var items = await session.Query<Item>().Where(i => i.ProjectId == project).ToListAsync();
        var one = items.Single(i => i.FileName == "bat-1.png");
        Assert.Equal((40 + 1 + (2 * Margin), 30 + 1 + (2 * Margin)), (one.Width, one.Height));
        Assert.Equal("Lyon", one.Metadata["commune"]);
        Assert.Equal("42.5", one.Metadata["surface_m2"]);
        Assert.Equal("Polygon", JsonNode.Parse(one.Metadata["footprint"])!["type"]!.GetValue<string>());
        Assert.Equal("18", one.Metadata["zoom"]);

        // bat-2 straddles two tiles: its left edge comes from tile tx+2, its right edge from tile tx+3.
        var two = items.Single(i => i.FileName == "bat-2.png");
        await using var stream = provider.GetRequiredService<IImageStore>().OpenOriginal(two.ContentHash)!;
        using var bitmap = SKBitmap.Decode(stream);
        Assert.Equal(41 + 1 + (2 * Margin), bitmap.Width);
        Assert.Equal(TileGeometry.TileColour(tx + 2, ty), bitmap.GetPixel(0, bitmap.Height / 2));
        Assert.Equal(TileGeometry.TileColour(tx + 3, ty), bitmap.GetPixel(bitmap.Width - 1, bitmap.Height / 2));

        // Again from the command line: what is there is not redone, and a script learns that footprints were refused (exit code 3).
        var (code, stdout, stderr) = await CapturedCli.Run(
            [new ImportTilesCommand()],
            ["import-tiles", "--geojson", geojson, "--tiles", server.BaseUrl + "/{z}/{x}/{y}.png", "--zoom", "18", "--margin", "8", "--project", project.ToString(),
                "--connection", Connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage")]);
        Assert.Equal(3, code);
        Assert.Contains("\"duplicates\": 2", stdout, StringComparison.Ordinal);
        Assert.Contains("4 of 6 footprints were not imported (3 rejected, 1 invalid)", stderr, StringComparison.Ordinal);
        Assert.Contains("exit code 3", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_template_without_placeholders_is_refused_clearly()
    {
        using var french = UiCulture.Use(UiCulture.French);
        Directory.CreateDirectory(_dir);
        var geojson = Path.Combine(_dir, "vide.geojson");
        File.WriteAllText(geojson, """{"type":"FeatureCollection","features":[]}""");

        var error = await Assert.ThrowsAsync<CliException>(() => ImportTilesCommand.Import(
            Settings, Create, geojson, "http://127.0.0.1:1/tiles.png", Zoom, Margin, 256, 16, CancellationToken.None));

        Assert.Contains("{z}, {x} et {y}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--zoom", "99", "Le niveau de zoom doit être entre 0 et 24.")]
    [InlineData("--margin", "-5", "La marge doit être entre 0 et 1024 pixels.")]
    [InlineData("--max-tiles", "0", "Le nombre de tuiles par objet doit être entre 1 et 256.")]
    [InlineData("--tile-size", "7", "La taille des tuiles doit être entre 64 et 1024 pixels.")]
    [InlineData("--tiles", "http://127.0.0.1:1/{x}/{y}.png", "{z}, {x} et {y}")]
    [InlineData("--project", "not-a-guid", "--project « not-a-guid » n'est pas un identifiant de projet")]
    public async Task An_out_of_range_option_is_a_usage_error_before_anything_is_created(string option, string value, string message)
    {
        Directory.CreateDirectory(_dir);
        var geojson = Path.Combine(_dir, "batiments.geojson");
        File.WriteAllText(geojson, new JsonObject { ["type"] = "FeatureCollection", ["features"] = new JsonArray(Square("bat-1", 100.5, 100.5, 140.5, 130.5, "Lyon")) }.ToJsonString());
        var options = new Dictionary<string, string>
        {
            ["--tiles"] = "http://127.0.0.1:1/{z}/{x}/{y}.png",
            ["--zoom"] = "18",
            ["--create"] = "Zoom impossible",
            ["--choices"] = "a:A,b:B",
        };
        if (option == "--project")
        {
            options.Remove("--create");
            options.Remove("--choices");
        }

        options[option] = value;

        var (code, stdout, stderr) = await CapturedCli.Run(
            [new ImportTilesCommand()],
            ["import-tiles", "--geojson", geojson, .. options.SelectMany(o => new[] { o.Key, o.Value }),
                "--connection", Connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage")],
            UiCulture.French);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith("erreur : ", stderr, StringComparison.Ordinal); // no blank line before it
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Contains("usage : coconstruisons import-tiles", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("créé", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_geojson_without_any_feature_is_refused_and_creates_no_project()
    {
        Directory.CreateDirectory(_dir);
        var geojson = Path.Combine(_dir, "vide.geojson");
        File.WriteAllText(geojson, """{"type":"FeatureCollection","features":[]}""");

        var (code, stdout, stderr) = await CapturedCli.Run(
            [new ImportTilesCommand()],
            ["import-tiles", "--geojson", geojson, "--tiles", "http://127.0.0.1:1/{z}/{x}/{y}.png", "--zoom", "18", "--create", "Rien", "--choices", "a:A,b:B",
                "--connection", Connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage")],
            UiCulture.French);

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Equal("erreur : GeoJSON « vide.geojson » refusé : il ne contient aucun objet." + Environment.NewLine, stderr);
        await using var provider = await PlatformServices.StartAsync(Settings);
        await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(0, await session.Query<CoConstruisons.Domain.Projects.Project>().CountAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema);
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
