using CoConstruisons.Cli.Commands;
using Npgsql;

namespace CoConstruisons.Cli.Tests;

/// <summary>Researchers change a running experiment from the terminal; the change is recorded and shown.</summary>
public sealed class ExperimentsAdminCommandTests : IAsyncLifetime
{
    private const string Connection = "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";
    private readonly string _schema = "cli_exp_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coco-cli-exp-" + Guid.NewGuid().ToString("N"));

    private Dictionary<string, string?> Settings => new()
    {
        ["Quartz:Enabled"] = "false",
        ["ConnectionStrings:Marten"] = Connection,
        ["Marten:Schema"] = _schema,
        ["Storage:Path"] = Path.Combine(_dir, "storage"),
    };

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => RunIn(UiCulture.English, args);

    private Task<(int Code, string Out, string Err)> RunIn(string culture, params string[] args) => CapturedCli.Run(ExperimentsAdminCommand.All, [.. args, "--connection", Connection, "--schema", _schema], culture);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        await AddOwnerCommand.Register(Settings, "chercheuse@example.fr", "Chercheuse", "mot-de-passe-solide", CancellationToken.None, researcher: true);
        await AddOwnerCommand.Register(Settings, "agent@example.fr", "Agent", "mot-de-passe-solide", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_running_experiments_allocation_change_is_recorded_and_shown_with_who_and_what()
    {
        var file = Path.Combine(_dir, "experiments.json");
        await File.WriteAllTextAsync(file, """
        { "experiments": [ { "name": "NudgeTone", "lever": "tone", "seed": "t1",
          "variants": [ { "name": "neutral", "percent": 50 }, { "name": "playful", "percent": 50 } ] } ] }
        """);
        var me = "chercheuse@example.fr";
        Assert.Equal(0, (await Run("experiments", "define", file, "--as", me)).Code);
        Assert.Equal(0, (await Run("experiments", "start", "NudgeTone", "--as", me)).Code);
        var (code, _, err) = await Run("experiments", "allocate", "NudgeTone", "neutral=20", "playful=80", "--as", me);
        Assert.True(code == 0, err);

        var (_, shown, _) = await Run("experiments", "show", "NudgeTone", "--as", me);
        Assert.Contains("NudgeTone (tone, running): neutral 20 %, playful 80 %", shown, StringComparison.Ordinal);
        Assert.Contains("chercheuse@example.fr  allocation_changed  neutral 50 % → 20 %, playful 50 % → 80 %", shown, StringComparison.Ordinal);
        Assert.Contains("started", shown, StringComparison.Ordinal);

        var (badCode, _, badErr) = await Run("experiments", "allocate", "NudgeTone", "neutral=20", "playful=70", "--as", me);
        Assert.Equal(1, badCode);
        Assert.Contains("90 %", badErr, StringComparison.Ordinal);

        var (deniedCode, _, denied) = await RunIn(UiCulture.French, "experiments", "list", "--as", "agent@example.fr");
        Assert.Equal(1, deniedCode);
        Assert.Contains("chercheur", denied, StringComparison.Ordinal);

        var (_, results, _) = await Run("experiments", "results", "NudgeTone", "--as", me);
        Assert.Contains("\"experiment\": \"NudgeTone\"", results, StringComparison.Ordinal);
        Assert.Contains("\"interim\": true", results, StringComparison.Ordinal);
    }
}
