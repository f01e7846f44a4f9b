using System.Text;
using CoConstruisons.Cli.Commands;
using CoConstruisons.Cli.Imports;
using CoConstruisons.Domain.Items;
using CoConstruisons.Tests.Shared;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SkiaSharp;

namespace CoConstruisons.Cli.Tests;

public sealed class ImportManifestCommandTests : IAsyncLifetime
{
    private const string Connection = "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";
    private readonly string _schema = "cli_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coco-manifest-" + Guid.NewGuid().ToString("N"));

    private Dictionary<string, string?> Settings => new()
    {
        ["Quartz:Enabled"] = "false",
        ["ConnectionStrings:Marten"] = Connection,
        ["Marten:Schema"] = _schema,
        ["Storage:Path"] = Path.Combine(_dir, "storage"),
        ["Uploads:MaxImageBytes"] = "100000",
        // The slow file answers after 4 s; 2 s leaves the quick download room on a loaded CI machine
        // (with 1 s the first download, which also starts the HTTP client, once missed it).
        ["Downloads:TimeoutSeconds"] = "2",
    };

    private static readonly ImportTarget Create = new(null, "Manifeste", "yes:Oui,no:Non", null, 5, "agent@ville.fr");

    [Fact]
    public async Task Every_row_is_added_or_reported_with_its_reason_and_a_second_run_adds_nothing()
    {
        using var french = UiCulture.Use(UiCulture.French);
        using var server = new LocalHttpServer(path => path switch
        {
            "/ok.png" => new LocalResponse(200, LocalHttpServer.Png(20, 10, SKColors.Teal)),
            "/text" => new LocalResponse(200, Encoding.UTF8.GetBytes("<html>not an image</html>"), "text/html"),
            "/huge.png" => new LocalResponse(200, new byte[300_000]),
            "/slow.png" => new LocalResponse(200, LocalHttpServer.Png(8, 8, SKColors.Red), Delay: TimeSpan.FromSeconds(4)),
            _ => new LocalResponse(404, []),
        });
        var images = Directory.CreateDirectory(Path.Combine(_dir, "photos", "sub")).Parent!.FullName;
        File.WriteAllBytes(Path.Combine(images, "a.png"), LocalHttpServer.Png(16, 16, SKColors.Blue));
        File.WriteAllBytes(Path.Combine(images, "sub", "b.png"), LocalHttpServer.Png(16, 16, SKColors.Green));
        File.WriteAllBytes(Path.Combine(images, "same-as-a.png"), LocalHttpServer.Png(16, 16, SKColors.Blue));
        File.WriteAllBytes(Path.Combine(images, "broken.png"), [.. LocalHttpServer.Png(16, 16, SKColors.Yellow).Take(40)]);
        File.WriteAllBytes(Path.Combine(images, "never-listed.png"), LocalHttpServer.Png(4, 4, SKColors.Pink));
        var csv = new List<byte[]>
        {
            Encoding.UTF8.GetBytes("image;commune;surface\n"),
            Encoding.UTF8.GetBytes("a.png;Lyon;12\n"), // line 2
            Encoding.UTF8.GetBytes("sub\\b.png;\"Saint-Étienne; Loire\";30\n"), // 3: quoted delimiter, backslash path
            Encoding.UTF8.GetBytes($"{server.BaseUrl}/ok.png;Paris;7\n"), // 4: downloaded
            Encoding.UTF8.GetBytes($"{server.BaseUrl}/missing.png;Paris;7\n"), // 5: 404
            Encoding.UTF8.GetBytes($"{server.BaseUrl}/text;Paris;7\n"), // 6: not an image
            Encoding.UTF8.GetBytes($"{server.BaseUrl}/huge.png;Paris;7\n"), // 7: over the size limit
            Encoding.UTF8.GetBytes($"{server.BaseUrl}/slow.png;Paris;7\n"), // 8: over the time limit
            Encoding.UTF8.GetBytes("same-as-a.png;Lyon;12\n"), // 9: same bytes as line 2
            Encoding.UTF8.GetBytes("broken.png;Nancy;1\n"), // 10: corrupt image
            Encoding.UTF8.GetBytes("absent.png;Nancy;1\n"), // 11: no such file
            Encoding.UTF8.GetBytes("../secret.png;Nancy;1\n"), // 12: leaves the folder
            Encoding.UTF8.GetBytes("a.png;Lyon\n"), // 13: truncated
            Encoding.Latin1.GetBytes("a.png;Évry;3\n"), // 14: Latin-1, not UTF-8
            Encoding.UTF8.GetBytes(";Metz;4\n"), // 15: empty image cell
        };
        var manifest = Path.Combine(images, "manifest.csv");
        File.WriteAllBytes(manifest, [.. csv.SelectMany(b => b)]);

        var (project, created, report) = await ImportManifestCommand.Import(Settings, Create, manifest, null, null, CancellationToken.None);

        Assert.True(created);
        Assert.Equal("image", report.ImageColumn);
        Assert.Equal(14, report.Rows);
        Assert.Equal(["a.png", "b.png", "ok.png"], report.Added.Select(a => a.FileName));
        Assert.Equal(2, report.Downloaded); // ok.png and the HTML page (fetched, then refused as an image)
        Assert.Equal(report.Rows, report.Added.Count + report.Duplicates.Count + report.Rejected.Count + report.BadRows.Count);
        var duplicate = Assert.Single(report.Duplicates);
        Assert.Contains("ligne 9", duplicate.FileName, StringComparison.Ordinal);
        string Reason(int line) => Assert.Single(report.Rejected, r => r.FileName.StartsWith($"ligne {line} ", StringComparison.Ordinal)).Reason;
        Assert.Contains("HTTP 404", Reason(5), StringComparison.Ordinal);
        Assert.Contains("image", Reason(6), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("trop gros", Reason(7), StringComparison.Ordinal);
        Assert.Contains("trop long", Reason(8), StringComparison.Ordinal);
        Assert.Contains("introuvable", Reason(11), StringComparison.Ordinal);
        Assert.Contains("interdit", Reason(12), StringComparison.Ordinal);
        Assert.Equal(7, report.Rejected.Count); // lines 5, 6, 7, 8, 10 (corrupt), 11, 12
        Assert.Equal([13, 14, 15], report.BadRows.Select(b => b.Line));
        Assert.Contains("tronquée", report.BadRows[0].Reason, StringComparison.Ordinal);
        Assert.Contains("UTF-8", report.BadRows[1].Reason, StringComparison.Ordinal);
        Assert.Contains("never-listed.png", report.Unreferenced);

        await using (var provider = await PlatformServices.StartAsync(Settings))
        {
            await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
            var b = await session.Query<Item>().SingleAsync(i => i.ProjectId == project && i.FileName == "b.png");
            Assert.Equal("Saint-Étienne; Loire", b.Metadata["commune"]);
            Assert.Equal("30", b.Metadata["surface"]);
            Assert.Equal("sub\\b.png", b.Metadata["image"]);
        }

        var (again, createdAgain, second) = await ImportManifestCommand.Import(Settings, Create, manifest, null, null, CancellationToken.None);
        Assert.Equal(project, again);
        Assert.False(createdAgain);
        Assert.Empty(second.Added);
        Assert.Equal(4, second.Duplicates.Count); // a, b, ok (already in the project) and same-as-a

    }

    [Fact]
    public async Task A_manifest_without_the_image_column_is_refused_naming_the_columns()
    {
        Directory.CreateDirectory(_dir);
        var manifest = Path.Combine(_dir, "m.csv");
        File.WriteAllText(manifest, "photo,commune\na.png,Lyon\n");

        var error = await Assert.ThrowsAsync<CliException>(() =>
            ImportManifestCommand.Import(Settings, Create, manifest, null, null, CancellationToken.None));

        Assert.Contains("photo, commune", error.Message, StringComparison.Ordinal);
        var (_, _, report) = await ImportManifestCommand.Import(Settings, Create, manifest, null, "photo", CancellationToken.None);
        Assert.Equal("photo", report.ImageColumn);
        Assert.Single(report.Rejected); // a.png is not there
    }

    [Fact]
    public async Task Bad_inputs_on_the_command_line_are_refused_with_one_clear_line_before_any_owner_or_project_is_created()
    {
        Directory.CreateDirectory(_dir);
        var empty = Path.Combine(_dir, "empty.csv");
        File.WriteAllText(empty, "");
        var good = Path.Combine(_dir, "good.csv");
        File.WriteAllText(good, "image\na.png\n");
        File.WriteAllBytes(Path.Combine(_dir, "a.png"), LocalHttpServer.Png(16, 16, SKColors.Blue));
        string[] Args(string manifest, string choices, string connection = Connection) =>
            ["import-manifest", "--manifest", manifest, "--create", "Essai", "--choices", choices, "--owner-email", "agent@ville.fr",
                "--connection", connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage")];
        Task<(int Code, string Out, string Err)> Run(string[] args) => CapturedCli.Run([new ImportManifestCommand()], args);

        var (emptyCode, _, emptyErr) = await Run(Args(empty, "yes:Oui,no:Non"));
        Assert.Equal(1, emptyCode);
        Assert.Matches("(vide|empty)", emptyErr);

        var (oneChoiceCode, _, oneChoiceErr) = await Run(Args(good, "a"));
        Assert.Equal(2, oneChoiceCode);
        Assert.Matches("(2 et 10 choix|2 and 10 choices)", oneChoiceErr);

        var (sameKeyCode, _, sameKeyErr) = await Run(Args(good, "a:A,a:B"));
        Assert.Equal(2, sameKeyCode);
        Assert.Matches("(même clé|same key)", sameKeyErr);

        var (noDatabaseCode, _, noDatabaseErr) = await Run(Args(good, "yes:Oui,no:Non", "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=2"));
        Assert.Equal(1, noDatabaseCode);
        Assert.Contains("PostgreSQL", noDatabaseErr, StringComparison.Ordinal);

        foreach (var err in new[] { emptyErr, oneChoiceErr, sameKeyErr, noDatabaseErr })
        {
            Assert.DoesNotContain("created", err, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled", err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        }

        // Nothing was left behind: the first good run creates the owner and the project.
        var (code, stdout, stderr) = await Run(Args(good, "yes:Oui,no:Non"));
        Assert.True(code == 0, stderr); // every row imported: success
        Assert.DoesNotContain("not imported", stderr, StringComparison.Ordinal);
        Assert.Contains("created owner agent@ville.fr", stderr, StringComparison.Ordinal);
        Assert.Contains("created project", stderr, StringComparison.Ordinal);
        Assert.Contains("\"project_created\": true", stdout, StringComparison.Ordinal);

        // A run that refuses rows tells a script so: exit code 3 and one line saying how many, the report as usual.
        var partial = Path.Combine(_dir, "partial.csv");
        File.WriteAllText(partial, "image,commune\na.png,Lyon\nabsent.png,Lyon\na.png\n");
        var (partialCode, partialOut, partialErr) = await CapturedCli.Run([new ImportManifestCommand()], Args(partial, "yes:Oui,no:Non"), UiCulture.French);
        Assert.Equal(3, partialCode);
        Assert.Contains("\"duplicates\": 1", partialOut, StringComparison.Ordinal);
        Assert.Contains("\"rejected\": 1", partialOut, StringComparison.Ordinal);
        Assert.Contains("\"bad_rows\": 1", partialOut, StringComparison.Ordinal);
        Assert.Contains("2 lignes sur 3 n'ont pas été importées (1 refusée, 1 invalide)", partialErr, StringComparison.Ordinal);
        Assert.Contains("code de sortie 3", partialErr, StringComparison.Ordinal);
        var (againCode, _, againErr) = await Run(Args(good, "yes:Oui,no:Non"));
        Assert.True(againCode == 0, againErr); // already there is not a failure
    }

    [Fact]
    public async Task A_refused_manifest_or_images_zip_is_explained_in_french_and_leaves_no_project_behind()
    {
        Directory.CreateDirectory(_dir);
        var noColumn = Path.Combine(_dir, "nocol.csv");
        File.WriteAllText(noColumn, "photo,commune\na.png,Lyon\n");
        var headerOnly = Path.Combine(_dir, "entete.csv");
        File.WriteAllText(headerOnly, "image,commune\n");
        var good = Path.Combine(_dir, "good.csv");
        File.WriteAllText(good, "image\na.png\n");
        var zip = Path.Combine(_dir, "images.zip");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var entry = archive.CreateEntry("a.png").Open();
            entry.Write(LocalHttpServer.Png(16, 16, SKColors.Blue));
        }

        var truncated = Path.Combine(_dir, "trunc.zip");
        var whole = File.ReadAllBytes(zip);
        File.WriteAllBytes(truncated, whole[..(whole.Length / 2)]);
        string[] Args(string manifest, params string[] more) =>
            ["import-manifest", "--manifest", manifest, "--create", "Ne doit pas exister", "--choices", "a:A,b:B", "--owner-email", "agent@ville.fr",
                "--connection", Connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage"), .. more];
        Task<(int Code, string Out, string Err)> French(string[] args) => CapturedCli.Run([new ImportManifestCommand()], args, UiCulture.French);

        var (noColumnCode, noColumnOut, noColumnErr) = await French(Args(noColumn));
        Assert.Equal(1, noColumnCode);
        Assert.Contains("erreur : Manifeste « nocol.csv » refusé : aucune colonne d'image", noColumnErr, StringComparison.Ordinal);

        var (headerCode, headerOut, headerErr) = await French(Args(headerOnly));
        Assert.Equal(1, headerCode);
        Assert.Contains("erreur : Manifeste « entete.csv » refusé : aucune ligne après l'en-tête", headerErr, StringComparison.Ordinal);

        var (zipCode, zipOut, zipErr) = await French(Args(good, "--images", truncated));
        Assert.Equal(1, zipCode);
        Assert.Contains($"erreur : « {truncated} » : archive ZIP illisible ou tronquée (", zipErr, StringComparison.Ordinal);

        foreach (var (stdout, stderr) in new[] { (noColumnOut, noColumnErr), (headerOut, headerErr), (zipOut, zipErr) })
        {
            Assert.Empty(stdout);
            Assert.DoesNotContain("créé", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }

        await using (var provider = await PlatformServices.StartAsync(Settings))
        {
            await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
            Assert.Equal(0, await session.Query<CoConstruisons.Domain.Projects.Project>().CountAsync());
        }

        // The same import with the whole zip goes through.
        var (code, _, stderr2) = await French(Args(good, "--images", zip));
        Assert.True(code == 0, stderr2);
        Assert.Contains("« Ne doit pas exister »", stderr2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_project_option_that_is_not_an_id_is_a_usage_error()
    {
        Directory.CreateDirectory(_dir);
        var good = Path.Combine(_dir, "good.csv");
        File.WriteAllText(good, "image\na.png\n");

        var (code, stdout, stderr) = await CapturedCli.Run([new ImportManifestCommand()],
            ["import-manifest", "--manifest", good, "--project", "not-a-guid", "--connection", Connection, "--schema", _schema, "--storage", Path.Combine(_dir, "storage")],
            UiCulture.French);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith("erreur : --project « not-a-guid » n'est pas un identifiant de projet", stderr, StringComparison.Ordinal);
        Assert.Contains("usage : coconstruisons import-manifest", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_is_named_before_the_list_of_commands()
    {
        var (code, stdout, stderr) = await CapturedCli.Run([new ImportManifestCommand()], ["frobnicate", "--x", "1"]);

        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", stderr, StringComparison.Ordinal);
        Assert.Contains("import-manifest", stderr, StringComparison.Ordinal); // the list is part of the error message
        Assert.Empty(stdout);
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
