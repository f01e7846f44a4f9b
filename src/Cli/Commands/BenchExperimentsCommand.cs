using System.Diagnostics;
using System.Text.Json;
using CoConstruisons.Domain.Experiments.Statistics;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// Measures the experimentation engine's statistics on simulated contributors whose activity is
/// resampled from the real OpenSolarMap answer stream: the false-positive rate of A/A experiments
/// and the power of A/B experiments with a planted +10 % effect on 7-day answers, both at the
/// sample size the engine recommends from historical data. Prints one JSON object.
/// </summary>
public sealed class BenchExperimentsCommand : ICliCommand, IHasFlags
{
    public const string DefaultDataPath = "../shared/data/opensolarmap/contributions.csv";
    private const double PlantedRelativeEffect = 0.10;
    private const double Alpha = 0.05;
    private const double Power = 0.80;

    public string Name => "bench experiments";

    public string Usage => "bench experiments [--smoke] [--data PATH] [--runs N] [--seed N]";

    public string Summary => Texts.T(
        "Simule des expériences A/A et A/B sur des contributeurs rééchantillonnés à partir du flux de réponses d'OpenSolarMap ; affiche le taux de faux positifs et la puissance en JSON.",
        "Simulates A/A and A/B experiments on contributors resampled from the OpenSolarMap answer stream; prints the false-positive rate and power as JSON.");

    public IReadOnlyList<string> Flags => ["smoke"];

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var smoke = args.Flag("smoke");
        var dataOption = args.Option("data");
        var runs = args.IntOption("runs", smoke ? 200 : 1000);
        var seed = args.IntOption("seed", 20_250_301);
        args.EnsureAllRead();
        if (runs < 1)
        {
            throw new UsageException(Texts.T("--runs doit valoir au moins 1.", "--runs must be at least 1."));
        }

        var watch = Stopwatch.StartNew();
        ContributorActivityModel model;
        string source;
        if (smoke && dataOption is null)
        {
            model = ContributorActivityModel.Generated(profiles: 300, seed);
            source = "generated";
        }
        else
        {
            var path = dataOption ?? DefaultDataPath;
            if (!File.Exists(path))
            {
                throw new CliException(Texts.T(
                    $"Contributions OpenSolarMap introuvables à « {Path.GetFullPath(path)} ». Passez --data CHEMIN vers contributions.csv, ou --smoke pour travailler sur une petite distribution d'activité générée.",
                    $"OpenSolarMap contributions not found at '{Path.GetFullPath(path)}'. Pass --data PATH to contributions.csv, or --smoke to run on a small generated activity distribution."));
            }

            try
            {
                model = ContributorActivityModel.FromCsv(path);
            }
            catch (FormatException ex)
            {
                throw new CliException(ex.Message);
            }

            source = path;
        }

        Console.Error.WriteLine(Texts.T(
            $"modèle d'activité : {model.Profiles.Count:N0} profils de contributeurs tirés de {source}, {model.Profiles.Sum(p => p.Sessions):N0} sessions",
            $"activity model: {model.Profiles.Count:N0} contributor profiles from {source}, {model.Profiles.Sum(p => p.Sessions):N0} sessions"));

        // The population experiments draw from (large enough to act as infinite), and an independent
        // "historical" period the researcher uses to size the experiment before launch.
        var populationRng = new Random(seed);
        var population = new int[smoke ? 100_000 : 1_000_000];
        for (var i = 0; i < population.Length; i++)
        {
            population[i] = model.Draw(populationRng).Answers7d;
        }

        var historyRng = new Random(seed + 1);
        var history = SampleSummary.From(Enumerable.Range(0, smoke ? 20_000 : 100_000).Select(_ => (double)model.Draw(historyRng).Answers7d));
        var n = SampleSize.ForMean(history.Mean, history.Variance, PlantedRelativeEffect, Alpha, Power);
        Console.Error.WriteLine(Texts.T(
            $"réponses historiques sur 7 jours : moyenne {history.Mean:0.00}, écart-type {Math.Sqrt(history.Variance):0.00} (n = {history.N:N0}) ; {n:N0} contributeurs par bras recommandés",
            $"historical 7-day answers: mean {history.Mean:0.00}, sd {Math.Sqrt(history.Variance):0.00} (n = {history.N:N0}); recommended {n:N0} contributors per arm"));

        var rng = new Random(seed + 2);
        var a = new double[n];
        var b = new double[n];
        int falsePositives = 0, detections = 0;
        using (var progress = new ProgressBar(Texts.T("essais A/A et A/B", "A/A and A/B runs"), 2L * runs))
        {
            for (var run = 0; run < runs; run++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Fill(a, population, rng);
                Fill(b, population, rng);
                if (HypothesisTests.WelchTTest(SampleSummary.From(a), SampleSummary.From(b), Alpha).PValue < Alpha)
                {
                    falsePositives++;
                }

                progress.Advance();
            }

            for (var run = 0; run < runs; run++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Fill(a, population, rng);
                Fill(b, population, rng);
                for (var i = 0; i < b.Length; i++)
                {
                    // +10 % on each contributor's answers, with random rounding so counts stay whole.
                    b[i] = Math.Floor(b[i] * (1 + PlantedRelativeEffect) + rng.NextDouble());
                }

                var effect = HypothesisTests.WelchTTest(SampleSummary.From(a), SampleSummary.From(b), Alpha);
                if (effect.PValue < Alpha && effect.Absolute > 0)
                {
                    detections++;
                }

                progress.Advance();
            }
        }

        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteNumber("aa_false_positive_rate", Math.Round((double)falsePositives / runs, 4));
            json.WriteNumber("aa_runs", runs);
            json.WriteNumber("power", Math.Round((double)detections / runs, 4));
            json.WriteNumber("ab_runs", runs);
            json.WriteNumber("recommended_sample_size_per_arm", n);
            json.WriteNumber("planted_relative_effect", PlantedRelativeEffect);
            json.WriteString("test", "welch_t_two_sided_alpha_0.05_on_7day_answers_per_contributor");
            json.WriteNumber("baseline_mean_answers_7d", Math.Round(history.Mean, 3));
            json.WriteNumber("baseline_sd_answers_7d", Math.Round(Math.Sqrt(history.Variance), 3));
            json.WriteNumber("contributor_profiles", model.Profiles.Count);
            json.WriteString("activity_source", smoke && dataOption is null ? "generated" : "opensolarmap");
            json.WriteNumber("seed", seed);
            json.WriteNumber("seconds", Math.Round(watch.Elapsed.TotalSeconds, 1));
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        return Task.FromResult(0);
    }

    private static void Fill(double[] arm, int[] population, Random rng)
    {
        for (var i = 0; i < arm.Length; i++)
        {
            arm[i] = population[rng.Next(population.Length)];
        }
    }
}
