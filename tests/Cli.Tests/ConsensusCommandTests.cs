using System.Text;
using System.Text.Json;
using CoConstruisons.Cli.Commands;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CoConstruisons.Cli.Tests;

/// <summary>Runs the commands in-process through <see cref="CliHost"/>, capturing the console (tests run one at a time).</summary>
public sealed class ConsensusCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("consensus-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => CapturedCli.Run([new ConsensusCommand(), new BenchConsensusCommand()], args);

    private const string Answers =
        "item,worker,label\n\"roof, 1\",a,flat\n\"roof, 1\",b,flat\n\"roof, 1\",c,north_south\nroof2,a,north_south\nroof2,b,north_south\n" +
        "roof2,c,dont_know\nroof3,c,dont_know\n";

    [Fact]
    public async Task Writes_one_label_per_item_and_reports_accuracy_against_the_truth()
    {
        var answers = Write("answers.csv", Answers);
        var truth = Write("truth.csv", "item,label\n\"roof, 1\",flat\nroof2,flat\nroof9,flat\n");
        var output = Path.Combine(_dir, "out.csv");

        var (code, stdout, _) = await Run("consensus", answers, "--truth", truth, "--out", output, "--labels", "flat,north_south");

        Assert.Equal(0, code);
        var lines = File.ReadAllLines(output);
        Assert.Equal("item,label,confidence", lines[0]);
        Assert.StartsWith("\"roof, 1\",flat,0.", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("roof2,north_south,0.", lines[2], StringComparison.Ordinal);
        Assert.Equal("roof3,,0", lines[3]); // only "don't know": no label
        Assert.Contains("accuracy: 0.5000 (1/2 items that have both answers and a truth label)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_out_the_csv_goes_to_standard_output()
    {
        var (code, stdout, stderr) = await Run("consensus", Write("answers.csv", Answers), "--method", "majority-vote");

        Assert.Equal(0, code);
        Assert.StartsWith("item,label,confidence\n", stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("majority-vote: 3 items", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("item,worker\nx,a\n", "line 1: missing column 'label'")]
    [InlineData("item,worker,label\n", "no answers")]
    [InlineData("item,worker,label\nx,a,flat\nx,b,flat\nx,a,north_south\n", "line 4: contributor 'a' already answered item 'x' on line 2")]
    [InlineData("item,worker,label\nx,a,flat\nx,b,maybe\n", "line 3: label 'maybe' is not one of the declared choices")]
    [InlineData("item,worker,label\nx,,flat\n", "line 2: the 'worker' field is empty")]
    [InlineData("item,worker,label\n\"x,a,flat\n", "line 2: a quoted field is never closed")]
    public async Task Malformed_answer_files_fail_with_a_clear_message(string text, string expected)
    {
        var (code, _, stderr) = await Run("consensus", Write("answers.csv", text), "--labels", "flat,north_south");

        Assert.Equal(1, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_utf8_answer_files_fail_with_a_clear_message()
    {
        var path = Path.Combine(_dir, "latin1.csv");
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("item,worker,label\nx,Ren"), 0xE9, .. Encoding.ASCII.GetBytes(",flat\n")]);

        var (code, _, stderr) = await Run("consensus", path);

        Assert.Equal(1, code);
        Assert.Contains("line 2: the file is not valid UTF-8", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeats_can_be_accepted_explicitly_keeping_the_latest_answer_with_a_warning()
    {
        var answers = Write("answers.csv", "item,worker,label\nx,a,flat\nx,b,north_south\nx,a,north_south\ny,a,flat\ny,b,flat\n");
        var output = Path.Combine(_dir, "out.csv");

        var (code, stdout, stderr) = await Run("consensus", answers, "--repeats", "keep-last", "--out", output);

        Assert.Equal(0, code);
        Assert.Contains("warning:", stderr, StringComparison.Ordinal);
        Assert.Contains("1 repeated (item, worker) answer(s)", stderr, StringComparison.Ordinal);
        Assert.StartsWith("x,north_south,", File.ReadAllLines(output)[1], StringComparison.Ordinal);
        Assert.Contains("2 items, 2 contributors, 4 answers", stdout, StringComparison.Ordinal); // 5 rows, one earlier answer dropped
    }

    [Theory]
    [InlineData("answers")]
    [InlineData("truth")]
    public async Task An_output_file_that_is_an_input_is_refused_and_the_input_is_left_as_it_was(string which)
    {
        var answers = Write("answers.csv", Answers);
        var truth = Write("truth.csv", "item,label\nroof2,flat\n");
        var target = which == "answers" ? answers : truth;
        var before = File.ReadAllText(target);

        // The same file named another way (a relative path from another folder).
        var sameFile = Path.GetRelativePath(Environment.CurrentDirectory, target);
        var (code, _, stderr) = await Run("consensus", answers, "--truth", truth, "--out", sameFile);

        Assert.Equal(2, code);
        Assert.Contains("--out names the input file", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(target));
    }

    [Fact]
    public async Task An_output_in_a_folder_that_does_not_exist_is_refused_before_the_fit_and_nothing_is_created()
    {
        var missing = Path.Combine(_dir, "no-such-folder");

        var (code, stdout, stderr) = await Run("consensus", Write("answers.csv", Answers), "--out", Path.Combine(missing, "out.csv"));

        Assert.Equal(1, code);
        Assert.Equal($"error: {Path.Combine(missing, "out.csv")}: cannot write the file (the folder '{missing}' does not exist).{Environment.NewLine}", stderr);
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task A_misspelt_option_reads_as_unknown_wherever_it_stands_and_a_known_one_without_value_says_so()
    {
        var answers = Write("answers.csv", Answers);

        var (lastCode, _, lastErr) = await Run("consensus", answers, "--bogus");
        var (middleCode, _, middleErr) = await Run("consensus", answers, "--bogus", "x");
        var (outCode, _, outErr) = await Run("consensus", answers, "--out");

        Assert.Equal((2, 2, 2), (lastCode, middleCode, outCode));
        Assert.Contains("Unknown option(s): --bogus", lastErr, StringComparison.Ordinal);
        Assert.Contains("Unknown option(s): --bogus", middleErr, StringComparison.Ordinal);
        Assert.Contains("Option --out needs a value.", outErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--prior-accuracy", "7", "--prior-accuracy must be strictly between 0 and 1, not 7.")]
    [InlineData("--prior-accuracy", "0", "--prior-accuracy must be strictly between 0 and 1, not 0.")]
    [InlineData("--prior-strength", "-1", "--prior-strength must be a finite number ≥ 0, not -1.")]
    [InlineData("--pooled-weight", "5", "--pooled-weight must be between 0 and 1, not 5.")]
    [InlineData("--class-prior", "-3", "--class-prior must be a finite number ≥ 0, not -3.")]
    public async Task Out_of_range_benchmark_options_are_usage_errors_naming_the_option(string option, string value, string expected)
    {
        var (code, stdout, stderr) = await Run("bench", "consensus", "--smoke", option, value);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public async Task Out_of_range_benchmark_options_are_said_in_french_under_a_french_locale()
    {
        var (code, _, stderr) = await CapturedCli.Run([new BenchConsensusCommand()], ["bench", "consensus", "--smoke", "--pooled-weight", "5"], UiCulture.French);

        Assert.Equal(2, code);
        Assert.Contains("--pooled-weight doit être entre 0 et 1, pas 5.", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--method", "magic", "Unknown method 'magic'")]
    [InlineData("--labels", "flat", "--labels needs at least two")]
    [InlineData("--repeats", "sometimes", "--repeats must be error, keep-last or keep-all")]
    public async Task Bad_options_are_usage_errors(string option, string value, string expected)
    {
        var (code, _, stderr) = await Run("consensus", Write("answers.csv", Answers), option, value);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gold_labels_outside_the_declared_choices_are_refused()
    {
        var gold = Write("gold.csv", "item,label\nroof2,sideways\n");

        var (code, _, stderr) = await Run("consensus", Write("answers.csv", Answers), "--gold", gold, "--labels", "flat,north_south");

        Assert.Equal(1, code);
        Assert.Contains("line 2: label 'sideways' is not one of the declared choices", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_smoke_benchmark_prints_one_json_object_where_the_default_beats_majority_vote()
    {
        var (code, stdout, _) = await Run("bench", "consensus", "--smoke");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var synthetic = json.RootElement.GetProperty("datasets").GetProperty("synthetic");
        Assert.True(synthetic.GetProperty("default").GetDouble() > synthetic.GetProperty("majority_vote").GetDouble());
        Assert.True(synthetic.GetProperty("incremental_update_microseconds").GetDouble() < 1000);
        Assert.Equal("shrunk-dawid-skene", json.RootElement.GetProperty("method").GetString());
    }

    [Fact]
    public async Task The_benchmark_reads_dataset_folders_and_scores_against_their_truth()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "crowd", "tiny")).FullName;
        File.WriteAllText(Path.Combine(folder, "answers.csv"), "item,worker,label\nx,a,0\nx,b,0\nx,c,1\ny,a,1\ny,b,1\ny,c,1\n");
        File.WriteAllText(Path.Combine(folder, "truth.csv"), "item,label\nx,0\ny,1\n");

        var (code, stdout, _) = await Run("bench", "consensus", "--data", Path.Combine(_dir, "crowd"));

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var tiny = json.RootElement.GetProperty("datasets").GetProperty("tiny");
        Assert.Equal((1.0, 1.0, 2), (tiny.GetProperty("majority_vote").GetDouble(), tiny.GetProperty("default").GetDouble(), tiny.GetProperty("scored_items").GetInt32()));
        Assert.Equal(JsonValueKind.Null, tiny.GetProperty("published_best").ValueKind);
    }
}
