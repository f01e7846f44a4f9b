using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Infrastructure.Images;
using CoConstruisons.Learning;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// `bench model`: trains on the 6,000 Data Science Game 2016 labels (OpenSolarMap roof images) with
/// the fixed hashed split and prints one JSON object; `--smoke` uses 80 generated roofs instead.
/// </summary>
public sealed class BenchModelCommand : ICliCommand, IHasFlags
{
    public string Name => "bench model";

    public string Usage => "bench model [--data DIR] [--smoke] [--limit N] [--model features|network|ensemble] [--extra-labels votes|answers] [--min-answers K] [--epochs N] [--width N] [--optimizer adamw|sgd] [--momentum X] [--learning-rate X] [--weight-decay X] [--seed N] [--swa SHARE] [--swa-learning-rate X] [--low-res-share SHARE] [--low-res-size N] [--jitter X] [--networks N] [--vote-weight X] [--iterations N] [--threads N] [--augment dihedral|flips|none]";

    public string Summary => Texts.T(
        "Entraîne et évalue le classifieur d'images de toits sur OpenSolarMap (../shared/data) et affiche un objet JSON ; --smoke : 80 images générées, en quelques secondes.",
        "Train and evaluate the roof image classifier on OpenSolarMap (../shared/data) and print one JSON object; --smoke: 80 generated images in seconds.");

    public IReadOnlyList<string> Flags => ["smoke"];

    /// <summary>The run's settings after the model's method, numbers written the same under every locale (the JSON is read by programs).</summary>
    private static string SettingsText(ModelKind kind, TrainerOptions options, Learning.Cnn.CnnOptions network)
    {
        var text = new System.Text.StringBuilder();
        if (kind != ModelKind.Network)
        {
            text.Append(FormattableString.Invariant($"; {options.Iterations} iterations, learning rate {options.LearningRate}, {options.Leaves} leaves"));
        }

        if (kind != ModelKind.Features)
        {
            text.Append(FormattableString.Invariant($"; network: {network.Epochs} epochs, width {network.Width}, batch {network.BatchSize}, learning rate {network.LearningRate}, weight decay {network.WeightDecay}"));
            if (network.Optimizer == Learning.Cnn.CnnOptimizer.Sgd)
            {
                text.Append(FormattableString.Invariant($", momentum {network.Momentum}"));
            }

            text.Append(FormattableString.Invariant($", seed {network.Seed}"));
            if (network.LowResolutionEpochs > 0)
            {
                text.Append(FormattableString.Invariant($", the first {network.LowResolutionEpochs} epochs at {network.LowResolutionSize} pixels"));
            }

            if (network.ColourJitter > 0)
            {
                text.Append(FormattableString.Invariant($", colour jitter {network.ColourJitter}"));
            }

            if (network.SwaShare > 0)
            {
                text.Append(FormattableString.Invariant($", weights averaged over the last {network.SwaShare:0.##} of the epochs at learning rate {network.SwaLearningRate}"));
            }
        }

        return text.Append(FormattableString.Invariant($"; augmentation {options.Augmentation}")).ToString();
    }

    internal static Learning.Cnn.CnnOptimizer? ParseOptimizer(string? value) => value switch
    {
        null => null,
        "adamw" => Learning.Cnn.CnnOptimizer.AdamW,
        "sgd" => Learning.Cnn.CnnOptimizer.Sgd,
        _ => throw new UsageException(Texts.T(
            $"--optimizer doit valoir « adamw » ou « sgd » (avec l'inertie de Nesterov), pas « {value} ».",
            $"--optimizer must be 'adamw' or 'sgd' (with Nesterov momentum), not '{value}'.")),
    };

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var smoke = args.Flag("smoke");
        var dataOption = args.Option("data");
        var limit = args.IntOption("limit", 0);
        var iterations = args.IntOption("iterations", smoke ? 60 : 250);
        var threads = args.IntOption("threads", 1);
        var augment = TrainImagesCommand.ParseAugmentation(args.Option("augment"));
        var kind = TrainImagesCommand.ParseModelKind(args.Option("model"));
        var extraLabels = args.Option("extra-labels");
        if (extraLabels is not null and not "votes" and not "answers")
        {
            throw new UsageException(Texts.T(
                $"--extra-labels doit valoir « votes » (les étiquettes votées par la foule de buildings.csv) ou « answers » (tous les autres bâtiments qui ont assez de réponses dans contributions.csv), pas « {extraLabels} ».",
                $"--extra-labels must be 'votes' (the crowd's vote labels of buildings.csv) or 'answers' (every other building with enough answers in contributions.csv), not '{extraLabels}'."));
        }

        var minAnswers = args.IntOption("min-answers", 2);
        if (minAnswers < 1)
        {
            throw new UsageException(Texts.T(
                $"--min-answers est le nombre de contributeurs qui doivent avoir répondu sur un bâtiment pour que --extra-labels answers s'entraîne dessus : au moins 1, pas {minAnswers}.",
                $"--min-answers is how many contributors must have answered a building for --extra-labels answers to train on it: at least 1, not {minAnswers}."));
        }

        var network = new Learning.Cnn.CnnOptions();
        var optimizer = ParseOptimizer(args.Option("optimizer")) ?? network.Optimizer;
        network = network with
        {
            Epochs = args.IntOption("epochs", smoke ? 3 : network.Epochs),
            Width = args.IntOption("width", smoke ? 4 : network.Width),
            Optimizer = optimizer,
            Momentum = args.DoubleOption("momentum", network.Momentum),
            LearningRate = args.DoubleOption("learning-rate", Learning.Cnn.CnnOptions.DefaultLearningRate(optimizer)),
            WeightDecay = args.DoubleOption("weight-decay", network.WeightDecay),
            Seed = args.IntOption("seed", network.Seed),
            SwaShare = args.DoubleOption("swa", network.SwaShare),
            SwaLearningRate = args.DoubleOption("swa-learning-rate", network.SwaLearningRate),
            LowResolutionShare = args.DoubleOption("low-res-share", network.LowResolutionShare),
            LowResolutionSize = args.IntOption("low-res-size", network.LowResolutionSize),
            ColourJitter = args.DoubleOption("jitter", network.ColourJitter),
            Networks = args.IntOption("networks", network.Networks),
            VoteWeight = args.DoubleOption("vote-weight", network.VoteWeight),
        };
        args.EnsureAllRead();
        if (!Learning.Cnn.CnnOptions.IsEpochShare(network.SwaShare))
        {
            throw new UsageException(Texts.T(
                $"--swa est la part des époques dont les poids sont moyennés : au moins 0 (désactivé) et moins de 1, pas {network.SwaShare.ToString(System.Globalization.CultureInfo.InvariantCulture)}.",
                $"--swa is the share of the epochs whose weights are averaged: at least 0 (off) and below 1, not {network.SwaShare.ToString(System.Globalization.CultureInfo.InvariantCulture)}."));
        }

        if (network.Networks is < 1 or > Learning.Cnn.CnnOptions.MaxNetworks)
        {
            throw new UsageException(Texts.T(
                $"--networks est le nombre de réseaux entraînés puis moyennés : de 1 à {Learning.Cnn.CnnOptions.MaxNetworks}, pas {network.Networks}.",
                $"--networks is how many networks are trained and averaged: 1 to {Learning.Cnn.CnnOptions.MaxNetworks}, not {network.Networks}."));
        }

        TrainImagesCommand.EnsureVoteWeight(network.VoteWeight);
        if (!Learning.Cnn.CnnOptions.IsEpochShare(network.LowResolutionShare))
        {
            var typed = network.LowResolutionShare.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new UsageException(Texts.T(
                $"--low-res-share est la part des époques, au début, entraînées sur des images réduites : au moins 0 (désactivé) et moins de 1, pas {typed}.",
                $"--low-res-share is the share of the epochs, at the start, trained on reduced images: at least 0 (off) and below 1, not {typed}."));
        }

        if (!Learning.Cnn.CnnOptions.IsLowResolutionSize(network.LowResolutionSize))
        {
            throw new UsageException(Texts.T(
                $"--low-res-size est la taille des images réduites : un multiple de 4 de 8 à {Learning.ImageRaster.Size - 4} pixels, pas {network.LowResolutionSize}.",
                $"--low-res-size is the size of the reduced images: a multiple of 4 from 8 to {Learning.ImageRaster.Size - 4} pixels, not {network.LowResolutionSize}."));
        }

        if (!Learning.Cnn.CnnOptions.IsColourJitter(network.ColourJitter))
        {
            var typed = network.ColourJitter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new UsageException(Texts.T(
                $"--jitter est l'amplitude des variations de luminosité et de contraste des images d'entraînement (facteurs tirés entre 1 − X et 1 + X) : au moins 0 (désactivé) et moins de 1, pas {typed}.",
                $"--jitter is how much the training images' brightness and contrast vary (factors drawn between 1 − X and 1 + X): at least 0 (off) and below 1, not {typed}."));
        }

        if (!Learning.Cnn.CnnOptions.IsMomentum(network.Momentum))
        {
            var typed = network.Momentum.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new UsageException(Texts.T(
                $"--momentum est l'inertie de SGD : au moins 0 et moins de 1, pas {typed}.",
                $"--momentum is SGD's momentum: at least 0 and below 1, not {typed}."));
        }

        if (!(network.SwaLearningRate > 0))
        {
            throw new UsageException(Texts.T($"--swa-learning-rate doit être positif, pas {network.SwaLearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}.", $"--swa-learning-rate must be positive, not {network.SwaLearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}."));
        }

        var options = new TrainerOptions
        {
            Iterations = iterations,
            BoostingThreads = threads,
            Augmentation = augment,
            TargetPrecision = 0.95,
            MinExamplesPerLeaf = smoke ? 5 : 20,
            Model = kind,
            Network = network,
        };
        List<LabelledImage> items;
        List<LabelledImage> extra = [];
        string dataset;
        Func<LabelledImage, ImageRaster> reload = i => i.Image;
        var loadWatch = Stopwatch.StartNew();
        if (smoke)
        {
            var random = new Random(7);
            items = Enumerable.Range(0, 80).Select(i =>
            {
                var choice = RoofImageGenerator.Choices[i % 4];
                // Every third roof as if a contributor out of three had answered another choice.
                var votes = i % 3 == 0 ? new Dictionary<string, int> { [choice] = 2, [RoofImageGenerator.Choices[(i + 1) % 4]] = 1 } : new Dictionary<string, int> { [choice] = 3 };
                return new LabelledImage($"toit-{i:000}", ImageRaster.Decode(RoofImageGenerator.Draw(choice, random)), choice, votes);
            }).ToList();
            dataset = "80 generated roofs (RoofImageGenerator, seed 7; every third with one dissenting answer of three)";
        }
        else
        {
            var root = FindData(dataOption);
            if (root is null)
            {
                Console.Error.WriteLine(Texts.T(
                    "bench model : ../shared/data/opensolarmap introuvable (passez --data DIR) ; rien n'est mesuré.",
                    "bench model: ../shared/data/opensolarmap not found (pass --data DIR); skipping."));
                Console.WriteLine(JsonSerializer.Serialize(new { skipped = true, reason = "data directory not found" }));
                return Task.FromResult(0);
            }

            var images = ImageFolder.List(Path.Combine(root, "roof_images"));
            var dsgLabels = ImageFolder.ReadLabels(Path.Combine(root, "dsg2016_train_labels.csv"), images);
            var labels = limit > 0 ? dsgLabels.OrderBy(l => DataSplit.Bucket(l.Id, "coconstruisons-subset-v1")).Take(limit).ToList() : dsgLabels;

            var (rasters, unreadable) = ImageLoading.LoadAll(labels.Select(l => images[l.Id]).ToList(), "decoding", cancellationToken);
            ImageLoading.ReportUnreadable(unreadable, labels.Count);
            items = labels.Select((l, i) => (l, i)).Where(p => rasters[p.i] is not null)
                .Select(p => new LabelledImage(p.l.Id, rasters[p.i]!, p.l.Label)).ToList();
            reload = i => ImageRaster.Load(images[i.Id]);
            dataset = $"OpenSolarMap dsg2016_train_labels.csv ({items.Count} images{(limit > 0 ? $", subset of {limit}" : "")}) from {root}";
            var contributions = Path.Combine(root, "contributions.csv");
            var answerCounts = (network.VoteWeight > 0 || extraLabels == "answers") && File.Exists(contributions) ? ReadAnswerCounts(contributions) : null;
            if (extraLabels is not null)
            {
                var dsg = dsgLabels.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
                var classes = items.Select(i => i.Label).ToHashSet(StringComparer.Ordinal);
                var others = extraLabels == "votes"
                    ? ReadVoteLabels(Path.Combine(root, "buildings.csv"))
                    : (answerCounts ?? throw new CliException(Texts.T($"--extra-labels answers demande {contributions}.", $"--extra-labels answers needs {contributions}."))).Select(p => (Id: p.Key, Label: Plurality(p.Value, classes, minAnswers)))
                        .Where(p => p.Label is not null).Select(p => (p.Id, Label: p.Label!)).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
                var chosen = others.Where(v => !dsg.Contains(v.Id) && images.ContainsKey(v.Id)).ToList();
                var (voteRasters, voteUnreadable) = ImageLoading.LoadAll(chosen.Select(v => images[v.Id]).ToList(), extraLabels == "votes" ? Texts.T("décodage (étiquettes votées)", "decoding vote-labelled") : Texts.T("décodage (bâtiments répondus)", "decoding answered"), cancellationToken);
                ImageLoading.ReportUnreadable(voteUnreadable, chosen.Count);
                extra = chosen.Select((v, i) => (v, i)).Where(p => voteRasters[p.i] is not null)
                    .Select(p => new LabelledImage(p.v.Id, voteRasters[p.i]!, p.v.Label)).ToList();
                dataset += extraLabels == "votes"
                    ? $"; training part extended with {extra.Count} other buildings' crowd vote labels (buildings.csv vote_label, none of the 6,000 DSG buildings); calibration and test parts unchanged"
                    : $"; training part extended with {extra.Count} other buildings that at least {minAnswers} contributors answered in contributions.csv (label = the most given answer; none of the 6,000 DSG buildings); calibration and test parts unchanged";
            }

            if (network.VoteWeight > 0 && answerCounts is { } votes)
            {
                items = [.. items.Select(i => i with { Votes = votes.GetValueOrDefault(i.Id) })];
                extra = [.. extra.Select(i => i with { Votes = votes.GetValueOrDefault(i.Id) })];
                dataset += $"; the crowd's answers per building from contributions.csv (each contributor's last answer) for {items.Count(i => i.Votes is not null) + extra.Count(i => i.Votes is not null)} images: the network learns {Trainer.TargetsDescription(network.VoteWeight)}";
            }
        }

        var decodeSeconds = loadWatch.Elapsed.TotalSeconds;
        var result = Trainer.Train(items, extra, options, ImageLoading.TrainingProgress(), cancellationToken);

        // Inference speed on the test images: decode from disk (2 threads) + features of every symmetry + model.
        var testItems = items.Where(i => DataSplit.IsHeldOut(i.Id, options.TestFraction)).ToList();
        var inferenceWatch = Stopwatch.StartNew();
        var reloaded = new ImageRaster[testItems.Count];
        Parallel.For(0, testItems.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => reloaded[i] = reload(testItems[i]));
        _ = result.Classifier.Predict(reloaded);
        var inferenceSeconds = inferenceWatch.Elapsed.TotalSeconds;

        var test = result.Test;
        var json = new JsonObject
        {
            ["accuracy"] = test.Accuracy,
            ["per_class"] = JsonSerializer.SerializeToNode(test.PerClass),
            ["confusion"] = JsonSerializer.SerializeToNode(test.Confusion),
            ["classes"] = JsonSerializer.SerializeToNode(result.Classifier.Classes),
            ["train_seconds"] = Math.Round(result.TrainSeconds, 1),
            ["images_per_second"] = Math.Round(testItems.Count / inferenceSeconds, 1),
            ["peak_memory_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
            ["ece"] = test.Ece,
            ["log_loss"] = test.LogLoss,
            ["temperature"] = Math.Round(result.Classifier.Metadata.Temperature, 3),
            ["auto_label"] = JsonSerializer.SerializeToNode(result.AutoLabel),
            ["auto_label_resampled"] = JsonSerializer.SerializeToNode(Evaluation.ResampleThreshold(
                [.. result.HeldOut.Select(h => h.Confidence)], [.. result.HeldOut.Select(h => h.Correct)], result.CalibrationImages, options.TargetPrecision,
                Trainer.MinAcceptedForThreshold(result.CalibrationImages), options.ThresholdConfidenceZ, repeats: 1000, seed: 1)),
            ["method"] = result.Classifier.Metadata.Method + SettingsText(kind, options, network),
            ["model"] = kind.ToString().ToLowerInvariant(),
            ["network_weight"] = result.Classifier.Metadata.NetworkWeight,
            ["split"] = Trainer.SplitDescription(options) + $" -> {result.TrainImages} training, {result.CalibrationImages} calibration, {result.TestImages} test images",
            ["dataset"] = dataset,
            ["decode_seconds"] = Math.Round(decodeSeconds, 1),
            ["boosting_threads"] = threads,
            ["training_symmetries"] = options.HalfSymmetriesForTraining && options.Augmentation == Augmentation.Dihedral ? "identity, quarter turn and their mirrors" : options.Augmentation.ToString(),
        };
        Console.WriteLine(json.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return Task.FromResult(0);
    }

    /// <summary>The answer most contributors gave among <paramref name="classes"/> (ties: the first in ordinal order); null when fewer than <paramref name="minAnswers"/> answered.</summary>
    private static string? Plurality(IReadOnlyDictionary<string, int> counts, IReadOnlySet<string> classes, int minAnswers)
    {
        var answered = counts.Where(c => classes.Contains(c.Key) && c.Value > 0).ToList();
        return answered.Sum(c => c.Value) < minAnswers ? null
            : answered.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key;
    }

    /// <summary>Building ids and crowd vote labels (column vote_label; empty = the vote did not conclude) of buildings.csv.</summary>
    private static List<(string Id, string Label)> ReadVoteLabels(string path)
    {
        var table = Csv.CsvReader.ReadFile(path);
        var id = table.RequiredColumn("building_id");
        var vote = table.RequiredColumn("vote_label");
        return table.Rows.Where(r => r.Fields[vote].Trim().Length > 0).Select(r => (r.Fields[id].Trim(), r.Fields[vote].Trim())).ToList();
    }

    /// <summary>Per building, how many contributors gave each choice (each contributor's last answer counts) in contributions.csv.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, int>> ReadAnswerCounts(string path)
    {
        var table = Csv.CsvReader.ReadFile(path);
        var building = table.RequiredColumn("building_id");
        var choice = table.RequiredColumn("choice");
        var contributor = table.RequiredColumn("contributor");
        return Csv.CrowdFiles.CountLastAnswers(
            table.Rows.Select(r => (r.Fields[building].Trim(), r.Fields[contributor].Trim(), r.Fields[choice].Trim())), Domain.Projects.Choice.DontKnowKey);
    }

    private static string? FindData(string? option)
    {
        if (option is not null)
        {
            var candidate = Directory.Exists(Path.Combine(option, "roof_images")) ? option : Path.Combine(option, "opensolarmap");
            return Directory.Exists(Path.Combine(candidate, "roof_images"))
                ? candidate
                : throw new CliException(Texts.T(
                    $"--data « {option} » ne contient ni roof_images/ ni opensolarmap/roof_images/.",
                    $"--data '{option}' holds neither roof_images/ nor opensolarmap/roof_images/."));
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data", "opensolarmap"), Path.Combine(dir.FullName, "..", "shared", "data", "opensolarmap") })
            {
                if (Directory.Exists(Path.Combine(candidate, "roof_images")))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }
}
