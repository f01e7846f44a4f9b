using System.Text.Json;
using CoConstruisons.Cli.Commands;

namespace CoConstruisons.Cli.Tests;

/// <summary>`bench model`: its options, in-process (console captured; tests run one at a time).</summary>
public sealed class ModelBenchCommandTests
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => CapturedCli.Run([new BenchModelCommand()], args);

    [Theory]
    [InlineData("--networks", "0", "--networks")]
    [InlineData("--networks", "17", "--networks")]
    [InlineData("--swa", "1.5", "--swa")]
    [InlineData("--swa", "-1", "--swa")]
    [InlineData("--swa-learning-rate", "0", "--swa-learning-rate")]
    public async Task An_out_of_range_setting_is_refused_with_a_usage_error_before_anything_is_trained(string option, string value, string named)
    {
        var (code, stdout, stderr) = await Run("bench", "model", "--smoke", option, value);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Contains(value, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_smoke_run_with_two_networks_says_so_and_measures_them()
    {
        var (code, stdout, stderr) = await Run("bench", "model", "--smoke", "--model", "network", "--networks", "2");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Contains("2 networks", root.GetProperty("method").GetString(), StringComparison.Ordinal);
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0, 1);
    }
}
