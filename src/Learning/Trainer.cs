using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace CoConstruisons.Learning;

/// <summary>
/// One labelled image: its id (file name without extension), pixels and class label, and, when known,
/// the crowd's answers on it per choice (<paramref name="Votes"/>): the network then learns the label
/// softened by how the crowd split (<see cref="Cnn.CnnOptions.VoteWeight"/>). Votes for choices that
/// are not classes (e.g. "don't know") are ignored.
/// </summary>
public sealed record LabelledImage(string Id, ImageRaster Image, string Label, IReadOnlyDictionary<string, int>? Votes = null);

/// <summary>Which classifier is trained.</summary>
public enum ModelKind
{
    /// <summary>Handcrafted features + ML.NET LightGBM.</summary>
    Features,

    /// <summary>The compact convolutional network only.</summary>
    Network,

    /// <summary>Both, their probabilities mixed with a weight chosen on the calibration part.</summary>
    Ensemble,
}

public static class ModelKinds
{
    /// <summary>"features", "network" or "ensemble" (any case) → the kind; null for anything else.</summary>
    public static ModelKind? Parse(string value) => value.ToUpperInvariant() switch
    {
        "FEATURES" => ModelKind.Features,
        "NETWORK" => ModelKind.Network,
        "ENSEMBLE" => ModelKind.Ensemble,
        _ => null,
    };
}

public sealed record TrainerOptions
{
    /// <summary>The ensemble by default: the calibration part decides how much each component counts.</summary>
    public ModelKind Model { get; init; } = ModelKind.Ensemble;

    public Cnn.CnnOptions Network { get; init; } = new();

    /// <summary>Share of the items held out for the final metrics (see <see cref="DataSplit"/>).</summary>
    public double TestFraction { get; init; } = 0.25;

    /// <summary>Share of the remaining items kept out of training to fit the temperature and the auto-label threshold.</summary>
    public double CalibrationFraction { get; init; } = 0.15;

    public double TargetPrecision { get; init; } = 0.95;

    /// <summary>The auto-label threshold must reach the target precision with this Wilson lower bound on the calibration part (1.645: one-sided 95 %; 0: point estimate).</summary>
    public double ThresholdConfidenceZ { get; init; } = 1.645;

    public Augmentation Augmentation { get; init; } = Augmentation.Dihedral;

    /// <summary>Class pairs swapped by a quarter turn; null = the known pairs found among the labels.</summary>
    public IReadOnlyList<(string A, string B)>? RotationSwaps { get; init; }

    /// <summary>
    /// Train on half of the symmetries (identity, quarter turn and their mirrors: both roof
    /// orientations, half the rows and boosting time); prediction still averages over all of
    /// <see cref="Augmentation"/>.
    /// </summary>
    public bool HalfSymmetriesForTraining { get; init; } = true;

    /// <summary>LightGBM threads. One by default: OpenMP threads spin-wait badly on a busy shared machine.</summary>
    public int BoostingThreads { get; init; } = 1;

    public int Iterations { get; init; } = 250;

    public double LearningRate { get; init; } = 0.08;

    public int Leaves { get; init; } = 31;

    public int MinExamplesPerLeaf { get; init; } = 20;

    public double FeatureFraction { get; init; } = 0.5;

    public int Seed { get; init; } = 42;
}

public sealed record TrainingResult(ImageClassifier Classifier, EvaluationReport Test, AutoLabelPolicy AutoLabel, double TrainSeconds, int TrainImages, int CalibrationImages, int TestImages)
{
    /// <summary>The calibrated top-class confidence of each held-out image (calibration part, then test part) and whether that class is its label.</summary>
    public IReadOnlyList<(double Confidence, bool Correct)> HeldOut { get; init; } = [];
}

/// <summary>
/// Trains an <see cref="ImageClassifier"/>: hashed train / calibration / test split, features on
/// every symmetry of each training image (labels permuted), LightGBM multiclass (ML.NET), then a
/// temperature and an auto-label threshold fitted on the calibration part, metrics on the test part.
/// </summary>
public static class Trainer
{
    /// <summary>The network's description, with its channel counts (1×, 2× and 4× the base width).</summary>
    public static string NetworkMethod(Cnn.CnnOptions network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var width = network.Width;
        var optimizer = network.Optimizer == Cnn.CnnOptimizer.Sgd ? "SGD (Nesterov momentum)" : "AdamW";
        var resizing = network.LowResolutionEpochs > 0 ? FormattableString.Invariant($", the first {network.LowResolutionEpochs} of {network.Epochs} epochs on images averaged down to {network.LowResolutionSize} px") : "";
        var jitter = network.ColourJitter > 0 ? FormattableString.Invariant($", brightness, contrast and colour varied by up to {network.ColourJitter:0.##} (colour {network.ColourJitter / 4:0.###})") : "";
        var several = network.Networks > 1 ? $" and over {network.Networks} networks trained from different seeds" : "";
        return $"compact convolutional network (3x3 convolutions {width}-{2 * width}-{4 * width} channels with ReLU and max-pooling, global average pooling + the image's aspect and size, one hidden layer), trained from scratch with {optimizer} on random symmetries of the square (quarter turns swap the north-south/east-west classes) and small shifts{jitter}{resizing}, test-time averaging over the 8 symmetries{several}, temperature calibration";
    }

    public const string Method = "handcrafted roof features (multi-scale gradients, HOG, row/column profiles, colour, 8x8 and 16x16 thumbnails) + ML.NET LightGBM multiclass, trained on identity, quarter turn and their mirrors (quarter turns swap the north-south/east-west classes), test-time averaging over the 8 square symmetries, temperature calibration";

    internal static ParallelOptions Parallelism { get; } = new() { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 2) };

    public static string SplitDescription(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"test = items whose FNV-1a-64(\"{DataSplit.TestSalt}:\" + id) % 10000 < {options.TestFraction * 10_000:0} ({options.TestFraction:P0}); of the rest, calibration = FNV-1a-64(\"{DataSplit.CalibrationSalt}:\" + id) % 10000 < {options.CalibrationFraction * 10_000:0}; training = the remainder";
    }

    public static TrainingResult Train(IReadOnlyList<LabelledImage> items, TrainerOptions options, IProgress<(string Stage, int Done, int Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Train(items, [], options, progress, cancellationToken);

    /// <summary>
    /// As <see cref="Train(IReadOnlyList{LabelledImage}, TrainerOptions, IProgress{ValueTuple{string, int, int}}?, CancellationToken)"/>,
    /// with <paramref name="trainingOnly"/> added to the training part whatever their hash (so the
    /// calibration and test parts stay those of <paramref name="items"/>); their labels must be
    /// among the classes of <paramref name="items"/> and their ids must not repeat those of <paramref name="items"/>.
    /// </summary>
    public static TrainingResult Train(IReadOnlyList<LabelledImage> items, IReadOnlyList<LabelledImage> trainingOnly, TrainerOptions options, IProgress<(string Stage, int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(trainingOnly);
        ArgumentNullException.ThrowIfNull(options);
        var watch = Stopwatch.StartNew();
        var classes = items.Select(i => i.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // The checks of the data are messages for whoever brought it (the CLI and the platform show them as they are): no parameter name.
        if (classes.Count < 2)
        {
            throw new ArgumentException(Messages.T(
                $"L'entraînement demande au moins deux classes ; les étiquettes ne contiennent que {string.Join(", ", classes.Select(c => $"« {c} »"))}.",
                $"Training needs at least two classes; the labels only contain {string.Join(", ", classes.Select(c => $"'{c}'"))}."));
        }

        var symmetry = options.RotationSwaps is null ? LabelSymmetry.Detect(classes) : new LabelSymmetry(classes, options.RotationSwaps);
        var test = items.Where(i => DataSplit.IsHeldOut(i.Id, options.TestFraction)).ToList();
        var rest = items.Where(i => !DataSplit.IsHeldOut(i.Id, options.TestFraction)).ToList();
        var calibration = rest.Where(i => DataSplit.IsHeldOut(i.Id, options.CalibrationFraction, DataSplit.CalibrationSalt)).ToList();
        var train = rest.Where(i => !DataSplit.IsHeldOut(i.Id, options.CalibrationFraction, DataSplit.CalibrationSalt)).ToList();
        if (trainingOnly.Count > 0)
        {
            var ids = items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
            if (trainingOnly.FirstOrDefault(i => ids.Contains(i.Id)) is { } repeated)
            {
                throw new ArgumentException(Messages.T(
                    $"L'image « {repeated.Id} » figure à la fois parmi les images réparties et parmi celles réservées à l'entraînement.",
                    $"Image '{repeated.Id}' is both among the split items and the training-only items."));
            }

            if (trainingOnly.FirstOrDefault(i => !classes.Contains(i.Label)) is { } unknown)
            {
                throw new ArgumentException(Messages.T(
                    $"L'image « {unknown.Id} », réservée à l'entraînement, a l'étiquette « {unknown.Label} », qui ne fait pas partie des classes ({string.Join(", ", classes)}).",
                    $"Training-only image '{unknown.Id}' has label '{unknown.Label}', which is not among the classes ({string.Join(", ", classes)})."));
            }

            train.AddRange(trainingOnly);
        }
        if (test.Count == 0 || calibration.Count == 0 || train.Select(i => i.Label).Distinct().Count() < 2)
        {
            throw new ArgumentException(Messages.T(
                $"Trop peu d'images étiquetées pour les répartir ({items.Count} : {train.Count} pour l'entraînement, {calibration.Count} pour la calibration, {test.Count} pour le test) ; étiquetez davantage d'images.",
                $"Too few labelled images to split ({items.Count}: {train.Count} training, {calibration.Count} calibration, {test.Count} test); label more images."));
        }

        var ml = new MLContext(seed: options.Seed);
        var model = options.Model == ModelKind.Network ? null : TrainFeatures(ml, train, classes, symmetry, options, progress, cancellationToken);
        var shares = options.Network.VoteWeight > 0 ? train.Select(i => VoteShares(i.Votes, classes)).ToList() : null;
        var softened = shares?.Count(s => s is not null) ?? 0;
        var targets = softened > 0 ? $", learning for {softened} of its {train.Count} training images {TargetsDescription(options.Network.VoteWeight)}" : "";
        var network = options.Model == ModelKind.Features ? null : Cnn.CnnTrainer.Train(
            train.Select(i => (i.Image, classes.IndexOf(i.Label))).ToList(), classes.Count, symmetry, LabelSymmetry.Transforms(options.Augmentation), options.Network, progress, cancellationToken,
            softened > 0 ? shares : null);
        cancellationToken.ThrowIfCancellationRequested();

        var metadata = new ModelMetadata
        {
            ModelVersion = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            FeatureCount = model is null ? 0 : RoofFeatureExtractor.Length,
            CreatedUtc = DateTimeOffset.UtcNow,
            Method = options.Model switch
            {
                ModelKind.Network => NetworkMethod(options.Network) + targets,
                ModelKind.Ensemble => $"{NetworkMethod(options.Network)}{targets}; mixed with: {Method}",
                _ => Method,
            },
            Classes = classes,
            RotationSwaps = symmetry.RotationSwaps.Select(p => new[] { p.A, p.B }).ToList(),
            Augmentation = options.Augmentation,
            Split = SplitDescription(options),
            TrainingImages = train.Count,
            NetworkWeight = options.Model == ModelKind.Network ? 1 : 0,
        };
        var classifier = new ImageClassifier(ml, model, network, metadata);

        // Temperature and auto-label threshold on the calibration part.
        var calibrationTruth = calibration.Select(i => classes.IndexOf(i.Label)).ToList();
        var calibrationImages = calibration.Select(i => i.Image).ToList();
        var calibrationFeatures = classifier.PredictFeatures(calibrationImages);
        var calibrationNetwork = classifier.PredictNetwork(calibrationImages);
        var networkWeight = options.Model == ModelKind.Ensemble
            ? ChooseNetworkWeight(calibrationTruth, calibrationFeatures!, calibrationNetwork!)
            : metadata.NetworkWeight;
        metadata = metadata with { NetworkWeight = networkWeight };
        var rawCalibration = ImageClassifier.Mix(calibrationFeatures, calibrationNetwork, networkWeight);
        var temperature = Evaluation.FitTemperature(calibrationTruth, rawCalibration);
        var calibrated = rawCalibration.Select(p => Evaluation.ApplyTemperature(p, temperature)).ToList();
        var (conf, correct) = ConfidenceAndCorrect(calibrationTruth, calibrated);
        var (threshold, _, _) = Evaluation.SelectThreshold(conf, correct, options.TargetPrecision, minAccepted: MinAcceptedForThreshold(calibration.Count), confidenceZ: options.ThresholdConfidenceZ);
        var trainSeconds = watch.Elapsed.TotalSeconds;

        // Final metrics on the test part.
        classifier = classifier.WithMetadata(metadata with { Temperature = temperature });
        var testTruth = test.Select(i => classes.IndexOf(i.Label)).ToList();
        var testProbabilities = classifier.Predict(test.Select(i => i.Image).ToList());
        var report = Evaluation.Evaluate(classes, testTruth, testProbabilities);
        var (testConf, testCorrect) = ConfidenceAndCorrect(testTruth, testProbabilities);
        var (coverage, precision) = Evaluation.ApplyThreshold(testConf, testCorrect, threshold);
        var policy = new AutoLabelPolicy(options.TargetPrecision, Math.Round(threshold, 6), Evaluation.Round(coverage), Evaluation.Round(precision), $"threshold chosen on the calibration part ({calibration.Count} images); coverage and precision measured on the test part ({test.Count} images)");
        classifier = classifier.WithMetadata(classifier.Metadata with { AutoLabel = policy, Metrics = report });
        return new TrainingResult(classifier, report, policy, trainSeconds, train.Count, calibration.Count, test.Count)
        {
            HeldOut = [.. conf.Zip(correct).Concat(testConf.Zip(testCorrect))],
        };
    }

    /// <summary>How many calibration images a threshold must accept at least: 20, or a fifth of a small calibration part.</summary>
    public static int MinAcceptedForThreshold(int calibrationImages) => Math.Min(20, Math.Max(1, calibrationImages / 5));

    /// <summary>What the network learns for an image with answers, in words (metadata and benchmarks).</summary>
    public static string TargetsDescription(double voteWeight) => voteWeight >= 1
        ? "the crowd's answer shares on them instead of their label"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the label × {1 - voteWeight:0.##} + the crowd's answer shares × {voteWeight:0.##}");

    /// <summary>The share of the crowd's answers on each class (in <paramref name="classes"/>' order); null without any.</summary>
    internal static float[]? VoteShares(IReadOnlyDictionary<string, int>? votes, IReadOnlyList<string> classes)
    {
        if (votes is null)
        {
            return null;
        }

        var shares = new float[classes.Count];
        var total = 0;
        for (var c = 0; c < classes.Count; c++)
        {
            var n = votes.TryGetValue(classes[c], out var v) ? Math.Max(0, v) : 0;
            shares[c] = n;
            total += n;
        }

        if (total == 0)
        {
            return null;
        }

        for (var c = 0; c < shares.Length; c++)
        {
            shares[c] /= total;
        }

        return shares;
    }

    private static ITransformer TrainFeatures(MLContext ml, List<LabelledImage> train, List<string> classes, LabelSymmetry symmetry, TrainerOptions options, IProgress<(string Stage, int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        // Features of every symmetry of every training image.
        var transforms = LabelSymmetry.Transforms(options.Augmentation);
        if (options.HalfSymmetriesForTraining && options.Augmentation == Augmentation.Dihedral)
        {
            transforms = [0, 1, 4, 5];
        }

        var rows = new LabelledRow[train.Count * transforms.Count];
        var done = 0;
        Parallel.For(0, train.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism.MaxDegreeOfParallelism, CancellationToken = cancellationToken }, i =>
        {
            for (var t = 0; t < transforms.Count; t++)
            {
                rows[(i * transforms.Count) + t] = new LabelledRow
                {
                    Features = RoofFeatureExtractor.Extract(train[i].Image.Transformed(transforms[t])),
                    LabelText = symmetry.Map(train[i].Label, transforms[t]),
                };
            }

            var n = Interlocked.Increment(ref done);
            if (n % 100 == 0 || n == train.Count)
            {
                progress?.Report(("features", n, train.Count));
            }
        });

        cancellationToken.ThrowIfCancellationRequested();
        var data = ml.Data.LoadFromEnumerable(rows, FeatureSchema<LabelledRow>(RoofFeatureExtractor.Length));
        var classView = ml.Data.LoadFromEnumerable(classes.Select(c => new ClassRow { LabelText = c }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "LabelText", keyData: classView).Fit(data).Transform(data);
        var trainer = ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
            NumberOfIterations = options.Iterations,
            LearningRate = options.LearningRate,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
            NumberOfThreads = options.BoostingThreads,
            Seed = options.Seed,
            UseSoftmax = true,
            Booster = new GradientBooster.Options { FeatureFraction = options.FeatureFraction, L2Regularization = 1.0 },
            Silent = true,
        });
        progress?.Report(("boosting", 0, 1));
        var model = trainer.Fit(keyed);
        progress?.Report(("boosting", 1, 1));
        return model;
    }

    /// <summary>The network's share (0, 0.1, …, 1) that minimises the log-loss of the mixed probabilities on the calibration part.</summary>
    internal static double ChooseNetworkWeight(IReadOnlyList<int> truth, IReadOnlyList<float[]> features, IReadOnlyList<float[]> network)
    {
        var best = (Weight: 1.0, Loss: double.PositiveInfinity);
        for (var step = 0; step <= 10; step++)
        {
            var weight = step / 10.0;
            var loss = Evaluation.LogLoss(truth, ImageClassifier.Mix(features, network, weight));

            if (loss < best.Loss - 1e-9)
            {
                best = (weight, loss);
            }
        }

        return best.Weight;
    }

    internal static (List<double> Confidence, List<bool> Correct) ConfidenceAndCorrect(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities)
    {
        var conf = new List<double>(truth.Count);
        var correct = new List<bool>(truth.Count);
        for (var i = 0; i < truth.Count; i++)
        {
            var predicted = Evaluation.ArgMax(probabilities[i]);
            conf.Add(probabilities[i][predicted]);
            correct.Add(predicted == truth[i]);
        }

        return (conf, correct);
    }

    internal static SchemaDefinition FeatureSchema<T>(int length)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return schema;
    }

    private sealed class ClassRow
    {
        public string LabelText { get; set; } = "";
    }
}
