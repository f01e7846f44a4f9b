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
        Assert.Contains("chercheuse@example.fr  allocation changed  neutral 50 % → 20 %, playful 50 % → 80 %", shown, StringComparison.Ordinal);
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

    private async Task<string> DefineTone(string me, string name = "NudgeTone")
    {
        var file = Path.Combine(_dir, name + ".json");
        await File.WriteAllTextAsync(file, $$"""
        { "experiments": [ { "name": "{{name}}", "lever": "tone", "seed": "tone-2025-03",
          "variants": [ { "name": "neutral", "percent": 34 }, { "name": "playful", "percent": 33 }, { "name": "impact", "percent": 33 } ] } ] }
        """);
        var (code, _, err) = await Run("experiments", "define", file, "--as", me);
        Assert.True(code == 0, err);
        return file;
    }

    [Fact]
    public async Task A_reallocation_names_only_known_variants_records_every_moved_share_and_must_change_something()
    {
        var me = "chercheuse@example.fr";
        await DefineTone(me);

        var (bogusCode, _, bogus) = await RunIn(UiCulture.French, "experiments", "allocate", "NudgeTone", "neutral=50", "bogus=50", "--as", me);
        Assert.Equal(1, bogusCode);
        Assert.Contains("erreur : L'expérience « NudgeTone » n'a pas de variante « bogus » ; ses variantes sont neutral, playful, impact.", bogus, StringComparison.Ordinal);

        var (code, _, err) = await Run("experiments", "allocate", "NudgeTone", "neutral=50", "playful=50", "--as", me);
        Assert.True(code == 0, err);
        var (sameCode, _, same) = await Run("experiments", "allocate", "NudgeTone", "neutral=50", "playful=50", "impact=0", "--as", me);
        Assert.Equal(1, sameCode);
        Assert.Contains("error: Experiment 'NudgeTone' is already allocated neutral 50 %, playful 50 %, impact 0 %: nothing to change.", same, StringComparison.Ordinal);

        var (_, shown, _) = await Run("experiments", "show", "NudgeTone", "--as", me);
        Assert.Contains("NudgeTone (tone, draft): neutral 50 %, playful 50 %, impact 0 %", shown, StringComparison.Ordinal);
        var changes = shown.Split('\n').Where(l => l.Contains("allocation changed", StringComparison.Ordinal)).ToList();
        Assert.Single(changes);
        Assert.EndsWith("allocation changed  neutral 34 % → 50 %, playful 33 % → 50 %, impact 33 % → 0 %", changes[0].TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("bogus", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_refusals_states_and_audit_words_follow_the_terminals_language()
    {
        var me = "chercheuse@example.fr";
        await DefineTone(me);
        Assert.Equal(0, (await Run("experiments", "start", "NudgeTone", "--as", me)).Code);
        Assert.Equal(0, (await Run("experiments", "stop", "NudgeTone", "--reason", "fin du test", "--as", me)).Code);

        var (code, _, english) = await Run("experiments", "start", "NudgeTone", "--as", me);
        Assert.Equal(1, code);
        Assert.Equal("error: Experiment 'NudgeTone' can only be started from draft (current state: stopped)." + Environment.NewLine, english);
        var (_, _, french) = await RunIn(UiCulture.French, "experiments", "start", "NudgeTone", "--as", me);
        Assert.Equal("erreur : L'expérience « NudgeTone » ne peut démarrer que depuis l'état brouillon (état actuel : arrêtée)." + Environment.NewLine, french);

        var (_, shown, _) = await RunIn(UiCulture.French, "experiments", "show", "NudgeTone", "--as", me);
        Assert.Contains("NudgeTone (tone, arrêtée) : neutral 34 %, playful 33 %, impact 33 %", shown, StringComparison.Ordinal);
        Assert.Contains("chercheuse@example.fr  définie  neutral 34 %", shown, StringComparison.Ordinal);
        Assert.Contains("chercheuse@example.fr  démarrée", shown, StringComparison.Ordinal);
        Assert.Contains("chercheuse@example.fr  arrêtée  fin du test", shown, StringComparison.Ordinal);
        var (_, listed, _) = await Run("experiments", "list", "--as", me);
        Assert.Equal("NudgeTone\ttone\tstopped\tneutral 34 %, playful 33 %, impact 33 %" + Environment.NewLine, listed);
        var (_, listedInFrench, _) = await RunIn(UiCulture.French, "experiments", "list", "--as", me);
        Assert.Equal(listed, listedInFrench); // lines for scripts: the same in every language
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Stopping_with_a_blank_reason_is_refused_and_changes_nothing(string reason)
    {
        var me = "chercheuse@example.fr";
        await DefineTone(me);
        Assert.Equal(0, (await Run("experiments", "start", "NudgeTone", "--as", me)).Code);

        var (code, _, err) = await RunIn(UiCulture.French, "experiments", "stop", "NudgeTone", "--reason", reason, "--as", me);

        Assert.Equal(2, code);
        Assert.StartsWith("erreur : L'option --reason demande un motif", err, StringComparison.Ordinal);
        var (_, shown, _) = await Run("experiments", "show", "NudgeTone", "--as", me);
        Assert.Contains("NudgeTone (tone, running)", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("motif", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_no_experiment_says_so()
    {
        var (code, output, err) = await Run("experiments", "list", "--as", "chercheuse@example.fr");
        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Equal("No experiment is stored (`experiments define FILE.json` stores some)." + Environment.NewLine, err);
        var (_, _, french) = await RunIn(UiCulture.French, "experiments", "list", "--as", "chercheuse@example.fr");
        Assert.StartsWith("Aucune expérience enregistrée", french, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2]", "error: FILE: expected an object with an \"experiments\" array.")]
    [InlineData("""{ "experiments": [ { "name": "A", "lever": "tone", "seed": "s", "variants": [ { "name": "a", "percent": "fifty" }, { "name": "b", "percent": 50 } ] } ] }""",
        "error: experiments[2] (A): \"variants[1].percent\" must be a number, not a string (\"fifty\").")]
    [InlineData("""{ "experiments": [ { "name": "A", "lever": "tone", "seed": "s", "variants": [ { "name": "a", "percent": 50 }, { "name": "b", "percent": 50 } ], "targeting": { "projects": "x" } } ] }""",
        "error: experiments[2] (A): \"targeting.projects\" must be an array of strings (e.g. [\"a\", \"b\"]), not a string (\"x\").")]
    public async Task Defining_from_a_file_with_a_value_of_the_wrong_type_is_refused_and_stores_nothing(string json, string expected)
    {
        var file = Path.Combine(_dir, "bad.json");
        var good = """{ "name": "Good", "lever": "frequency", "seed": "f", "variants": [ { "name": "daily", "percent": 50 }, { "name": "weekly", "percent": 50 } ] }""";
        await File.WriteAllTextAsync(file, json.Replace("[ { \"name\": \"A\"", "[ " + good + ", { \"name\": \"A\"", StringComparison.Ordinal));

        var (code, _, err) = await Run("experiments", "define", file, "--as", "chercheuse@example.fr");

        Assert.Equal(1, code);
        Assert.Equal(expected.Replace("FILE", file, StringComparison.Ordinal) + Environment.NewLine, err);
        var (_, listed, _) = await Run("experiments", "list", "--as", "chercheuse@example.fr");
        Assert.Equal("", listed);
    }

    [Fact]
    public async Task Defining_a_file_that_names_an_existing_experiment_stores_none_of_it()
    {
        var me = "chercheuse@example.fr";
        await DefineTone(me);
        var file = Path.Combine(_dir, "again.json");
        await File.WriteAllTextAsync(file, """
        { "experiments": [
          { "name": "Fresh", "lever": "frequency", "seed": "f", "variants": [ { "name": "daily", "percent": 50 }, { "name": "weekly", "percent": 50 } ] },
          { "name": "NudgeTone", "lever": "tone", "seed": "t", "variants": [ { "name": "neutral", "percent": 50 }, { "name": "playful", "percent": 50 } ] } ] }
        """);

        var (code, _, err) = await Run("experiments", "define", file, "--as", me);

        Assert.Equal(1, code);
        Assert.Equal("error: Experiment 'NudgeTone' already exists; change its allocation instead of defining it again." + Environment.NewLine, err);
        var (_, listed, _) = await Run("experiments", "list", "--as", me);
        Assert.DoesNotContain("Fresh", listed, StringComparison.Ordinal);
    }
}
