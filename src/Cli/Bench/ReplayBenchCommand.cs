using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Images.OpenSolarMapImport;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Consensus;
using SkiaSharp;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Bench;

/// <summary>
/// Replays OpenSolarMap's real answers, in time order, through the platform's consensus and
/// retirement policy and counts how many answers the policy needed (spent) and how many it would
/// have sent elsewhere (saved). Prints one JSON object; draws the confident-labels curve.
/// See docs/opensolarmap.md.
/// </summary>
public sealed class ReplayBenchCommand : ICliCommand, IHasFlags
{
    /// <summary>The original project's published figures (Etalab, June 2016).</summary>
    private const int OriginalConfident = 10_771;
    private const int OriginalAnswers = 130_374;

    /// <summary>The majority rule used to recompute the original figure on our data (inferred; see docs).</summary>
    public const int OriginalRuleMinAnswers = 3;
    public const double OriginalRuleMinShare = 0.75;

    public string Name => "bench replay";

    public string Usage => "bench replay [--data DIR] [--smoke] [--chart PATH] [--min N] [--max N] [--target X] [--method NAME] [--prior-accuracy X] [--prior-strength N] [--refit-every N] [--skill-min-answers N]";

    public string Summary => Texts.T(
        "Rejoue les réponses d'OpenSolarMap dans l'ordre chronologique à travers le consensus et la règle de retrait ; affiche en JSON les réponses dépensées et économisées, les étiquettes sûres pour 1 000 réponses et l'exactitude, et trace un graphique.",
        "Replays OpenSolarMap's answers in time order through the consensus and retirement policy; prints answers spent/saved, confident labels per 1,000 answers and accuracy as JSON, and draws a chart.");

    public IReadOnlyList<string> Flags => ["smoke"];

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var smoke = args.Flag("smoke");
        var dataOption = args.Option("data");
        var chart = args.Option("chart") ?? Path.Combine(".bench", smoke ? "replay-smoke.png" : "replay.png");
        var min = args.IntOption("min", 1);
        var max = args.IntOption("max", 10);
        var target = args.DoubleOption("target", 0.95);
        var method = args.Option("method") ?? ConsensusMethods.Default;
        // The consensus engine's own default prior (ConsensusOptions.WorkerPrior), not a value tuned here.
        var enginePrior = new ConsensusOptions().WorkerPrior;
        var priorAccuracy = args.DoubleOption("prior-accuracy", enginePrior.Accuracy);
        var priorStrength = args.DoubleOption("prior-strength", enginePrior.Strength);
        var refitEvery = args.IntOption("refit-every", 2000);
        var skillMinAnswers = args.IntOption("skill-min-answers", new ReplayOptions { Choices = OpenSolarMapFiles.ChoiceCodes }.SkillMinAnswers);
        args.EnsureAllRead();
        if (min < 1 || max < min)
        {
            throw new UsageException(Texts.T("--min doit être ≥ 1 et --max ≥ --min.", "--min must be ≥ 1 and --max ≥ --min."));
        }

        if (!(target > 0 && target < 1))
        {
            throw new UsageException(Texts.T("--target doit être strictement entre 0 et 1.", "--target must be strictly between 0 and 1."));
        }

        if (!ReplayMethods.IsKnown(method))
        {
            throw new UsageException(Texts.T(
                $"--method « {method} » inconnue ; méthodes connues : {string.Join(", ", ReplayMethods.All)}.",
                $"Unknown --method '{method}'; known: {string.Join(", ", ReplayMethods.All)}."));
        }

        if (!(priorAccuracy > 0 && priorAccuracy < 1) || !(priorStrength >= 0) || refitEvery < 1 || skillMinAnswers < 1)
        {
            throw new UsageException(Texts.T(
                "--prior-accuracy doit être dans ]0, 1[, --prior-strength ≥ 0, --refit-every ≥ 1, --skill-min-answers ≥ 1.",
                "--prior-accuracy must be in (0, 1), --prior-strength ≥ 0, --refit-every ≥ 1, --skill-min-answers ≥ 1."));
        }

        var watch = Stopwatch.StartNew();
        List<ReplayAnswer> stream;
        Dictionary<string, string> reference;
        string source;
        string referenceName;
        long badRows = 0;
        if (smoke && dataOption is null)
        {
            (stream, reference) = Generated(seed: 7);
            source = "generated";
            referenceName = "generated truth";
        }
        else
        {
            var dir = dataOption ?? RepoPaths.SharedData("opensolarmap");
            var contributions = dir is null ? null : Path.Combine(dir, "contributions.csv");
            if (contributions is null || !File.Exists(contributions))
            {
                throw new CliException(Texts.T(
                    $"Données OpenSolarMap introuvables ({(dir is null ? "../shared/data/opensolarmap est absent" : $"pas de contributions.csv dans « {Path.GetFullPath(dir)} »")}). Passez --data DIR (le dossier qui contient contributions.csv et dsg2016_train_labels.csv), ou --smoke pour travailler sur un petit flux généré.",
                    $"OpenSolarMap data not found ({(dir is null ? "../shared/data/opensolarmap is absent" : $"no contributions.csv in '{Path.GetFullPath(dir)}'")}). Pass --data DIR (the folder holding contributions.csv and dsg2016_train_labels.csv), or --smoke to run on a small generated stream."));
            }

            (stream, badRows) = ReadStream(contributions);
            var labels = Path.Combine(dir!, "dsg2016_train_labels.csv");
            reference = File.Exists(labels) ? OpenSolarMapFiles.ReadLabels(labels) : [];
            source = Path.GetFullPath(contributions);
            referenceName = "dsg2016_train_labels.csv";
        }

        Console.Error.WriteLine(Texts.T(
            $"rejeu de {stream.Count:N0} réponses de {source} avec {method} (min {min}, max {max}, cible {target})",
            $"replaying {stream.Count:N0} answers from {source} with {method} (min {min}, max {max}, target {target})"));
        var options = new ReplayOptions
        {
            Choices = OpenSolarMapFiles.ChoiceCodes,
            Retirement = new RetirementPolicy(min, max, target),
            Method = method,
            Prior = new SkillPrior(priorAccuracy, priorStrength),
            RefitEvery = refitEvery,
            SkillMinAnswers = skillMinAnswers,
            CurveEvery = Math.Max(1, stream.Count / 400),
        };
        cancellationToken.ThrowIfCancellationRequested();
        var result = AnswerReplay.Run(stream, options);
        var original = OriginalRule(stream, Math.Max(1, stream.Count / 400));

        var confident = result.Retired.Values.Where(r => r.Confident).ToList();
        var (dsgRight, dsgTotal) = Score(confident.Where(r => reference.ContainsKey(r.Item)).Select(r => r.Label == reference[r.Item]));
        var (dsg1Right, dsg1Total) = Score(confident.Where(r => r.Evidence == 1 && reference.ContainsKey(r.Item)).Select(r => r.Label == reference[r.Item]));
        var (origRight, origTotal) = Score(original.Labels.Where(l => reference.ContainsKey(l.Key)).Select(l => l.Value == reference[l.Key]));
        var leaveOut = confident
            .Select(r => (r, Left: LeaveOutMajority(result.LeftOver.GetValueOrDefault(r.Item))))
            .Where(x => x.Left is not null)
            .Select(x => x.r.Label == x.Left)
            .ToList();
        var (loRight, loTotal) = Score(leaveOut);
        var per1000 = result.Spent == 0 ? 0 : confident.Count * 1000.0 / result.Spent;

        ReplayChart.Write(
            chart,
            $"OpenSolarMap replay{(smoke ? " (smoke, generated)" : "")}: confident labels vs answers consumed",
            "answers consumed (ours: spent; original: all answers received)",
            "confident labels",
            [
                new ChartSeries($"Co-construisons ({method}, min {min}, max {max}, target {target.ToString(CultureInfo.InvariantCulture)})", new SKColor(0, 102, 204), [.. result.Curve.Select(p => ((double)p.Spent, (double)p.Confident))]),
                new ChartSeries($"original rule (majority, ≥ {OriginalRuleMinAnswers} answers, ≥ {OriginalRuleMinShare:P0} agree)", new SKColor(220, 90, 30), original.Curve),
            ]);
        Console.Error.WriteLine(Texts.T($"graphique écrit dans {Path.GetFullPath(chart)}", $"chart written to {Path.GetFullPath(chart)}"));

        var json = new JsonObject
        {
            ["benchmark"] = "replay",
            ["source"] = smoke && dataOption is null ? "generated" : "opensolarmap",
            ["answers_total"] = stream.Count,
            ["answers_spent"] = result.Spent,
            ["answers_saved"] = result.Saved,
            ["answers_repeated"] = result.Repeats,
            ["rows_unusable"] = badRows,
            ["items_answered"] = stream.Select(a => a.Item).Distinct(StringComparer.Ordinal).Count(),
            ["items_retired"] = result.Retired.Count,
            ["items_confident"] = confident.Count,
            ["items_retired_at_max_unconfident"] = result.Retired.Count - confident.Count,
            ["items_confident_single_answer"] = confident.Count(r => r.Evidence == 1),
            ["confident_per_1000_spent"] = Math.Round(per1000, 1),
            ["accuracy_vs_dsg"] = Accuracy(dsgRight, dsgTotal, referenceName, "confident retired items that have a reference label"),
            ["accuracy_vs_dsg_single_answer"] = Accuracy(dsg1Right, dsg1Total, referenceName, "confident items retired on a single answer that have a reference label"),
            ["accuracy_leave_out"] = Accuracy(loRight, loTotal, "majority of the saved answers",
                "confident retired items with ≥ 3 answers after retirement and a unique majority among them"),
            ["parameters"] = new JsonObject
            {
                ["method"] = method,
                ["min_answers"] = min,
                ["max_answers"] = max,
                ["confidence_target"] = target,
                ["prior_accuracy"] = priorAccuracy,
                ["prior_strength"] = priorStrength,
                ["refit_every"] = ConsensusMethods.IsKnown(method) ? refitEvery : null,
                ["skill_min_answers"] = ConsensusMethods.IsKnown(method) ? skillMinAnswers : null,
                ["refits"] = result.Refits,
                ["choice_4"] = "a class ('other'), as in the DSG labels",
            },
            ["original"] = new JsonObject
            {
                ["published_confident"] = OriginalConfident,
                ["published_answers"] = OriginalAnswers,
                ["published_per_1000"] = Math.Round(OriginalConfident * 1000.0 / OriginalAnswers, 1),
                ["rule"] = $"majority vote over all answers, at least {OriginalRuleMinAnswers} answers and ≥ {OriginalRuleMinShare.ToString(CultureInfo.InvariantCulture)} agreement (inferred from the data; the original rule was not found)",
                ["recomputed_confident"] = original.Labels.Count,
                ["recomputed_answers"] = stream.Count,
                ["recomputed_per_1000"] = stream.Count == 0 ? 0 : Math.Round(original.Labels.Count * 1000.0 / stream.Count, 1),
                ["recomputed_accuracy_vs_dsg"] = Accuracy(origRight, origTotal, referenceName, "items the rule labels that have a reference label"),
            },
            ["gain_vs_recomputed_original"] = original.Labels.Count == 0 || stream.Count == 0 ? null
                : Math.Round(per1000 / (original.Labels.Count * 1000.0 / stream.Count), 2),
            ["chart"] = Path.GetFullPath(chart),
            ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
        };
        Console.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return Task.FromResult(0);
    }

    /// <summary>contributions.csv as a replay stream in time order (ties keep the file's order); unreadable rows are counted and the first five printed on stderr.</summary>
    public static (List<ReplayAnswer> Stream, long BadRows) ReadStream(string contributions)
    {
        var (rows, bad) = OpenSolarMapFiles.ReadContributions(contributions);
        foreach (var b in bad.Take(5))
        {
            Console.Error.WriteLine(Texts.T($"ligne ignorée {b.File}:{b.Line} : {b.Reason}", $"skipped {b.File}:{b.Line}: {b.Reason}"));
        }

        // A stable sort: ties keep the file's order.
        return ([.. rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.Line).Select(r => new ReplayAnswer(r.BuildingId, r.Contributor, r.Choice))], bad.Count);
    }

    private static JsonObject Accuracy(int right, int total, string reference, string on) => new()
    {
        ["value"] = total == 0 ? null : Math.Round((double)right / total, 4),
        ["correct"] = right,
        ["count"] = total,
        ["reference"] = reference,
        ["on"] = on,
    };

    private static (int Right, int Total) Score(IEnumerable<bool> outcomes)
    {
        int right = 0, total = 0;
        foreach (var ok in outcomes)
        {
            total++;
            right += ok ? 1 : 0;
        }

        return (right, total);
    }

    /// <summary>The unique most frequent choice among at least 3 left-over answers, else null.</summary>
    public static string? LeaveOutMajority(IReadOnlyList<string>? left)
    {
        if (left is null || left.Count < 3)
        {
            return null;
        }

        var counts = left.GroupBy(x => x, StringComparer.Ordinal).Select(g => (g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ToList();
        return counts.Count > 1 && counts[0].Count == counts[1].Count ? null : counts[0].Key;
    }

    /// <summary>
    /// The original project's kind of rule on all answers received, in time order: an item is
    /// confidently labelled once it has ≥ 3 answers and ≥ 75 % of them agree (re-evaluated as
    /// answers arrive, so a label can be lost again). Returns the final labels and the curve.
    /// </summary>
    public static (Dictionary<string, string> Labels, List<(double X, double Y)> Curve) OriginalRule(IReadOnlyList<ReplayAnswer> stream, int every)
    {
        var votes = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var labelled = new Dictionary<string, string>(StringComparer.Ordinal);
        var curve = new List<(double, double)> { (0, 0) };
        for (var i = 0; i < stream.Count; i++)
        {
            var a = stream[i];
            if (!votes.TryGetValue(a.Item, out var v))
            {
                votes[a.Item] = v = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            v[a.Choice] = v.GetValueOrDefault(a.Choice) + 1;
            var total = v.Values.Sum();
            var decision = MajorityVote.Decide(v)!;
            if (total >= OriginalRuleMinAnswers && decision.Confidence >= OriginalRuleMinShare)
            {
                labelled[a.Item] = decision.Label;
            }
            else
            {
                labelled.Remove(a.Item);
            }

            if ((i + 1) % every == 0 || i == stream.Count - 1)
            {
                curve.Add((i + 1, labelled.Count));
            }
        }

        return (labelled, curve);
    }

    /// <summary>
    /// A small stream for --smoke: 1,500 items (or <paramref name="items"/>) with a known truth
    /// (class frequencies like OpenSolarMap's), 80 contributors (accuracies 0.6–0.97, one malicious
    /// at 0.3), 1 to 8 answers per item, shuffled in time.
    /// </summary>
    public static (List<ReplayAnswer> Stream, Dictionary<string, string> Truth) Generated(int seed, int items = 1500)
    {
        var rng = new Random(seed);
        var classes = OpenSolarMapFiles.ChoiceCodes;
        double[] frequency = [0.38, 0.22, 0.12, 0.28];
        var workers = Enumerable.Range(0, 80).Select(w => (Id: $"w{w:D2}", Accuracy: w == 0 ? 0.3 : 0.6 + (0.37 * rng.NextDouble()))).ToArray();
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        var answers = new List<(double At, ReplayAnswer Answer)>();
        for (var i = 0; i < items; i++)
        {
            var item = $"b{i}";
            var u = rng.NextDouble();
            var t = 0;
            for (var acc = frequency[0]; t < classes.Count - 1 && u > acc; acc += frequency[++t])
            {
            }

            truth[item] = classes[t];
            var n = 1 + rng.Next(8);
            foreach (var w in workers.OrderBy(_ => rng.Next()).Take(n))
            {
                var choice = rng.NextDouble() < w.Accuracy ? t : (t + 1 + rng.Next(classes.Count - 1)) % classes.Count;
                answers.Add((rng.NextDouble(), new ReplayAnswer(item, w.Id, classes[choice])));
            }
        }

        return ([.. answers.OrderBy(a => a.At).Select(a => a.Answer)], truth);
    }

}
