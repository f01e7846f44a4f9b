using System.Globalization;
using System.Text;
using CoConstruisons.Learning;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>`predict`: classifies every image of a folder with a saved model and writes a CSV.</summary>
public sealed class PredictCommand : ICliCommand
{
    private const int Batch = 256;

    public string Name => "predict";

    public string Usage => "predict --model MODEL_DIR --images DIR --out CSV";

    public string Summary => Texts.T(
        "Classe chaque image de DIR avec un modèle entraîné ; colonnes CSV item,label,confidence puis p_<classe> par classe (probabilités calibrées ; metadata.json contient le seuil d'étiquetage automatique). Les images illisibles sont ignorées, listées et comptées (code de sortie 1 s'il y en a).",
        "Classify every image in DIR with a trained model; CSV columns item,label,confidence then p_<class> per class (calibrated probabilities; metadata.json holds the auto-label threshold). Unreadable images are skipped, listed and counted (exit code 1 if any).");

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var modelDir = args.RequiredOption("model");
        var imagesDir = args.RequiredOption("images");
        var outPath = args.RequiredOption("out");
        args.EnsureAllRead();

        // Where the predictions go is checked first: its folder must exist (nothing creates it).
        var directory = OutputPaths.ExistingFolderOf(outPath, OutputPaths.CannotWrite);
        ImageClassifier classifier;
        IReadOnlyDictionary<string, string> images;
        try
        {
            classifier = ImageClassifier.Load(modelDir);
            images = ImageFolder.List(imagesDir);
        }
        catch (ModelLoadException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (TrainingDataException ex)
        {
            throw new CliException(ex.Message);
        }

        var threshold = classifier.Metadata.AutoLabel?.Threshold ?? Evaluation.NoThreshold;
        var unreadable = new List<string>();
        var temp = Path.Combine(directory, $".{Path.GetFileName(outPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
            {
                writer.WriteLine(string.Join(",", new[] { "item", "label", "confidence" }.Concat(classifier.Classes.Select(c => "p_" + c))));
                using var bar = new ProgressBar(ImageLoading.StageLabel("predicting"), images.Count);
                foreach (var chunk in images.Chunk(Batch))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var rasters = new ImageRaster?[chunk.Length];
                    Parallel.For(0, chunk.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
                    {
                        try
                        {
                            rasters[i] = ImageRaster.Load(chunk[i].Value);
                        }
                        catch (UnreadableImageException ex)
                        {
                            lock (unreadable)
                            {
                                unreadable.Add(ex.Message);
                            }
                        }
                    });
                    var readable = Enumerable.Range(0, chunk.Length).Where(i => rasters[i] is not null).ToList();
                    var probabilities = classifier.Predict(readable.Select(i => rasters[i]!).ToList());
                    for (var j = 0; j < readable.Count; j++)
                    {
                        var p = probabilities[j];
                        var best = Evaluation.ArgMax(p);
                        var fields = new[] { chunk[readable[j]].Key, classifier.Classes[best], F(p[best]) }
                            .Concat(p.Select(F));
                        writer.WriteLine(string.Join(",", fields));
                    }

                    bar.Advance(chunk.Length);
                }
            }

            File.Move(temp, outPath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The rows go to a temporary file next to the output first: its name means nothing to the user.
            throw OutputPaths.CannotWrite(outPath, ex.Message.Replace(temp, Path.GetFullPath(outPath), StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(temp);
        }

        ImageLoading.ReportUnreadable(unreadable, images.Count);
        Console.Error.WriteLine(Texts.T(
            $"{images.Count - unreadable.Count} prédiction(s) écrite(s) dans {outPath} (seuil d'étiquetage automatique {threshold:0.000})",
            $"wrote {images.Count - unreadable.Count} prediction(s) to {outPath} (auto-label threshold {threshold:0.000})"));
        return Task.FromResult(unreadable.Count == 0 ? 0 : 1);
    }

    private static string F(float v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
