using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Cli.Csv;
using CoConstruisons.Domain.Consensus;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// `coconstruisons bench consensus`: accuracy of majority vote and of a consensus method on every
/// crowd dataset folder (answers.csv + truth.csv), fit time and incremental-update time, as one
/// JSON object on standard output (progress on standard error).
/// </summary>
public sealed class BenchConsensusCommand : ICliCommand, IHasFlags
{
    /// <summary>Best published accuracy per dataset (Zheng et al. VLDB 2017; Ustalov et al. JOSS 2024), null when none was checked.</summary>
    public static readonly IReadOnlyDictionary<string, double?> PublishedBest = new Dictionary<string, double?>(StringComparer.Ordinal)
    {
        ["product"] = 0.940, ["possent"] = 0.960, ["relevance"] = 0.6164, ["adult"] = 0.766, ["bluebirds"] = null, ["rte"] = null,
    };

    /// <summary>The accuracy the default method must reach on each dataset.</summary>
    public static readonly IReadOnlyDictionary<string, double> Targets = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["product"] = 0.940, ["possent"] = 0.960, ["relevance"] = 0.616, ["adult"] = 0.766, ["bluebirds"] = 0.90, ["rte"] = 0.93,
    };

    public const double FitSecondsTarget = 1.0;
    public const double UpdateMicrosecondsTarget = 1000;

    public string Name => "bench consensus";

    public string Usage =>
        "bench consensus [--data DIR] [--smoke] [--method NAME] [--prior-accuracy P] [--prior-strength S] [--pooled-weight W] [--class-prior C]";

    public string Summary => Texts.T(
        "Mesure l'exactitude du consensus (face au vote majoritaire et aux résultats publiés), le temps d'ajustement et le temps de mise à jour incrémentale sur chaque " +
        "dossier de ../shared/data/crowd (ou DIR) ; --smoke travaille plutôt sur une petite foule générée. Affiche un objet JSON.",
        "Measures consensus accuracy (vs majority vote and published results), fit time and incremental-update time on every " +
        "folder of ../shared/data/crowd (or DIR); --smoke runs on a small generated crowd instead. Prints one JSON object.");

    public IReadOnlyList<string> Flags => ["smoke"];

    /// <summary>The first of the model options outside its range, said with the option's name; null when all are in range.</summary>
    internal static string? OptionProblem(ConsensusOptions options)
    {
        string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
        if (!(options.WorkerPrior.Accuracy > 0 && options.WorkerPrior.Accuracy < 1))
        {
            return Texts.T(
                $"--prior-accuracy doit être strictement entre 0 et 1, pas {Number(options.WorkerPrior.Accuracy)}.",
                $"--prior-accuracy must be strictly between 0 and 1, not {Number(options.WorkerPrior.Accuracy)}.");
        }

        if (!(options.WorkerPrior.Strength >= 0) || double.IsInfinity(options.WorkerPrior.Strength))
        {
            return Texts.T(
                $"--prior-strength doit être un nombre fini ≥ 0, pas {Number(options.WorkerPrior.Strength)}.",
                $"--prior-strength must be a finite number ≥ 0, not {Number(options.WorkerPrior.Strength)}.");
        }

        if (!(options.PooledWeight >= 0 && options.PooledWeight <= 1))
        {
            return Texts.T(
                $"--pooled-weight doit être entre 0 et 1, pas {Number(options.PooledWeight)}.",
                $"--pooled-weight must be between 0 and 1, not {Number(options.PooledWeight)}.");
        }

        return options.ClassPriorStrength >= 0 && !double.IsInfinity(options.ClassPriorStrength)
            ? null
            : Texts.T(
                $"--class-prior doit être un nombre fini ≥ 0, pas {Number(options.ClassPriorStrength)}.",
                $"--class-prior must be a finite number ≥ 0, not {Number(options.ClassPriorStrength)}.");
    }

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var smoke = args.Flag("smoke");
        var dataOption = args.Option("data");
        var defaults = new ConsensusOptions();
        var options = defaults with
        {
            Method = args.Option("method") ?? defaults.Method,
            WorkerPrior = new SkillPrior(
                args.DoubleOption("prior-accuracy", defaults.WorkerPrior.Accuracy),
                args.DoubleOption("prior-strength", defaults.WorkerPrior.Strength)),
            PooledWeight = args.DoubleOption("pooled-weight", defaults.PooledWeight),
            ClassPriorStrength = args.DoubleOption("class-prior", defaults.ClassPriorStrength),
            Repeats = RepeatPolicy.KeepLast,
        };
        args.EnsureAllRead();
        if (args.Positionals.Count > 0)
        {
            throw new UsageException(Texts.T($"Argument inattendu « {args.Positionals[0]} ».", $"Unexpected argument '{args.Positionals[0]}'."));
        }

        if (!ConsensusMethods.IsKnown(options.Method))
        {
            throw new UsageException(ConsensusCommand.UnknownMethod(options.Method));
        }

        if (OptionProblem(options) is { } problem)
        {
            throw new UsageException(problem);
        }

        var datasets = new List<(string Name, IReadOnlyList<CrowdAnswer> Answers, IReadOnlyDictionary<string, string> Truth)>();
        if (smoke)
        {
            var (answers, truth) = SyntheticCrowd.Generate(seed: 7, items: 2000, workers: 80, classes: 3, answersPerItem: 5);
            datasets.Add(("synthetic", answers, truth));
        }
        else
        {
            var dir = dataOption ?? FindDataDirectory()
                ?? throw new CliException(Texts.T(
                    "Aucune donnée de foule trouvée (../shared/data/crowd cherché depuis le dossier courant et la racine du dépôt) ; passez --data DIR, ou --smoke.",
                    "No crowd data found (looked for ../shared/data/crowd from the current directory and the repository root); pass --data DIR, or --smoke."));
            if (!Directory.Exists(dir))
            {
                throw new CliException(Texts.T($"{dir} : ce dossier n'existe pas.", $"{dir}: no such directory."));
            }

            foreach (var folder in Directory.GetDirectories(dir).OrderBy(d => d, StringComparer.Ordinal))
            {
                var answersPath = Path.Combine(folder, "answers.csv");
                var truthPath = Path.Combine(folder, "truth.csv");
                if (!File.Exists(answersPath) || !File.Exists(truthPath))
                {
                    Console.Error.WriteLine(Texts.T($"{folder} ignoré : il faut answers.csv et truth.csv", $"skipping {folder}: needs answers.csv and truth.csv"));
                    continue;
                }

                Console.Error.WriteLine(Texts.T($"lecture de {Path.GetFileName(folder)}…", $"reading {Path.GetFileName(folder)}…"));
                var file = CrowdFiles.ReadAnswers(answersPath, RepeatHandling.KeepLast, null, options.DontKnowLabel);
                foreach (var warning in file.Warnings)
                {
                    Console.Error.WriteLine(Texts.T("remarque : ", "note: ") + warning);
                }

                datasets.Add((Path.GetFileName(folder), file.Answers, CrowdFiles.ReadLabels(truthPath, null)));
            }

            if (datasets.Count == 0)
            {
                throw new CliException(Texts.T(
                    $"{dir} : aucun dossier de jeu de données (chacun doit contenir answers.csv et truth.csv).",
                    $"{dir}: no dataset folder (each needs answers.csv and truth.csv)."));
            }
        }

        var results = new JsonObject();
        var met = new JsonObject();
        var targets = new JsonObject();
        foreach (var (name, answers, truth) in datasets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Console.Error.WriteLine(Texts.T($"ajustement sur {name} ({answers.Count:N0} réponses)…", $"fitting {name} ({answers.Count:N0} answers)…"));
            var measured = Measure(answers, truth, options);
            var published = PublishedBest.TryGetValue(name, out var p) ? p : null;
            results[name] = new JsonObject
            {
                ["majority_vote"] = Round(measured.MajorityVote),
                ["default"] = Round(measured.Accuracy),
                ["published_best"] = published is null ? null : JsonValue.Create(published.Value),
                ["fit_seconds"] = Math.Round(measured.FitSeconds, 4),
                ["fit_cpu_seconds"] = Math.Round(measured.FitCpuSeconds, 4),
                ["incremental_update_microseconds"] = Math.Round(measured.UpdateMicroseconds, 3),
                ["scored_items"] = measured.Scored,
                ["iterations"] = measured.Iterations,
            };
            var target = Targets.TryGetValue(name, out var t) ? t : (double?)null;
            if (target is not null)
            {
                targets[name] = target.Value;
                met[name] = measured.Accuracy >= target.Value;
            }

            met[name + "_fit_under_1s"] = measured.FitSeconds < FitSecondsTarget;
            met[name + "_update_under_1ms"] = measured.UpdateMicroseconds < UpdateMicrosecondsTarget;
        }

        var json = new JsonObject
        {
            ["datasets"] = results,
            ["method"] = options.Method,
            ["options"] = new JsonObject
            {
                ["prior_accuracy"] = options.WorkerPrior.Accuracy,
                ["prior_strength"] = options.WorkerPrior.Strength,
                ["pooled_weight"] = options.PooledWeight,
                ["class_prior"] = options.ClassPriorStrength,
                ["repeats"] = "keep-last",
            },
            ["targets"] = targets,
            ["targets_met"] = met,
        };
        json["machine"] = new JsonObject
        {
            ["processors"] = Environment.ProcessorCount,
            ["load_average_1min"] = LoadAverage(),
            ["timing"] = "fit_seconds: best wall-clock time of 3 fits after a warm-up; fit_cpu_seconds: the process CPU time of the best fit (single-threaded, so a shared machine inflates wall time, not CPU time)",
        };
        Console.Out.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Task.FromResult(0);
    }

    private sealed record Measured(double MajorityVote, double Accuracy, int Scored, double FitSeconds, double FitCpuSeconds, double UpdateMicroseconds, int Iterations);

    private static Measured Measure(IReadOnlyList<CrowdAnswer> answers, IReadOnlyDictionary<string, string> truth, ConsensusOptions options)
    {
        // Majority vote baseline (the platform's MajorityVote, latest answer per contributor and item).
        var votes = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var latest = new Dictionary<(string, string), string>();
        foreach (var a in answers)
        {
            if (a.Label != options.DontKnowLabel)
            {
                latest[(a.Item, a.Worker)] = a.Label;
            }
        }

        foreach (var ((item, _), label) in latest)
        {
            var v = votes.TryGetValue(item, out var d) ? d : votes[item] = new Dictionary<string, int>(StringComparer.Ordinal);
            v[label] = v.GetValueOrDefault(label) + 1;
        }

        int mvCorrect = 0, scored = 0;
        foreach (var (item, label) in truth)
        {
            if (votes.TryGetValue(item, out var v))
            {
                scored++;
                mvCorrect += MajorityVote.Decide(v)?.Label == label ? 1 : 0;
            }
        }

        // Fit: best of three runs (the first also warms the JIT up).
        ConsensusFit fit = ConsensusModel.Fit(answers, options);
        double best = double.MaxValue, bestCpu = double.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (var run = 0; run < 3; run++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            fit = ConsensusModel.Fit(answers, options);
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds);
        }

        var (correct, scoredFit) = ConsensusCommand.Score(fit, truth);

        // Incremental update: replay every answer into per-item beliefs with the fitted skills.
        var beliefs = new Dictionary<string, ItemBelief>(StringComparer.Ordinal);
        foreach (var a in answers)
        {
            if (!beliefs.ContainsKey(a.Item))
            {
                beliefs[a.Item] = fit.NewBelief();
            }
        }

        var updates = 0;
        var replay = Stopwatch.StartNew();
        foreach (var a in answers)
        {
            fit.Update(beliefs[a.Item], a.Worker, a.Label, a.Channel);
            updates++;
        }

        var micro = replay.Elapsed.TotalMilliseconds * 1000 / Math.Max(1, updates);
        return new Measured(
            scored == 0 ? 0 : (double)mvCorrect / scored,
            scoredFit == 0 ? 0 : (double)correct / scoredFit,
            scoredFit,
            best,
            bestCpu,
            micro,
            fit.Iterations);
    }

    private static double Round(double x) => Math.Round(x, 4);

    private static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }


    /// <summary>../shared/data/crowd relative to the current directory, or to the repository root above it or above the program.</summary>
    public static string? FindDataDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "crowd"));
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }

                if (File.Exists(Path.Combine(dir.FullName, "CoConstruisons.sln")))
                {
                    break;
                }
            }
        }

        return null;
    }
}
