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

    public void Dispose()
    {
        CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema).GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }
}
