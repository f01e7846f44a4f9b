using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Images.OpenSolarMapImport;
using CoConstruisons.Cli.Commands;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Consensus;
using CoConstruisons.Infrastructure.Images;
using CoConstruisons.Learning;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Bench;

/// <summary>
/// `bench loop`: the model in the loop on OpenSolarMap. Replay pass 1 (crowd only) gives confident
/// labels; the classifier is trained on them, never on a building of the evaluation set
/// (dsg2016_train_labels.csv), with cross-fitting so that every image gets an out-of-sample
/// prediction; the predictions machine-label the images above the auto-label threshold (precision
/// measured on the evaluation set) and act as item priors in replay pass 2. Prints one JSON object.
/// See docs/opensolarmap.md, "The model in the loop".
/// </summary>
public sealed class LoopBenchCommand : ICliCommand, IHasFlags
{
    /// <summary>Salt of the cross-fitting folds (hash of the building id, like the trainer's split).</summary>
    public const string FoldSalt = "coconstruisons-loop-fold-v1";

    /// <summary>The auto-label target precision of the issue ("≥ 95 % measured precision").</summary>
    public const double TargetPrecision = 0.95;

    /// <summary>Probabilities are floored here before they become priors (a model is never certain enough to veto every answer).</summary>
    public const double ProbabilityFloor = 1e-4;

    private const string ReferenceSalt = "coconstruisons-loop-smoke-reference-v1";

    /// <summary>Salt of the two halves of the reference used to check a threshold chosen on reference labels.</summary>
    public const string GoldHalfSalt = "coconstruisons-loop-reference-half-v1";

    /// <summary>
    /// Other tempering exponents replayed and reported next to the main one (a sensitivity check
    /// declared before measuring; the main figures use --prior-exponent, 1 by default).
    /// </summary>
    public static IReadOnlyList<double> SensitivityExponents { get; } = [0.25, 0.5, 1.0];

    private static int GoldHalf(string id) => DataSplit.Bucket(id, GoldHalfSalt) < 5_000 ? 0 : 1;

    public string Name => "bench loop";

    public string Usage => "bench loop [--data DIR] [--smoke] [--folds N] [--prior-exponent X] [--model features|network|ensemble] [--iterations N] [--train-limit N]";

    public string Summary => Texts.T(
        "Le modèle dans la boucle sur OpenSolarMap : rejeu (la foule seule), entraînement sur ses étiquettes sûres (bâtiments d'évaluation exclus), étiquetage des images par la machine, nouveau rejeu avec les prédictions comme a priori ; affiche un objet JSON.",
        "The model in the loop on OpenSolarMap: replay (crowd only), train on its confident labels (evaluation buildings excluded), machine-label the images, replay again with the predictions as priors; prints one JSON object.");

    public IReadOnlyList<string> Flags => ["smoke"];

    /// <summary>What the loop runs on: an answer stream in time order, the evaluation truth, and the images.</summary>
    private sealed record LoopData(
        string Source,
        List<ReplayAnswer> Stream,
        Dictionary<string, string> Reference,
        string ReferenceName,
        IReadOnlyList<string> ImageIds,
        Func<string, ImageRaster> Load,
        long BadRows);

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var smoke = args.Flag("smoke");
        var dataOption = args.Option("data");
        var folds = args.IntOption("folds", 2);
        var exponentText = args.Option("prior-exponent");
        var exponent = exponentText is null ? 1.0
            : double.TryParse(exponentText, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
            : throw new UsageException(Texts.T($"L'option --prior-exponent doit être un nombre, pas « {exponentText} ».", $"Option --prior-exponent must be a number, not '{exponentText}'."));
        var iterations = args.IntOption("iterations", smoke ? 60 : new TrainerOptions().Iterations);

        // The figures in docs/opensolarmap.md were measured with the features model (the network came later).
        var kind = Commands.TrainImagesCommand.ParseModelKind(args.Option("model") ?? "features");
        var trainLimit = args.IntOption("train-limit", 0);
        args.EnsureAllRead();
        if (folds is < 1 or > 10 || !(exponent >= 0 && double.IsFinite(exponent)) || iterations < 1 || trainLimit < 0)
        {
            throw new UsageException(Texts.T(
                "--folds doit valoir de 1 à 10, --prior-exponent ≥ 0, --iterations ≥ 1, --train-limit ≥ 0.",
                "--folds must be 1–10, --prior-exponent ≥ 0, --iterations ≥ 1, --train-limit ≥ 0."));
        }

        var total = Stopwatch.StartNew();
        LoopData data;
        if (smoke && dataOption is null)
        {
            data = Generated(seed: 11);
        }
        else
        {
            var dir = dataOption ?? RepoPaths.SharedData("opensolarmap");
            string[] needed = ["contributions.csv", "dsg2016_train_labels.csv", "roof_images"];
            var missing = dir is null ? null : needed.FirstOrDefault(n => !File.Exists(Path.Combine(dir, n)) && !Directory.Exists(Path.Combine(dir, n)));
            if (dir is null || missing is not null)
            {
                if (dataOption is not null)
                {
                    throw new CliException(Texts.T(
                        $"--data « {Path.GetFullPath(dataOption)} » n'a pas de {missing} ; il doit contenir contributions.csv, dsg2016_train_labels.csv et roof_images/.",
                        $"--data '{Path.GetFullPath(dataOption)}' has no {missing}; it must hold contributions.csv, dsg2016_train_labels.csv and roof_images/."));
                }

                Console.Error.WriteLine(Texts.T(
                    $"bench loop : ../shared/data/opensolarmap introuvable ou incomplet ({(dir is null ? "absent" : $"pas de {missing}")} ; passez --data DIR ou --smoke) ; rien n'est mesuré.",
                    $"bench loop: ../shared/data/opensolarmap not found or incomplete ({(dir is null ? "absent" : $"no {missing}")}; pass --data DIR or --smoke); skipping."));
                Console.WriteLine(JsonSerializer.Serialize(new { skipped = true, reason = "OpenSolarMap data not found (../shared/data/opensolarmap)" }));
                return Task.FromResult(0);
            }

            data = Real(dir);
        }

        var choices = OpenSolarMapFiles.ChoiceCodes;
        var enginePrior = new ConsensusOptions().WorkerPrior;
        var replayOptions = new ReplayOptions
        {
            Choices = choices,
            Retirement = new RetirementPolicy(1, 10, 0.95),
            Method = ConsensusMethods.Default,
            Prior = new SkillPrior(enginePrior.Accuracy, enginePrior.Strength),
            RefitEvery = smoke ? 200 : 2000,
        };
        var seconds = new JsonObject();

        // 1. Replay pass 1: the crowd alone.
        var watch = Stopwatch.StartNew();
        Console.Error.WriteLine(Texts.T(
            $"passe 1 : rejeu de {data.Stream.Count:N0} réponses ({replayOptions.Method}, min 1, max 10, cible 0.95)",
            $"pass 1: replaying {data.Stream.Count:N0} answers ({replayOptions.Method}, min 1, max 10, target 0.95)"));
        var pass1 = AnswerReplay.Run(data.Stream, replayOptions);
        seconds["replay_pass1"] = Round(watch.Elapsed.TotalSeconds, 1);

        // 2. Training labels: the crowd's confident labels, never a building of the evaluation set.
        var imageSet = new HashSet<string>(data.ImageIds, StringComparer.Ordinal);
        var confident = pass1.Retired.Values.Where(r => r.Confident).ToList();
        var labels = confident.Where(r => !data.Reference.ContainsKey(r.Item) && imageSet.Contains(r.Item))
            .Select(r => (Id: r.Item, r.Label)).OrderBy(l => l.Id, StringComparer.Ordinal).ToList();
        var labelsAvailable = labels.Count;
        if (trainLimit > 0)
        {
            labels = [.. labels.OrderBy(l => DataSplit.Bucket(l.Id, "coconstruisons-subset-v1")).Take(trainLimit)];
        }

        var trainerOptions = new TrainerOptions { Model = kind, Iterations = iterations, TargetPrecision = TargetPrecision, MinExamplesPerLeaf = smoke ? 5 : 20, ThresholdConfidenceZ = 0 };
        int Fold(string id) => folds == 1 ? 0 : DataSplit.Bucket(id, FoldSalt) * folds / 10_000;

        // 3. Per fold: train on the labels outside the fold, predict the images inside it (cross-fitting:
        //    every prediction is out of sample). With one fold: one model predicts everything and the
        //    images it was fitted on are marked in-sample (no prior, never machine-labelled).
        var predictions = new Dictionary<string, Prediction>(StringComparer.Ordinal);
        var foldReports = new JsonArray();
        var unreadable = new List<string>();
        double trainSeconds = 0, loadSeconds = 0, predictSeconds = 0;
        string? modelMethod = null;
        for (var f = 0; f < folds; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var foldLabels = labels.Where(l => folds == 1 || Fold(l.Id) != f).ToList();
            watch.Restart();
            var rasters = LoadMany([.. foldLabels.Select(l => l.Id)], data.Load, Texts.T($"pli {f + 1}/{folds} : décodage des images d'entraînement", $"fold {f + 1}/{folds}: decoding training images"), unreadable, cancellationToken);
            var items = foldLabels.Select((l, i) => (l, i)).Where(p => rasters[p.i] is not null)
                .Select(p => new LabelledImage(p.l.Id, rasters[p.i]!, p.l.Label)).ToList();
            loadSeconds += watch.Elapsed.TotalSeconds;
            watch.Restart();
            Console.Error.WriteLine(Texts.T(
                $"pli {f + 1}/{folds} : entraînement sur {items.Count:N0} étiquettes de la foule",
                $"fold {f + 1}/{folds}: training on {items.Count:N0} crowd labels"));
            var result = Trainer.Train(items, trainerOptions, ImageLoading.TrainingProgress(), cancellationToken);
            trainSeconds += watch.Elapsed.TotalSeconds;
            modelMethod ??= result.Classifier.Metadata.Method;
            var frequency = choices.Select(c => Math.Max(ProbabilityFloor, (double)items.Count(i => i.Label == c) / items.Count)).ToArray();
            var inSample = folds == 1
                ? items.Where(i => !DataSplit.IsHeldOut(i.Id, trainerOptions.TestFraction) && !DataSplit.IsHeldOut(i.Id, trainerOptions.CalibrationFraction, DataSplit.CalibrationSalt))
                    .Select(i => i.Id).ToHashSet(StringComparer.Ordinal)
                : [];
            items.Clear();
            rasters = [];
            GC.Collect();

            watch.Restart();
            var targets = data.ImageIds.Where(id => folds == 1 || Fold(id) == f).ToList();
            var classIndex = choices.Select(c => result.Classifier.Classes.ToList().IndexOf(c)).ToArray();
            PredictMany(result.Classifier, targets, data.Load, Texts.T($"pli {f + 1}/{folds} : prédiction de {targets.Count:N0} images", $"fold {f + 1}/{folds}: predicting {targets.Count:N0} images"), unreadable, (id, p) =>
            {
                var probabilities = classIndex.Select(c => c < 0 ? 0.0 : p[c]).ToArray();
                var best = Array.IndexOf(probabilities, probabilities.Max());
                predictions[id] = new Prediction(f, probabilities, choices[best], probabilities[best], result.AutoLabel.Threshold, frequency, inSample.Contains(id));
            }, cancellationToken);
            predictSeconds += watch.Elapsed.TotalSeconds;
            foldReports.Add(new JsonObject
            {
                ["fold"] = f,
                ["labels"] = foldLabels.Count,
                ["training_images"] = result.TrainImages,
                ["calibration_images"] = result.CalibrationImages,
                ["test_images"] = result.TestImages,
                ["test_accuracy_vs_crowd"] = Round(result.Test.Accuracy, 4),
                ["test_ece"] = Round(result.Test.Ece, 4),
                ["temperature"] = Round(result.Classifier.Metadata.Temperature, 3),
                ["auto_label"] = JsonSerializer.SerializeToNode(result.AutoLabel),
                ["predicted_images"] = targets.Count,
                ["train_seconds"] = Round(result.TrainSeconds, 1),
            });
        }

        seconds["decode_training_images"] = Round(loadSeconds, 1);
        seconds["train"] = Round(trainSeconds, 1);
        seconds["predict"] = Round(predictSeconds, 1);

        // 4. Machine labels, and their precision measured on the evaluation buildings (never trained on).
        var honest = predictions.Where(p => !p.Value.InSample).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var machine = honest.Where(p => p.Value.Confidence >= p.Value.Threshold).ToDictionary(p => p.Key, p => p.Value.Label, StringComparer.Ordinal);
        var crowd = confident.ToDictionary(r => r.Item, r => r.Label, StringComparer.Ordinal);
        var answered = data.Stream.Select(a => a.Item).ToHashSet(StringComparer.Ordinal);
        var referencePredicted = data.Reference.Keys.Where(honest.ContainsKey).ToList();
        var referenceMachine = referencePredicted.Where(machine.ContainsKey).ToList();
        var machineVsCrowd = machine.Where(m => crowd.ContainsKey(m.Key) && !data.Reference.ContainsKey(m.Key)).ToList();
        var prediction = new JsonObject
        {
            ["images_total"] = data.ImageIds.Count,
            ["images_predicted_out_of_sample"] = honest.Count,
            ["images_in_sample"] = predictions.Count - honest.Count,
            ["images_unreadable"] = unreadable.Distinct(StringComparer.Ordinal).Count(),
            ["images_per_second"] = Round(predictions.Count / Math.Max(1e-9, predictSeconds), 1),
            ["machine_labelled"] = machine.Count,
            ["machine_labelled_share"] = Round((double)machine.Count / Math.Max(1, data.ImageIds.Count), 4),
            ["machine_labelled_without_confident_crowd_label"] = machine.Keys.Count(k => !crowd.ContainsKey(k)),
            ["machine_labelled_never_answered"] = machine.Keys.Count(k => !answered.Contains(k)),
            ["precision_vs_reference"] = Accuracy(referenceMachine.Count(id => machine[id] == data.Reference[id]), referenceMachine.Count, data.ReferenceName,
                "machine-labelled images of the evaluation set (never trained on); precision of the machine labels"),
            ["coverage_of_reference"] = Round((double)referenceMachine.Count / Math.Max(1, referencePredicted.Count), 4),
            ["accuracy_vs_reference_all"] = Accuracy(referencePredicted.Count(id => honest[id].Label == data.Reference[id]), referencePredicted.Count, data.ReferenceName,
                "every evaluation image, top class, no threshold"),
            ["agreement_with_pass1_crowd"] = Accuracy(machineVsCrowd.Count(m => m.Value == crowd[m.Key]), machineVsCrowd.Count, "pass 1 confident crowd labels",
                "machine-labelled images outside the evaluation set that pass 1 labelled confidently (predicted by a model that did not train on them)"),
        };

        // 4b. What a small trusted set would buy: half of the reference chooses a threshold for the target
        //     precision, the other half measures it (both ways). The trainer's threshold above was chosen
        //     on crowd labels; this one on reference labels, never measured on the half that chose it.
        var gold = new JsonArray();
        foreach (var half in new[] { 0, 1 })
        {
            var choose = referencePredicted.Where(id => GoldHalf(id) == half).ToList();
            var measure = referencePredicted.Where(id => GoldHalf(id) != half).ToList();
            var (threshold, _, _) = Evaluation.SelectThreshold(
                [.. choose.Select(id => honest[id].Confidence)], [.. choose.Select(id => honest[id].Label == data.Reference[id])], TargetPrecision, minAccepted: 20);
            var accepted = measure.Where(id => honest[id].Confidence >= threshold).ToList();
            var labelled = honest.Count(p => p.Value.Confidence >= threshold);
            gold.Add(new JsonObject
            {
                ["chosen_on"] = $"reference half {half} ({choose.Count} images)",
                ["threshold"] = Round(threshold, 6),
                ["precision_on_other_half"] = Accuracy(accepted.Count(id => honest[id].Label == data.Reference[id]), accepted.Count, data.ReferenceName,
                    $"reference half {1 - half} ({measure.Count} images) at or above the threshold"),
                ["coverage_of_other_half"] = Round((double)accepted.Count / Math.Max(1, measure.Count), 4),
                ["machine_labelled"] = labelled,
                ["machine_labelled_share"] = Round((double)labelled / Math.Max(1, data.ImageIds.Count), 4),
            });
        }

        prediction["threshold_from_reference_half"] = gold;

        // 5. Replay pass 2: the out-of-sample predictions as item priors; and the variants that do not ask
        //    humans about machine-labelled images at all.
        watch.Restart();
        var priors = honest.ToDictionary(
            p => p.Key,
            IReadOnlyList<double> (p) => [.. p.Value.Probabilities.Select((q, c) => Math.Max(ProbabilityFloor, q) / p.Value.TrainingFrequency[c])],
            StringComparer.Ordinal);
        var withPriors = replayOptions with { ItemPriors = priors, ItemPriorExponent = exponent };
        var skipStream = data.Stream.Where(a => !machine.ContainsKey(a.Item)).ToList();
        Console.Error.WriteLine(Texts.T(
            "passe 2 : rejeu avec les prédictions comme a priori, puis sans demander les images étiquetées par la machine",
            "pass 2: replaying with the predictions as priors, then without asking about machine-labelled images"));
        var pass2 = AnswerReplay.Run(data.Stream, withPriors);
        var skip = AnswerReplay.Run(skipStream, replayOptions);
        var skipPriors = AnswerReplay.Run(skipStream, withPriors);
        var sensitivity = new JsonObject();
        foreach (var e in SensitivityExponents.Where(e => e != exponent))
        {
            var r = AnswerReplay.Run(data.Stream, replayOptions with { ItemPriors = priors, ItemPriorExponent = e });
            var summary = ReplaySummary(r, data, data.Stream.Count, null);
            sensitivity[e.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["answers_spent"] = summary["answers_spent"]!.DeepClone(),
                ["items_confident"] = summary["items_confident"]!.DeepClone(),
                ["confident_per_1000_spent"] = summary["confident_per_1000_spent"]!.DeepClone(),
                ["accuracy_vs_reference"] = summary["accuracy_vs_reference"]!["value"]!.DeepClone(),
                ["accuracy_vs_reference_count"] = summary["accuracy_vs_reference"]!["count"]!.DeepClone(),
                ["accuracy_leave_out"] = summary["accuracy_leave_out"]!["value"]!.DeepClone(),
            };
        }

        seconds["replay_pass2"] = Round(watch.Elapsed.TotalSeconds, 1);
        var machineAnswered = machine.Where(m => answered.Contains(m.Key)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);

        var replay = new JsonObject
        {
            ["pass1_crowd_only"] = ReplaySummary(pass1, data, data.Stream.Count, null),
            ["pass2_model_prior"] = ReplaySummary(pass2, data, data.Stream.Count, null),
            ["machine_labelled_not_asked"] = ReplaySummary(skip, data, data.Stream.Count, machineAnswered),
            ["machine_labelled_not_asked_model_prior"] = ReplaySummary(skipPriors, data, data.Stream.Count, machineAnswered),
            ["pass2_prior_exponent_sensitivity"] = sensitivity,
        };
        seconds["total"] = Round(total.Elapsed.TotalSeconds, 1);

        var json = new JsonObject
        {
            ["benchmark"] = "loop",
            ["source"] = data.Source,
            ["rows_unusable"] = data.BadRows,
            ["training"] = new JsonObject
            {
                ["pass1_confident"] = confident.Count,
                ["excluded_reference"] = confident.Count(r => data.Reference.ContainsKey(r.Item)),
                ["excluded_no_image"] = confident.Count(r => !data.Reference.ContainsKey(r.Item) && !imageSet.Contains(r.Item)),
                ["labels_available"] = labelsAvailable,
                ["labels_used"] = labels.Count,
                ["per_class"] = new JsonObject([.. choices.Select(c => KeyValuePair.Create(c, (JsonNode?)labels.Count(l => l.Label == c)))]),
                ["folds"] = folds,
                ["fold_models"] = foldReports,
                ["method"] = modelMethod,
                ["iterations"] = iterations,
                ["target_precision"] = TargetPrecision,
                ["split"] = folds == 1
                    ? "one model on every label: " + Trainer.SplitDescription(trainerOptions)
                    : $"cross-fitting: fold = FNV-1a-64(\"{FoldSalt}:\" + id) % 10000 × {folds} / 10000; the model of fold f trains on the labels of the other folds and predicts the images of fold f; inside each model: " + Trainer.SplitDescription(trainerOptions),
            },
            ["prediction"] = prediction,
            ["replay"] = replay,
            ["parameters"] = new JsonObject
            {
                ["method"] = replayOptions.Method,
                ["min_answers"] = replayOptions.Retirement.MinAnswers,
                ["max_answers"] = replayOptions.Retirement.MaxAnswers,
                ["confidence_target"] = replayOptions.Retirement.ConfidenceTarget,
                ["prior_accuracy"] = replayOptions.Prior.Accuracy,
                ["prior_strength"] = replayOptions.Prior.Strength,
                ["refit_every"] = replayOptions.RefitEvery,
                ["skill_min_answers"] = replayOptions.SkillMinAnswers,
                ["item_prior"] = $"out-of-sample calibrated probability / class frequency among that model's training labels (a likelihood; the replay's class prior stays), floored at {ProbabilityFloor.ToString(CultureInfo.InvariantCulture)}, raised to the exponent",
                ["item_prior_exponent"] = exponent,
            },
            ["seconds"] = seconds,
            ["peak_memory_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
        };
        Console.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return Task.FromResult(0);
    }

    /// <summary>An out-of-sample (or, with one fold, possibly in-sample) prediction, probabilities in choice order.</summary>
    private sealed record Prediction(int Fold, double[] Probabilities, string Label, double Confidence, double Threshold, double[] TrainingFrequency, bool InSample);

    private static JsonObject ReplaySummary(ReplayResult r, LoopData data, int streamAnswers, Dictionary<string, string>? machineAnswered)
    {
        var confident = r.Retired.Values.Where(x => x.Confident).ToList();
        var onReference = confident.Where(x => data.Reference.ContainsKey(x.Item)).ToList();
        var spent = r.Spent;
        var leaveOut = confident
            .Select(x => (x, Left: ReplayBenchCommand.LeaveOutMajority(r.LeftOver.GetValueOrDefault(x.Item))))
            .Where(p => p.Left is not null)
            .Select(p => p.x.Label == p.Left)
            .ToList();
        var json = new JsonObject
        {
            ["answers_not_asked"] = streamAnswers - (r.Spent + r.Saved + r.Repeats + r.Refused),
            ["answers_spent"] = spent,
            ["answers_saved"] = r.Saved,
            ["items_confident"] = confident.Count,
            ["items_confident_single_answer"] = confident.Count(x => x.Evidence == 1),
            ["items_retired_at_max_unconfident"] = r.Retired.Count - confident.Count,
            ["confident_per_1000_spent"] = spent == 0 ? 0 : Round(confident.Count * 1000.0 / spent, 1),
            ["accuracy_vs_reference"] = Accuracy(onReference.Count(x => x.Label == data.Reference[x.Item]), onReference.Count, data.ReferenceName, "confident crowd labels that have a reference label"),
            ["accuracy_leave_out"] = Accuracy(leaveOut.Count(x => x), leaveOut.Count, "majority of the saved answers",
                "confident crowd labels with ≥ 3 answers after retirement and a unique majority among them (as in bench replay; independent of the reference)"),
        };
        if (machineAnswered is not null)
        {
            var all = confident.ToDictionary(x => x.Item, x => x.Label, StringComparer.Ordinal);
            foreach (var (item, label) in machineAnswered)
            {
                all[item] = label;
            }

            var allOnReference = all.Where(l => data.Reference.ContainsKey(l.Key)).ToList();
            json["machine_labels_on_answered_items"] = machineAnswered.Count;
            json["labels_per_1000_spent"] = spent == 0 ? 0 : Round(all.Count * 1000.0 / spent, 1);
            json["accuracy_vs_reference_crowd_and_machine"] = Accuracy(allOnReference.Count(l => l.Value == data.Reference[l.Key]), allOnReference.Count, data.ReferenceName,
                "confident crowd labels and machine labels of answered items that have a reference label");
        }

        return json;
    }

    private static JsonObject Accuracy(int right, int total, string reference, string on) => new()
    {
        ["value"] = total == 0 ? null : Round((double)right / total, 4),
        ["correct"] = right,
        ["count"] = total,
        ["reference"] = reference,
        ["on"] = on,
    };

    private static double Round(double value, int digits) => Math.Round(value, digits);

    private static ImageRaster?[] LoadMany(IReadOnlyList<string> ids, Func<string, ImageRaster> load, string label, List<string> unreadable, CancellationToken cancellationToken)
    {
        var images = new ImageRaster?[ids.Count];
        var failed = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var bar = new ProgressBar(label, ids.Count);
        var done = 0L;
        Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, i =>
        {
            try
            {
                images[i] = load(ids[i]);
            }
            catch (UnreadableImageException ex)
            {
                failed.Add(ex.Message);
            }

            if (Interlocked.Increment(ref done) % 64 == 0)
            {
                lock (bar)
                {
                    bar.Advance(64);
                }
            }
        });
        bar.Advance(ids.Count % 64);
        unreadable.AddRange(failed);
        return images;
    }

    /// <summary>Decodes and predicts in batches (memory stays bounded), calling <paramref name="take"/> per readable image.</summary>
    private static void PredictMany(ImageClassifier classifier, IReadOnlyList<string> ids, Func<string, ImageRaster> load, string label, List<string> unreadable, Action<string, float[]> take, CancellationToken cancellationToken)
    {
        const int batch = 1024;
        using var bar = new ProgressBar(label, ids.Count);
        for (var start = 0; start < ids.Count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var part = ids.Skip(start).Take(batch).ToList();
            var images = new ImageRaster?[part.Count];
            var failed = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.For(0, part.Count, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, i =>
            {
                try
                {
                    images[i] = load(part[i]);
                }
                catch (UnreadableImageException ex)
                {
                    failed.Add(ex.Message);
                }
            });
            unreadable.AddRange(failed);
            var readable = Enumerable.Range(0, part.Count).Where(i => images[i] is not null).ToList();
            var probabilities = classifier.Predict([.. readable.Select(i => images[i]!)]);
            for (var j = 0; j < readable.Count; j++)
            {
                take(part[readable[j]], probabilities[j]);
            }

            bar.Advance(part.Count);
        }
    }

    private static LoopData Real(string dir)
    {
        var (stream, bad) = ReplayBenchCommand.ReadStream(Path.Combine(dir, "contributions.csv"));
        var images = ImageFolder.List(Path.Combine(dir, "roof_images"));
        var reference = OpenSolarMapFiles.ReadLabels(Path.Combine(dir, "dsg2016_train_labels.csv"));
        return new LoopData(Path.GetFullPath(dir), stream, reference, "dsg2016_train_labels.csv",
            [.. images.Keys.Order(StringComparer.Ordinal)], id => ImageRaster.Load(images[id]), bad);
    }

    /// <summary>
    /// --smoke: the replay's generated stream on 360 items (80 contributors, 1–8 answers each), a
    /// generated roof image per item (<see cref="RoofImageGenerator"/>, the truth's class) plus 40
    /// images nobody answered; the reference ("DSG") is the truth of a hashed 20 % of the items.
    /// </summary>
    private static LoopData Generated(int seed)
    {
        var (stream, truth) = ReplayBenchCommand.Generated(seed, items: 360);
        var random = new Random(seed);
        var choices = OpenSolarMapFiles.ChoiceCodes;
        var images = new Dictionary<string, ImageRaster>(StringComparer.Ordinal);
        foreach (var (item, label) in truth)
        {
            images[item] = ImageRaster.Decode(RoofImageGenerator.Draw(RoofImageGenerator.Choices[IndexOf(choices, label)], random));
        }

        for (var i = 0; i < 40; i++)
        {
            images[$"u{i}"] = ImageRaster.Decode(RoofImageGenerator.Draw(RoofImageGenerator.Choices[i % 4], random));
        }

        var reference = truth.Where(t => DataSplit.Bucket(t.Key, ReferenceSalt) < 2000).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        return new LoopData("generated", stream, reference, "generated truth (hashed 20 % of the items)",
            [.. images.Keys.Order(StringComparer.Ordinal)], id => images[id], 0);
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }
}
