using System.Text.Json;
using CoConstruisons.Cli.Commands;
using CoConstruisons.Infrastructure.Images;

namespace CoConstruisons.Cli.Tests;

/// <summary>`train-images` with the crowd's answers: the network learns labels softened by them (console captured; tests run one at a time).</summary>
public sealed class TrainImagesCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coco-train-images-").FullName;

    public TrainImagesCommandTests()
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "images")).FullName;
        var lines = new List<string> { "image,label" };
        foreach (var image in new RoofImageGenerator().Generate(48, seed: 3))
        {
            File.WriteAllBytes(Path.Combine(images, image.FileName), image.Bytes);
            lines.Add($"{Path.GetFileNameWithoutExtension(image.FileName)},{image.TrueChoice}");
        }

        File.WriteAllLines(Path.Combine(_dir, "labels.csv"), lines);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<(int Code, string Out, string Err)> Train(params string[] extra) => CapturedCli.Run(
        [new TrainImagesCommand()],
        ["train-images", "--images", Path.Combine(_dir, "images"), "--labels", Path.Combine(_dir, "labels.csv"), "--out", Path.Combine(_dir, "model"), "--model", "network", "--epochs", "1", .. extra]);

    private string Answers(params string[] lines)
    {
        var path = Path.Combine(_dir, "answers.csv");
        File.WriteAllLines(path, ["item,worker,label", .. lines]);
        return path;
    }

    [Fact]
    public async Task Answers_on_the_images_soften_the_labels_the_saved_model_says_so()
    {
        var answers = Answers("toit-0001,ana,north_south", "toit-0001,bo,flat", "toit-0001,bo,north_south", "toit-0002,ana,dont_know", "toit-0003,cy,east_west", "not-an-image,cy,flat");

        var (code, stdout, stderr) = await Train("--answers", answers, "--vote-weight", "0.25");

        Assert.True(code == 0, stderr);
        Assert.Contains("model saved", stdout, StringComparison.Ordinal);
        Assert.Contains("answers on 2 of the 48 labelled images (vote weight 0.25)", stderr, StringComparison.Ordinal);
        Assert.Contains("1 repeated (item, worker)", stderr, StringComparison.Ordinal);
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "model", "metadata.json")));
        Assert.Matches(@"learning for [12] of its \d+ training images the label × 0\.75 \+ the crowd's answer shares × 0\.25", metadata.RootElement.GetProperty("method").GetString());
    }

    [Fact]
    public async Task Too_few_labels_or_labels_written_with_their_extension_are_explained_in_words_and_nothing_is_saved()
    {
        var few = Path.Combine(_dir, "few.csv");
        File.WriteAllLines(few, ["image,label", "toit-0001,north_south", "toit-0002,east_west"]);
        var (fewCode, _, fewErr) = await CapturedCli.Run([new TrainImagesCommand()],
            ["train-images", "--images", Path.Combine(_dir, "images"), "--labels", few, "--out", Path.Combine(_dir, "model"), "--model", "network", "--epochs", "1"]);
        Assert.Equal(1, fewCode);
        Assert.Contains("Too few labelled images", fewErr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", fewErr, StringComparison.Ordinal);

        var withExtension = Path.Combine(_dir, "with-extension.csv");
        File.WriteAllLines(withExtension, ["image,label", "toit-0001.png,north_south"]);
        var (extCode, _, extErr) = await CapturedCli.Run([new TrainImagesCommand()],
            ["train-images", "--images", Path.Combine(_dir, "images"), "--labels", withExtension, "--out", Path.Combine(_dir, "model"), "--model", "network", "--epochs", "1"]);
        Assert.Equal(1, extCode);
        Assert.Contains("without its extension", extErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "model")));
    }

    [Fact]
    public async Task Under_a_french_locale_the_trainers_and_the_image_folders_checks_are_explained_in_french()
    {
        var few = Path.Combine(_dir, "few.csv");
        File.WriteAllLines(few, ["image,label", "toit-0001,north_south", "toit-0002,east_west"]);
        var (fewCode, _, fewErr) = await CapturedCli.Run([new TrainImagesCommand()],
            ["train-images", "--images", Path.Combine(_dir, "images"), "--labels", few, "--out", Path.Combine(_dir, "model"), "--model", "network", "--epochs", "1"],
            UiCulture.French);
        Assert.Equal(1, fewCode);
        Assert.Contains("erreur : Trop peu d'images étiquetées pour les répartir (2 : ", fewErr, StringComparison.Ordinal);
        Assert.Contains("étiquetez davantage d'images.", fewErr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", fewErr, StringComparison.Ordinal);

        var absent = Path.Combine(_dir, "absent");
        var (folderCode, _, folderErr) = await CapturedCli.Run([new TrainImagesCommand()],
            ["train-images", "--images", absent, "--labels", few, "--out", Path.Combine(_dir, "model")],
            UiCulture.French);
        Assert.Equal(1, folderCode);
        Assert.Contains($"erreur : Le dossier d'images « {absent} » n'existe pas.", folderErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "model")));
    }

    [Fact]
    public async Task An_answer_outside_the_labels_classes_is_refused_naming_its_line_and_nothing_is_saved()
    {
        var answers = Answers("toit-0001,ana,north_south", "toit-0002,bo,south_west");

        var (code, stdout, stderr) = await Train("--answers", answers);

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("line 3", stderr, StringComparison.Ordinal);
        Assert.Contains("south_west", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "model")));
    }

    [Fact]
    public async Task A_truncated_image_is_skipped_as_unreadable_by_training_and_by_prediction()
    {
        var images = Path.Combine(_dir, "images");
        var first = Directory.GetFiles(images).Order(StringComparer.Ordinal).First();
        using (var bitmap = SkiaSharp.SKBitmap.Decode(first))
        using (var image = SkiaSharp.SKImage.FromBitmap(bitmap))
        using (var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
        {
            // The first 100 bytes of a valid PNG: its header reads, its pixels stop early.
            File.WriteAllBytes(Path.Combine(images, "toit-cut.png"), png.ToArray()[..100]);
        }

        var cut = Path.Combine(images, "toit-cut.png");
        File.AppendAllLines(Path.Combine(_dir, "labels.csv"), ["toit-cut,flat"]);

        var (code, _, stderr) = await Train();

        Assert.True(code == 0, stderr);
        Assert.Contains("warning: skipped 1 unreadable image(s) of 49:", stderr, StringComparison.Ordinal);
        Assert.Contains($"Cannot read image '{cut}': truncated image.", stderr, StringComparison.Ordinal);

        var predictions = Path.Combine(_dir, "predictions.csv");
        var (predictCode, _, predictErr) = await CapturedCli.Run([new PredictCommand()],
            ["predict", "--model", Path.Combine(_dir, "model"), "--images", images, "--out", predictions], UiCulture.French);

        Assert.Equal(1, predictCode); // unreadable images are counted in the exit code
        Assert.Contains($"Impossible de lire l'image « {cut} » : image tronquée.", predictErr, StringComparison.Ordinal);
        var rows = File.ReadAllLines(predictions);
        Assert.Equal(1 + 48, rows.Length);
        Assert.DoesNotContain(rows, r => r.StartsWith("toit-cut,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_output_that_cannot_be_written_is_refused_naming_the_users_path_and_no_folder_is_created()
    {
        var missing = Path.Combine(_dir, "absent", "sub");
        var (trainCode, trainOut, trainErr) = await CapturedCli.Run([new TrainImagesCommand()],
            ["train-images", "--images", Path.Combine(_dir, "images"), "--labels", Path.Combine(_dir, "labels.csv"), "--out", Path.Combine(missing, "model"), "--model", "network", "--epochs", "1"],
            UiCulture.French);
        Assert.Equal(1, trainCode);
        Assert.Empty(trainOut);
        Assert.Equal($"erreur : {Path.Combine(missing, "model")} : impossible d'enregistrer le modèle (le dossier « {missing} » n'existe pas).{Environment.NewLine}", trainErr);

        var (code, _, stderr) = await Train();
        Assert.True(code == 0, stderr);
        Task<(int Code, string Out, string Err)> Predict(string output, string culture) => CapturedCli.Run([new PredictCommand()],
            ["predict", "--model", Path.Combine(_dir, "model"), "--images", Path.Combine(_dir, "images"), "--out", output], culture);

        var (missingCode, _, missingErr) = await Predict(Path.Combine(missing, "x.csv"), UiCulture.French);
        Assert.Equal(1, missingCode);
        Assert.Equal($"erreur : {Path.Combine(missing, "x.csv")} : impossible d'écrire le fichier (le dossier « {missing} » n'existe pas).{Environment.NewLine}", missingErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "absent")));

        if (OperatingSystem.IsLinux())
        {
            // A folder where no file can be made: the user's path is named, never the temporary file's.
            var (procCode, _, procErr) = await Predict("/proc/x.csv", UiCulture.English);
            Assert.Equal(1, procCode);
            Assert.StartsWith("error: /proc/x.csv: cannot write the file (", procErr, StringComparison.Ordinal);
            Assert.DoesNotContain(".tmp", procErr, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-1")]
    public async Task A_vote_weight_outside_zero_to_one_is_a_usage_error(string weight)
    {
        var (code, stdout, stderr) = await Train("--vote-weight", weight);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("--vote-weight", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "model")));
    }
}
