using System.Globalization;
using CoConstruisons.Learning;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>`train-images`: trains the image classifier from a folder and a labels CSV and saves it.</summary>
public sealed class TrainImagesCommand : ICliCommand
{
    public string Name => "train-images";

    public string Usage => "train-images --images DIR --labels CSV --out MODEL_DIR [--target-precision 0.97] [--augment dihedral|flips|none] [--rotation-swap A:B[,C:D]] [--model features|network|ensemble] [--epochs N] [--iterations N] [--answers ANSWERS.csv] [--vote-weight X]";

    public string Summary => Texts.T(
        "Entraîne un classifieur d'images (CSV d'étiquettes avec une ligne d'en-tête : nom de fichier de l'image sans extension, étiquette) et l'enregistre (metadata.json avec model.zip et/ou network.bin) dans MODEL_DIR. Les images illisibles sont ignorées et comptées. Avec --answers (item,worker,label : les réponses de la foule, la dernière de chaque contributeur compte), le réseau apprend la part de chaque réponse sur chaque image au lieu de sa seule étiquette (--vote-weight : 1 par défaut, 0 = les étiquettes seules).",
        "Train an image classifier (labels CSV with a header: image file name without extension, label) and save it (metadata.json with model.zip and/or network.bin) to MODEL_DIR. Unreadable images are skipped and counted. With --answers (item,worker,label: the crowd's answers, each contributor's last one counts), the network learns the answers' shares on each image instead of its label alone (--vote-weight: 1 by default, 0 = labels alone).");

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var imagesDir = args.RequiredOption("images");
        var labelsPath = args.RequiredOption("labels");
        var outDir = args.RequiredOption("out");
        var target = ParseFraction(args.Option("target-precision"), 0.97, "target-precision");
        var augment = ParseAugmentation(args.Option("augment"));
        var swaps = ParseSwaps(args.Option("rotation-swap"));
        var iterations = args.IntOption("iterations", 250);
        var kind = ParseModelKind(args.Option("model"));
        var network = new Learning.Cnn.CnnOptions();
        var epochs = args.IntOption("epochs", network.Epochs);
        var answersPath = args.Option("answers");
        var voteWeight = args.DoubleOption("vote-weight", network.VoteWeight);
        args.EnsureAllRead();
        EnsureVoteWeight(voteWeight);

        if (iterations < 1)
        {
            throw new UsageException(Texts.T("--iterations doit valoir au moins 1.", "--iterations must be at least 1."));
        }

        if (epochs < 1)
        {
            throw new UsageException(Texts.T("--epochs doit valoir au moins 1.", "--epochs must be at least 1."));
        }

        // The model's folder may be new, but the folder it goes into must exist: checked before training, not after.
        OutputPaths.ExistingFolderOf(outDir, OutputPaths.CannotSaveModel);
        try
        {
            var images = ImageFolder.List(imagesDir);
            var labels = ImageFolder.ReadLabels(labelsPath, images);
            var votes = answersPath is null ? null : ReadVotes(answersPath, labels.Select(l => l.Label).ToHashSet(StringComparer.Ordinal));
            var (rasters, unreadable) = ImageLoading.LoadAll(labels.Select(l => images[l.Id]).ToList(), "decoding", cancellationToken);
            ImageLoading.ReportUnreadable(unreadable, labels.Count);
            var items = labels.Select((l, i) => (l, i)).Where(p => rasters[p.i] is not null)
                .Select(p => new LabelledImage(p.l.Id, rasters[p.i]!, p.l.Label, votes?.GetValueOrDefault(p.l.Id))).ToList();
            if (items.Count == 0)
            {
                throw new CliException(Texts.T("Aucune des images étiquetées n'a pu être lue.", "None of the labelled images could be read."));
            }

            var options = new TrainerOptions
            {
                TargetPrecision = target,
                Augmentation = augment,
                RotationSwaps = swaps,
                Iterations = iterations,
                Model = kind,
                Network = network with { Epochs = epochs, VoteWeight = voteWeight },
            };
            if (votes is not null)
            {
                Console.Error.WriteLine(Texts.T(
                    $"des réponses sur {items.Count(i => i.Votes is not null)} des {items.Count} images étiquetées (poids des votes {voteWeight.ToString(CultureInfo.InvariantCulture)})",
                    $"answers on {items.Count(i => i.Votes is not null)} of the {items.Count} labelled images (vote weight {voteWeight.ToString(CultureInfo.InvariantCulture)})"));
            }

            var result = Trainer.Train(items, options, ImageLoading.TrainingProgress(), cancellationToken);
            try
            {
                result.Classifier.Save(outDir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw OutputPaths.CannotSaveModel(outDir, ex.Message);
            }

            var m = result.Test;
            Console.Error.WriteLine(Texts.T(
                $"entraîné sur {result.TrainImages} images en {result.TrainSeconds:0.0} s ({result.CalibrationImages} pour la calibration, {result.TestImages} pour le test)",
                $"trained on {result.TrainImages} images in {result.TrainSeconds:0.0} s ({result.CalibrationImages} calibration, {result.TestImages} test)"));
            Console.Error.WriteLine(Texts.T(
                $"exactitude sur le test {m.Accuracy:0.000}, ECE {m.Ece:0.000} ; seuil d'étiquetage automatique {result.AutoLabel.Threshold:0.000} pour une précision visée de {target:0.00} : couverture {result.AutoLabel.Coverage:P1}, précision {result.AutoLabel.Precision:0.000} sur le test",
                $"test accuracy {m.Accuracy:0.000}, ECE {m.Ece:0.000}; auto-label threshold {result.AutoLabel.Threshold:0.000} for target precision {target:0.00}: coverage {result.AutoLabel.Coverage:P1}, precision {result.AutoLabel.Precision:0.000} on test"));
            var swapped = result.Classifier.Metadata.RotationSwaps;
            Console.Error.WriteLine(Texts.T("échanges par rotation : ", "rotation swaps: ")
                + (swapped.Count == 0 ? Texts.T("aucun", "none") : string.Join(", ", swapped.Select(p => $"{p[0]}<->{p[1]}"))));
            Console.WriteLine(Texts.T($"modèle enregistré dans {Path.GetFullPath(outDir)}", $"model saved to {Path.GetFullPath(outDir)}"));
            return Task.FromResult(0);
        }
        catch (TrainingDataException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>
    /// The answers per image and choice (each contributor's last answer; "don't know" dropped); a
    /// label that is not one of the labels CSV's classes is an error naming the line.
    /// </summary>
    private static Dictionary<string, IReadOnlyDictionary<string, int>> ReadVotes(string path, IReadOnlyCollection<string> classes)
    {
        var file = Csv.CrowdFiles.ReadAnswers(path, Csv.RepeatHandling.KeepLast, classes, Domain.Projects.Choice.DontKnowKey);
        foreach (var warning in file.Warnings)
        {
            Console.Error.WriteLine(Texts.T("remarque : ", "note: ") + warning);
        }

        return Csv.CrowdFiles.CountLastAnswers(file.Answers.Select(a => (a.Item, a.Worker, a.Label)), Domain.Projects.Choice.DontKnowKey);
    }

    internal static void EnsureVoteWeight(double weight)
    {
        if (!Learning.Cnn.CnnOptions.IsVoteWeight(weight))
        {
            throw new UsageException(Texts.T(
                $"--vote-weight est la part de chaque cible d'entraînement tirée des réponses de la foule sur l'image : de 0 (les étiquettes seules) à 1, pas {weight.ToString(CultureInfo.InvariantCulture)}.",
                $"--vote-weight is the share of each training target taken from the crowd's answers on the image: 0 (labels alone) to 1, not {weight.ToString(CultureInfo.InvariantCulture)}."));
        }
    }

    internal static ModelKind ParseModelKind(string? value) => value is null ? ModelKind.Ensemble
        : ModelKinds.Parse(value) ?? throw new UsageException(Texts.T($"--model doit valoir features, network ou ensemble, pas « {value} ».", $"--model must be features, network or ensemble, not '{value}'."));

    internal static Augmentation ParseAugmentation(string? value) => value?.ToUpperInvariant() switch
    {
        null or "DIHEDRAL" => Augmentation.Dihedral,
        "FLIPS" => Augmentation.Flips,
        "NONE" => Augmentation.None,
        _ => throw new UsageException(Texts.T($"--augment doit valoir dihedral, flips ou none, pas « {value} ».", $"--augment must be dihedral, flips or none, not '{value}'.")),
    };

    private static List<(string, string)>? ParseSwaps(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(pair =>
        {
            var parts = pair.Split(':');
            return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0
                ? (parts[0], parts[1])
                : throw new UsageException(Texts.T(
                    $"--rotation-swap attend des paires comme A:B séparées par des virgules, ou none ; reçu « {pair} ».",
                    $"--rotation-swap expects pairs like A:B separated by commas, or none; got '{pair}'."));
        }).ToList();
    }

    private static double ParseFraction(string? value, double fallback, string name)
    {
        if (value is null)
        {
            return fallback;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 1
            ? v
            : throw new UsageException(Texts.T($"--{name} doit être un nombre dans ]0, 1], pas « {value} ».", $"--{name} must be a number in (0, 1], not '{value}'."));
    }
}
