using CoConstruisons.Cli.Commands;

namespace CoConstruisons.Cli.Tests;

/// <summary>`import-opensolarmap`: wrong files are refused before the import's owner is created.</summary>
public sealed class ImportOpenSolarMapCommandTests : IDisposable
{
    private const string Connection = "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";
    private readonly string _dir = Directory.CreateTempSubdirectory("coco-osm-cli-").FullName;
    private readonly string _schema = "cli_" + Guid.NewGuid().ToString("N")[..10];

    private Task<(int Code, string Out, string Err)> Run(string images, string contributions) => CapturedCli.Run(
        [new ImportOpenSolarMapCommand()],
        ["import-opensolarmap", "--images", images, "--contributions", contributions, "--connection", Connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage")]);

    [Fact]
    public async Task A_missing_image_folder_or_a_wrong_header_is_refused_and_creates_no_owner()
    {
        var contributions = Path.Combine(_dir, "contributions.csv");
        File.WriteAllText(contributions, "building_id,choice,contributor,created_at\n1,1,abc,2015-01-01\n");
        var images = Directory.CreateDirectory(Path.Combine(_dir, "roof_images")).FullName;

        var (missingCode, _, missingErr) = await Run(Path.Combine(_dir, "nosuchdir"), contributions);
        Assert.Equal(1, missingCode);
        Assert.Contains("Images not found", missingErr, StringComparison.Ordinal);
        Assert.Contains("nosuchdir", missingErr, StringComparison.Ordinal);

        var wrong = Path.Combine(_dir, "wrong.csv");
        File.WriteAllText(wrong, "item,worker,label\n1,abc,1\n");
        var (headerCode, _, headerErr) = await Run(images, wrong);
        Assert.Equal(1, headerCode);
        Assert.Contains("item,worker,label", headerErr, StringComparison.Ordinal);

        Assert.DoesNotContain("created owner", missingErr + headerErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", missingErr + headerErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contributions_without_any_usable_answer_or_a_truncated_zip_are_refused_in_french_and_create_nothing()
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "roof_images")).FullName;
        File.WriteAllBytes(Path.Combine(images, "101.jpg"), CoConstruisons.Infrastructure.Images.RoofImageGenerator.Draw("flat", new Random(1)));
        var good = Path.Combine(_dir, "contributions.csv");
        File.WriteAllText(good, "building_id,choice,contributor,created_at\n101,3,abc,2015-01-01\n");
        var empty = Path.Combine(_dir, "empty.csv");
        File.WriteAllBytes(empty, []);
        var headerOnly = Path.Combine(_dir, "header.csv");
        File.WriteAllText(headerOnly, "building_id,choice,contributor,created_at\n");
        var allBad = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(allBad, "building_id,choice,contributor,created_at\n101,9,abc,2015-01-01\n101,1\n");
        var truncated = Path.Combine(_dir, "trunc.zip");
        File.WriteAllBytes(truncated, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]);
        Task<(int Code, string Out, string Err)> French(string imagesPath, string contributions) => CapturedCli.Run(
            [new ImportOpenSolarMapCommand()],
            ["import-opensolarmap", "--images", imagesPath, "--contributions", contributions, "--owner-email", "osm@ville.fr",
                "--connection", Connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage")],
            UiCulture.French);

        var refusals = new[]
        {
            (await French(images, empty), "erreur : empty.csv : le fichier est vide (attendu : la ligne d'en-tête « building_id,choice,contributor,created_at »"),
            (await French(images, headerOnly), "erreur : header.csv : aucune réponse après la ligne d'en-tête"),
            (await French(images, allBad), "erreur : bad.csv : aucune réponse utilisable (2 ligne(s) refusée(s), la première à la ligne 2 : choix inconnu « 9 »"),
            (await French(truncated, good), "erreur : trunc.zip : archive ZIP illisible ou tronquée ("),
        };
        foreach (var ((code, stdout, stderr), message) in refusals)
        {
            Assert.Equal(1, code);
            Assert.Empty(stdout);
            Assert.StartsWith(message, stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("créé", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }

        // The good files: the owner and the project are created then (so no refused run had created them: a rerun
        // finds and reuses both, and would say neither was created), and the progress lines are French too.
        var (goodCode, goodOut, goodErr) = await French(images, good);
        Assert.True(goodCode == 0, goodErr);
        Assert.Contains("porteur osm@ville.fr créé", goodErr, StringComparison.Ordinal);
        Assert.Contains("1 réponse(s) lue(s) (0 ligne(s) inutilisable(s)), 0 bâtiment(s)", goodErr, StringComparison.Ordinal);
        Assert.Matches("projet [0-9a-f-]{36} créé", goodErr);
        Assert.Contains("consensus recalculé : 1 réponse(s), ", goodErr, StringComparison.Ordinal);
        Assert.DoesNotContain("read 1 answers", goodErr, StringComparison.Ordinal);
        Assert.Contains("\"project_created\": true", goodOut, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema).GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }
}
