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
    [InlineData("--vote-weight", "1.5", "--vote-weight")]
    [InlineData("--vote-weight", "-0.5", "--vote-weight")]
    [InlineData("--min-answers", "0", "--min-answers")]
    [InlineData("--extra-labels", "tout", "--extra-labels")]
    [InlineData("--optimizer", "adam", "--optimizer")]
    [InlineData("--momentum", "1", "--momentum")]
    [InlineData("--low-res-share", "1", "--low-res-share")]
    [InlineData("--low-res-share", "-0.25", "--low-res-share")]
    [InlineData("--low-res-size", "30", "--low-res-size")]
    [InlineData("--low-res-size", "48", "--low-res-size")]
    [InlineData("--jitter", "1", "--jitter")]
    [InlineData("--jitter", "-0.1", "--jitter")]
    public async Task An_out_of_range_setting_is_refused_with_a_usage_error_before_anything_is_trained(string option, string value, string named)
    {
        var (code, stdout, stderr) = await Run("bench", "model", "--smoke", option, value);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Contains(value, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_smoke_run_trains_with_sgd_by_default_and_with_adamw_when_asked_each_at_its_learning_rate_in_numbers_any_locale_reads()
    {
        // Numbers under a French locale: the JSON still writes 0.03, not 0,03.
        var (before, beforeDefault) = (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.DefaultThreadCurrentCulture);
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("fr-FR");
        (int Code, string Out, string Err) run;
        try
        {
            run = await Run("bench", "model", "--smoke", "--model", "network");
        }
        finally
        {
            (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.DefaultThreadCurrentCulture) = (before, beforeDefault);
        }

        var (code, stdout, stderr) = run;

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var method = json.RootElement.GetProperty("method").GetString();
        Assert.Contains("trained from scratch with SGD (Nesterov momentum)", method, StringComparison.Ordinal);
        Assert.Contains("learning rate 0.03, weight decay 0.0005, momentum 0.9", method, StringComparison.Ordinal);
        Assert.InRange(json.RootElement.GetProperty("accuracy").GetDouble(), 0, 1);

        var (adamCode, adamOut, adamErr) = await Run("bench", "model", "--smoke", "--model", "network", "--optimizer", "adamw");
        Assert.True(adamCode == 0, adamErr);
        using var adam = JsonDocument.Parse(adamOut);
        var adamMethod = adam.RootElement.GetProperty("method").GetString();
        Assert.Contains("trained from scratch with AdamW", adamMethod, StringComparison.Ordinal);
        Assert.Contains("learning rate 0.002, weight decay 0.0005, seed", adamMethod, StringComparison.Ordinal);
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

        // How the auto-label threshold holds on new images: 1,000 re-splits of the held-out images.
        var resampled = root.GetProperty("auto_label_resampled");
        Assert.Equal(1000, resampled.GetProperty("repeats").GetInt32());
        Assert.InRange(resampled.GetProperty("share_below_target").GetDouble(), 0, 1);
        Assert.InRange(resampled.GetProperty("mean_coverage").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task The_smoke_run_learns_from_the_answer_shares_and_says_how_many_images_had_them()
    {
        var (code, stdout, stderr) = await Run("bench", "model", "--smoke", "--model", "network");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var method = json.RootElement.GetProperty("method").GetString();
        Assert.Matches(@"learning for \d+ of its \d+ training images the crowd's answer shares on them instead of their label", method);

        var (halfCode, halfOut, halfErr) = await Run("bench", "model", "--smoke", "--model", "network", "--vote-weight", "0.5");
        Assert.True(halfCode == 0, halfErr);
        using var half = JsonDocument.Parse(halfOut);
        Assert.Matches(@"learning for \d+ of its \d+ training images the label × 0\.5 \+ the crowd's answer shares × 0\.5", half.RootElement.GetProperty("method").GetString());

        var (offCode, offOut, offErr) = await Run("bench", "model", "--smoke", "--model", "network", "--vote-weight", "0");
        Assert.True(offCode == 0, offErr);
        using var off = JsonDocument.Parse(offOut);
        Assert.DoesNotContain("answer shares", off.RootElement.GetProperty("method").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_data_folder_the_other_buildings_answers_extend_the_training_part_only()
    {
        // A small folder shaped like ../shared/data/opensolarmap: 60 labelled buildings, 30 others with answers.
        var root = Directory.CreateTempSubdirectory("coco-bench-data-").FullName;
        try
        {
            var images = Directory.CreateDirectory(Path.Combine(root, "roof_images")).FullName;
            var generated = new CoConstruisons.Infrastructure.Images.RoofImageGenerator().Generate(90, seed: 5);
            var labels = new List<string> { "building_id,label" };
            var contributions = new List<string> { "building_id,choice,contributor,created_at" };
            for (var i = 0; i < generated.Count; i++)
            {
                var id = (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
                File.WriteAllBytes(Path.Combine(images, id + ".png"), generated[i].Bytes);
                if (i < 60)
                {
                    labels.Add($"{id},{generated[i].TrueChoice}");
                }

                // Buildings 60–74 answered twice, 75–89 once (too few for --min-answers 2).
                contributions.Add($"{id},{generated[i].TrueChoice},ana,2015-06-01");
                if (i < 75)
                {
                    contributions.Add($"{id},{generated[i].TrueChoice},bo,2015-06-02");
                }
            }

            File.WriteAllLines(Path.Combine(root, "dsg2016_train_labels.csv"), labels);
            File.WriteAllLines(Path.Combine(root, "contributions.csv"), contributions);

            var (code, stdout, stderr) = await Run("bench", "model", "--data", root, "--model", "network", "--epochs", "1", "--width", "4", "--extra-labels", "answers");

            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.Contains("extended with 15 other buildings that at least 2 contributors answered", json.RootElement.GetProperty("dataset").GetString(), StringComparison.Ordinal);
            var split = json.RootElement.GetProperty("split").GetString()!;
            var parts = System.Text.RegularExpressions.Regex.Match(split, @"-> (\d+) training, (\d+) calibration, (\d+) test images");
            Assert.True(parts.Success, split);
            Assert.Equal(60 + 15, int.Parse(parts.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + int.Parse(parts.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + int.Parse(parts.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
