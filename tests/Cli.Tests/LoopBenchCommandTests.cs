using System.Text.Json;
using CoConstruisons.Cli.Bench;

namespace CoConstruisons.Cli.Tests;

/// <summary>`bench loop --smoke`: generated roofs and answers, in-process (console captured; tests run one at a time).</summary>
public sealed class LoopBenchCommandTests
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => CapturedCli.Run([new LoopBenchCommand()], args);

    [Fact]
    public async Task The_smoke_loop_trains_without_the_reference_items_machine_labels_and_replays_with_priors()
    {
        var (code, stdout, stderr) = await Run("bench", "loop", "--smoke");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("loop", root.GetProperty("benchmark").GetString());
        var training = root.GetProperty("training");

        // Every confident label is either on a reference item (left out) or used for training.
        Assert.Equal(
            training.GetProperty("pass1_confident").GetInt32(),
            training.GetProperty("excluded_reference").GetInt32() + training.GetProperty("excluded_no_image").GetInt32() + training.GetProperty("labels_used").GetInt32());
        Assert.True(training.GetProperty("excluded_reference").GetInt32() > 0);
        Assert.Equal(2, training.GetProperty("fold_models").GetArrayLength());

        var prediction = root.GetProperty("prediction");
        Assert.Equal(400, prediction.GetProperty("images_total").GetInt32());
        Assert.Equal(400, prediction.GetProperty("images_predicted_out_of_sample").GetInt32());
        Assert.True(prediction.GetProperty("machine_labelled").GetInt32() > 0);
        Assert.True(prediction.GetProperty("precision_vs_reference").GetProperty("count").GetInt32() > 0);

        var replay = root.GetProperty("replay");
        var pass1 = replay.GetProperty("pass1_crowd_only");
        var pass2 = replay.GetProperty("pass2_model_prior");
        var skip = replay.GetProperty("machine_labelled_not_asked");
        Assert.Equal(0, pass1.GetProperty("answers_not_asked").GetInt64());
        Assert.True(pass2.GetProperty("answers_spent").GetInt64() < pass1.GetProperty("answers_spent").GetInt64());
        Assert.True(skip.GetProperty("answers_not_asked").GetInt64() > 0);
        Assert.True(root.GetProperty("peak_memory_mb").GetInt64() > 0);
    }

    [Fact]
    public async Task A_data_folder_without_the_files_is_refused_naming_what_is_missing()
    {
        var dir = Directory.CreateTempSubdirectory("loop-bench-").FullName;
        try
        {
            var (code, _, stderr) = await Run("bench", "loop", "--data", dir);

            Assert.NotEqual(0, code);
            Assert.Contains("contributions.csv", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
