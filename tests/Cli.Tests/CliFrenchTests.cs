using CoConstruisons.Cli.Commands;

namespace CoConstruisons.Cli.Tests;

/// <summary>French first: under a French locale the command line's own messages are French, with French typography (tests run one at a time).</summary>
public sealed class CliFrenchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coco-cli-fr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Err)> French(ICliCommand command, params string[] args) =>
        CapturedCli.Run([command], args, UiCulture.French);

    [Fact]
    public async Task An_unknown_command_is_named_in_french_before_the_list_of_commands()
    {
        var (code, stdout, stderr) = await French(new ConsensusCommand(), "frobnicate", "--x", "1");

        Assert.Equal(2, code);
        Assert.Contains("erreur : commande inconnue « frobnicate » (les commandes sont listées ci-dessous).", stderr, StringComparison.Ordinal);
        Assert.Contains("commandes :", stderr, StringComparison.Ordinal);
        Assert.Contains("Déduit une étiquette par élément", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
        Assert.DoesNotContain("unknown command", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_option_value_is_a_french_usage_error_followed_by_the_usage()
    {
        var (code, stdout, stderr) = await French(new TrainImagesCommand(),
            "train-images", "--images", _dir, "--labels", Path.Combine(_dir, "labels.csv"), "--out", Path.Combine(_dir, "model"), "--epochs", "beaucoup");

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("erreur : L'option --epochs doit être un nombre entier, pas « beaucoup ».", stderr, StringComparison.Ordinal);
        Assert.Contains("usage : coconstruisons train-images --images DIR", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_or_a_missing_file_given_as_the_answers_csv_is_explained_in_french()
    {
        var (folderCode, _, folderErr) = await French(new ConsensusCommand(), "consensus", _dir);
        var missing = Path.Combine(_dir, "absent.csv");
        var (missingCode, _, missingErr) = await French(new ConsensusCommand(), "consensus", missing);

        Assert.Equal(1, folderCode);
        Assert.Contains($"erreur : {_dir} est un dossier : donnez le chemin du fichier CSV lui-même.", folderErr, StringComparison.Ordinal);
        Assert.Equal(1, missingCode);
        Assert.Contains($"erreur : {missing} : impossible de lire le fichier (", missingErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_is_explained_in_french()
    {
        var (code, _, stderr) = await French(new AddOwnerCommand(),
            "add-owner", "--email", "agent@ville.fr", "--name", "Agente", "--password", "mot-de-passe-solide",
            "--connection", "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=2", "--schema", "cli_fr_absent");

        Assert.Equal(1, code);
        Assert.Contains("erreur : impossible d'utiliser la base de données PostgreSQL (", stderr, StringComparison.Ordinal);
        Assert.Contains("Démarrez PostgreSQL (`pg_ctlcluster 15 main start`", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fr_FR.UTF-8", "erreur : commande inconnue « frobnicate »")]
    [InlineData("C.UTF-8", "error: unknown command 'frobnicate'")]
    [InlineData("en_GB.UTF-8", "error: unknown command 'frobnicate'")]
    public async Task The_terminals_locale_chooses_the_language_of_the_command_lines_own_messages(string lang, string expected)
    {
        // Pinned and restored around the test; the terminal's locale then sets the language as the program does.
        using var restore = UiCulture.Use(UiCulture.English);
        var environment = new Dictionary<string, string?> { ["LANG"] = lang };
        CliHost.UseTerminalLanguage(name => environment.GetValueOrDefault(name));
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        int code;
        try
        {
            code = await CliHost.RunAsync([new ConsensusCommand()], ["frobnicate"]);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
    }
}
