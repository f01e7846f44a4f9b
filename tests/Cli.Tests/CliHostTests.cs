using CoConstruisons.Cli.Commands;

namespace CoConstruisons.Cli.Tests;

/// <summary>What the command line does before any command's own work: help, unknown commands, the database options.</summary>
public sealed class CliHostTests
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) =>
        CapturedCli.Run([new AddOwnerCommand(), new ConsensusCommand()], args);

    [Fact]
    public async Task Help_asked_for_goes_to_standard_output_and_after_an_unknown_command_to_standard_error()
    {
        var (helpCode, helpOut, helpErr) = await Run("--help");
        var (unknownCode, unknownOut, unknownErr) = await Run("frobnicate");

        Assert.Equal(0, helpCode);
        Assert.Contains("add-owner --email E", helpOut, StringComparison.Ordinal);
        Assert.Equal(string.Empty, helpErr);
        Assert.Equal(2, unknownCode);
        Assert.Equal(string.Empty, unknownOut); // nothing a script could mistake for output
        Assert.Contains("unknown command 'frobnicate'", unknownErr, StringComparison.Ordinal);
        Assert.Contains("add-owner --email E", unknownErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_option_that_is_not_a_connection_string_is_a_usage_error_said_in_words()
    {
        var (code, stdout, stderr) = await Run("add-owner", "--email", "a@b.fr", "--name", "A", "--password", "long-enough-pw", "--connection", "garbage");

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("--connection: the connection string given is not a PostgreSQL connection string", stderr, StringComparison.Ordinal);
        Assert.Contains("Host=…;Database=…;Username=…;Password=…", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=x;Password=secret123;Foo=1")]
    [InlineData("Host=x;Password=sec;ret123")]
    public async Task A_refused_connection_string_is_never_repeated_since_it_may_hold_a_password(string connection)
    {
        var (code, stdout, stderr) = await Run("add-owner", "--email", "a@b.fr", "--name", "A", "--password", "long-enough-pw", "--connection", connection);

        Assert.Equal(2, code);
        Assert.DoesNotContain("ret123", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("not a PostgreSQL connection string", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad schema; drop")]
    [InlineData("1starts_with_a_digit")]
    [InlineData("quote\"d")]
    [InlineData("coco\n")]
    public async Task A_schema_that_is_not_a_plain_identifier_is_refused_before_anything_connects(string schema)
    {
        // An unreachable server: had the command tried to connect, the message would be PostgreSQL's.
        var (code, _, stderr) = await CapturedCli.Run(
            [new AddOwnerCommand()],
            ["add-owner", "--email", "a@b.fr", "--name", "A", "--password", "long-enough-pw", "--connection", "Host=127.0.0.1;Port=1;Database=x", "--schema", schema],
            UiCulture.French);

        Assert.Equal(2, code);
        Assert.Contains($"--schema : le nom de schéma « {schema} » n'est pas accepté", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PostgreSQL", stderr, StringComparison.Ordinal);
    }
}
