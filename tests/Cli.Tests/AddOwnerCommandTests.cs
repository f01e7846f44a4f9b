using CoConstruisons.Cli.Commands;
using Npgsql;

namespace CoConstruisons.Cli.Tests;

public sealed class AddOwnerCommandTests : IAsyncLifetime
{
    private const string Connection = "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";
    private readonly string _schema = "cli_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "coco-cli-" + Guid.NewGuid().ToString("N"));

    private Dictionary<string, string?> Settings => new()
    {
        ["Quartz:Enabled"] = "false",
        ["ConnectionStrings:Marten"] = Connection,
        ["Marten:Schema"] = _schema,
        ["Storage:Path"] = _storage,
    };

    [Fact]
    public async Task An_owner_is_created_once_and_a_second_run_changes_nothing()
    {
        var (first, created) = await AddOwnerCommand.Register(Settings, "Agent@Ville.fr", "Agente", "mot-de-passe-solide", CancellationToken.None);
        var (second, createdAgain) = await AddOwnerCommand.Register(Settings, "agent@ville.fr", "Autre", "autre-mot-de-passe", CancellationToken.None);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_short_password_or_a_bad_email_is_refused_with_the_reason()
    {
        using var french = UiCulture.Use(UiCulture.French);
        var error = await Assert.ThrowsAsync<CliException>(() =>
            AddOwnerCommand.Register(Settings, "pas-une-adresse", "X", "court", CancellationToken.None));

        Assert.Contains("Adresse électronique invalide.", error.Message, StringComparison.Ordinal);
        Assert.Contains("au moins 8 caractères", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_display_name_is_refused_in_words_of_the_chosen_language(string name)
    {
        using var french = UiCulture.Use(UiCulture.French);
        var error = await Assert.ThrowsAsync<CliException>(() =>
            AddOwnerCommand.Register(Settings, "agent@ville.fr", name, "mot-de-passe-solide", CancellationToken.None));

        Assert.Contains("Le nom affiché est obligatoire (200 caractères au plus).", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Display Name", error.Message, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema);
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }
}
