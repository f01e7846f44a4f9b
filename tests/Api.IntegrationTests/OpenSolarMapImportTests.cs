using System.Text;
using CoConstruisons.Cli.Commands;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Infrastructure.Images;
using Marten;
using Npgsql;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>The OpenSolarMap importer on a tiny generated fixture, in its own Marten schema (dropped after).</summary>
public sealed class OpenSolarMapImportTests : IAsyncLifetime
{
    private readonly string _schema = "osm_test_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "osm-import-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync()
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "images")).FullName;
        var rng = new Random(5);
        // Buildings 101–104 have images; 104 has no answers; 999 has answers but no image.
        foreach (var (id, choice) in new[] { ("101", "north_south"), ("102", "east_west"), ("103", "flat"), ("104", "other") })
        {
            File.WriteAllBytes(Path.Combine(images, id + ".jpg"), RoofImageGenerator.Draw(choice, rng));
        }

        File.WriteAllBytes(Path.Combine(images, "105.jpg"), [0xFF, 0xD8, 0xFF, 0x00, 0x01]); // not a decodable image
        var csv = new MemoryStream();
        void Line(string text) => csv.Write(Encoding.UTF8.GetBytes(text + "\n"));
        Line("building_id,choice,contributor,created_at");
        Line("101,1,aaa,2015-11-08 09:43:10.391734");
        Line("101,1,bbb,2015-11-08 09:44:10");
        Line("101,2,aaa,2015-11-08 09:45:10"); // the same contributor again: kept once
        Line("102,2,aaa,2015-11-08 10:00:00");
        Line("103,3,ccc,2015-11-09 10:00:00");
        Line("999,1,ccc,2015-11-09 10:01:00"); // no image
        Line("102,7,bbb,2015-11-09 10:02:00"); // unknown choice
        Line("102,2,ddd"); // truncated
        csv.Write([.. Encoding.UTF8.GetBytes("103,1,"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(",2015-11-09 10:03:00\n")]); // not UTF-8
        File.WriteAllBytes(Path.Combine(_dir, "contributions.csv"), csv.ToArray());
        File.WriteAllText(Path.Combine(_dir, "buildings.csv"),
            "building_id,geometry_geojson,surface_m2,orientation_score,vote_label\n" +
            "101,\"{\"\"type\"\":\"\"Polygon\"\",\"\"coordinates\"\":[[[5.85,48.57],[5.86,48.57],[5.86,48.58],[5.85,48.57]]]}\",232.8,0.85,1\n" +
            "102,\"{\"\"type\"\":\"\"Polygon\"\",\"\"coordinates\"\":[[[5.8,48.5],[5.9,48.5],[5.9,48.6],[5.8,48.5]]]}\",120.5,0.5,\n");
        return Task.CompletedTask;
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["ConnectionStrings:Marten"] = ApiFixture.ConnectionString,
        ["Marten:Schema"] = _schema,
        ["Storage:Path"] = Path.Combine(_dir, "data"),
        ["Quartz:Enabled"] = "false",
    };

    private Task<CoConstruisons.Application.Images.OpenSolarMapImport.ImportReport> Import() => ImportOpenSolarMapCommand.Import(
        Settings(), Path.Combine(_dir, "images"), Path.Combine(_dir, "contributions.csv"), Path.Combine(_dir, "buildings.csv"),
        "OpenSolarMap test", "osm-test@example.fr", CancellationToken.None);

    [Fact]
    public async Task Imports_items_and_answers_reports_every_bad_input_and_a_second_run_resumes_without_duplicates()
    {
        var first = await Import();

        Assert.True(first.ProjectCreated);
        Assert.Equal(5, first.ImagesFound);
        Assert.Equal(4, first.ItemsImported);
        Assert.Equal(1, first.ImagesUnreadable);
        Assert.Equal(1, first.ImagesWithoutAnswers);
        Assert.Equal(2, first.ImagesWithoutFootprint);
        Assert.Equal(4, first.AnswersImported);
        Assert.Equal(1, first.AnswersRepeated);
        Assert.Equal(1, first.AnswersOnMissingImages);
        Assert.Equal(1, first.ItemsRetired); // 101: two agreeing answers, retired by the platform's consensus refit
        Assert.Equal(3, first.BadRows.Count);
        // The reasons are the platform's sentences, in its default language here (French).
        Assert.Contains(first.BadRows, b => b.Line == 8 && b.Reason.Contains("choix inconnu « 7 »", StringComparison.Ordinal));
        Assert.Contains(first.BadRows, b => b.Line == 9 && b.Reason.Contains("tronquée", StringComparison.Ordinal));
        Assert.Contains(first.BadRows, b => b.Line == 10 && b.Reason.Contains("UTF-8", StringComparison.Ordinal));

        await using (var store = DocumentStore.For(o =>
        {
            o.Connection(ApiFixture.ConnectionString);
            o.DatabaseSchemaName = _schema;
        }))
        {
            await using var session = store.QuerySession();
            var items = await session.Query<Item>().Where(i => i.ProjectId == first.ProjectId).ToListAsync();
            var item101 = Assert.Single(items, i => i.Metadata["building_id"] == "101");
            Assert.Contains("Polygon", item101.Metadata["footprint"], StringComparison.Ordinal);
            Assert.Equal("232.8", item101.Metadata["surface_m2"]);
            var answers = await session.Events.QueryRawEventDataOnly<AnswerSubmitted>().ToListAsync();
            Assert.Equal(4, answers.Count);
            Assert.All(answers, a => Assert.Equal("opensolarmap", a.Channel));
            Assert.All(answers, a => Assert.Matches("^c_[0-9a-f]{32}$", a.ContributorId)); // pseudonyms, never the hashed IPs
            Assert.Equal(3, answers.Select(a => a.ContributorId).Distinct().Count());
            var on101 = answers.Where(a => a.ItemId == item101.Id).OrderBy(a => a.SubmittedAt).ToList();
            Assert.Equal(["north_south", "north_south"], on101.Select(a => a.Choice));
            Assert.Equal(new DateTimeOffset(2015, 11, 8, 9, 43, 10, TimeSpan.Zero).AddTicks(3917340), on101[0].SubmittedAt);
            Assert.Single(answers, a => a.IdempotencyKey.StartsWith("opensolarmap:101:aaa:", StringComparison.Ordinal));
        }

        var second = await Import();

        Assert.False(second.ProjectCreated);
        Assert.Equal(first.ProjectId, second.ProjectId);
        Assert.Equal(0, second.ItemsImported);
        Assert.Equal(0, second.AnswersImported);
        Assert.Equal(4, second.ItemsAlreadyPresent);
    }

    public async Task DisposeAsync()
    {
        await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
