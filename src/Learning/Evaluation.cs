using System.Text.Json.Serialization;

namespace CoConstruisons.Learning;

public sealed record ClassMetrics(
    [property: JsonPropertyName("precision")] double Precision,
    [property: JsonPropertyName("recall")] double Recall,
    [property: JsonPropertyName("support")] int Support);

/// <summary>Auto-labelling: predictions at or above <see cref="Threshold"/> are accepted without a human.</summary>
public sealed record AutoLabelPolicy(
    [property: JsonPropertyName("target_precision")] double TargetPrecision,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("coverage")] double Coverage,
    [property: JsonPropertyName("precision")] double Precision,
    [property: JsonPropertyName("chosen_on")] string ChosenOn);

/// <summary>
/// The threshold rule measured over random re-splits of the held-out images (see
/// <see cref="Evaluation.ResampleThreshold"/>): mean coverage and precision on the test parts, the
/// precision that 90 % of the re-splits reach or beat, and the share of re-splits whose precision
/// falls under the target.
/// </summary>
public sealed record ThresholdResampling(
    [property: JsonPropertyName("repeats")] int Repeats,
    [property: JsonPropertyName("mean_coverage")] double MeanCoverage,
    [property: JsonPropertyName("mean_precision")] double MeanPrecision,
    [property: JsonPropertyName("precision_10th_percentile")] double Precision10thPercentile,
    [property: JsonPropertyName("share_below_target")] double ShareBelowTarget);

/// <summary>Held-out metrics of a classifier.</summary>
public sealed record EvaluationReport(
    [property: JsonPropertyName("items")] int Items,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("per_class")] IReadOnlyDictionary<string, ClassMetrics> PerClass,
    [property: JsonPropertyName("confusion")] int[][] Confusion,
    [property: JsonPropertyName("ece")] double Ece,
    [property: JsonPropertyName("log_loss")] double LogLoss);

public static class Evaluation
{
    public const int EceBins = 15;

    /// <summary>The threshold meaning "auto-label nothing" (no probability reaches it).</summary>
    public const double NoThreshold = 1.01;

    /// <summary>Rows of the confusion matrix are true classes, columns predicted classes (in <paramref name="classes"/> order).</summary>
    public static EvaluationReport Evaluate(IReadOnlyList<string> classes, IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(probabilities);
        var k = classes.Count;
        var confusion = Enumerable.Range(0, k).Select(_ => new int[k]).ToArray();
        var confidences = new double[truth.Count];
        var correct = new bool[truth.Count];
        double logLoss = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            var p = probabilities[i];
            var predicted = ArgMax(p);
            confusion[truth[i]][predicted]++;
            confidences[i] = p[predicted];
            correct[i] = predicted == truth[i];
            logLoss -= Math.Log(Math.Max(1e-12, p[truth[i]]));
        }

        var perClass = new Dictionary<string, ClassMetrics>(StringComparer.Ordinal);
        for (var c = 0; c < k; c++)
        {
            var tp = confusion[c][c];
            var predictedAs = confusion.Sum(row => row[c]);
            var support = confusion[c].Sum();
            perClass[classes[c]] = new ClassMetrics(
                Round(predictedAs == 0 ? 0 : (double)tp / predictedAs),
                Round(support == 0 ? 0 : (double)tp / support),
                support);
        }

        var n = Math.Max(1, truth.Count);
        return new EvaluationReport(
            truth.Count,
            Round((double)correct.Count(c => c) / n),
            perClass,
            confusion,
            Round(ExpectedCalibrationError(confidences, correct)),
            Round(logLoss / n));
    }

    /// <summary>ECE with <see cref="EceBins"/> equal-width confidence bins: Σ (bin size / n) × |accuracy − mean confidence|.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(correct);
        if (confidence.Count == 0)
        {
            return 0;
        }

        var count = new int[EceBins];
        var conf = new double[EceBins];
        var hits = new double[EceBins];
        for (var i = 0; i < confidence.Count; i++)
        {
            var b = Math.Min(EceBins - 1, (int)(confidence[i] * EceBins));
            count[b]++;
            conf[b] += confidence[i];
            hits[b] += correct[i] ? 1 : 0;
        }

        double ece = 0;
        for (var b = 0; b < EceBins; b++)
        {
            if (count[b] > 0)
            {
                ece += (double)count[b] / confidence.Count * Math.Abs((hits[b] / count[b]) - (conf[b] / count[b]));
            }
        }

        return ece;
    }

    /// <summary>
    /// The smallest confidence threshold whose precision (share of correct predictions among those
    /// at or above it) reaches <paramref name="targetPrecision"/>, counting at least
    /// <paramref name="minAccepted"/> predictions. When none does, the threshold is 1.0 with no
    /// coverage (nothing would be auto-labelled; a confidence of exactly 1.0 is not accepted).
    /// With <paramref name="confidenceZ"/> &gt; 0 the precision must reach the target with its
    /// Wilson lower bound (z = 1.645: one-sided 95 %) rather than its point estimate, so that a
    /// threshold chosen on a few hundred images still holds on new ones.
    /// </summary>
    public static (double Threshold, double Coverage, double Precision) SelectThreshold(
        IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, double targetPrecision, int minAccepted = 20, double confidenceZ = 0)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(correct);
        var order = Enumerable.Range(0, confidence.Count).OrderByDescending(i => confidence[i]).ToArray();
        (double, double, double) best = (NoThreshold, 0, 0);
        var hits = 0;
        for (var j = 0; j < order.Length; j++)
        {
            hits += correct[order[j]] ? 1 : 0;
            var accepted = j + 1;

            // Only cut between distinct confidences: ties are accepted or refused together.
            if (j + 1 < order.Length && confidence[order[j + 1]] == confidence[order[j]])
            {
                continue;
            }

            var precision = (double)hits / accepted;
            if (accepted >= minAccepted && WilsonLowerBound(hits, accepted, confidenceZ) >= targetPrecision)
            {
                best = (confidence[order[j]], (double)accepted / order.Length, precision);
            }
        }

        return best;
    }

    /// <summary>
    /// How well the threshold rule of <see cref="SelectThreshold"/> keeps its promise on new images:
    /// <paramref name="repeats"/> times, the held-out predictions (calibration and test parts
    /// together, all out of sample) are shuffled into a calibration part of
    /// <paramref name="calibrationCount"/> and a test part of the rest; the threshold is chosen on the
    /// first and its coverage and precision measured on the second. A re-split that accepts nothing
    /// counts with zero coverage and is left out of the precision figures.
    /// </summary>
    public static ThresholdResampling ResampleThreshold(
        IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, int calibrationCount, double targetPrecision,
        int minAccepted, double confidenceZ, int repeats, int seed)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(correct);
        if (confidence.Count != correct.Count || calibrationCount < 1 || calibrationCount >= confidence.Count || repeats < 1)
        {
            throw new ArgumentException($"Resampling needs as many outcomes as confidences and a calibration part between 1 and {confidence.Count - 1} images, at least one repeat.", nameof(calibrationCount));
        }

        var random = new Random(seed);
        var order = Enumerable.Range(0, confidence.Count).ToArray();
        var precisions = new List<double>(repeats);
        var coverage = 0.0;
        for (var r = 0; r < repeats; r++)
        {
            random.Shuffle(order);
            var calibration = order.AsSpan(0, calibrationCount).ToArray();
            var test = order.AsSpan(calibrationCount).ToArray();
            var (threshold, _, _) = SelectThreshold(
                calibration.Select(i => confidence[i]).ToList(), calibration.Select(i => correct[i]).ToList(), targetPrecision, minAccepted, confidenceZ);
            var (testCoverage, testPrecision) = ApplyThreshold(test.Select(i => confidence[i]).ToList(), test.Select(i => correct[i]).ToList(), threshold);
            coverage += testCoverage;
            if (testCoverage > 0)
            {
                precisions.Add(testPrecision);
            }
        }

        precisions.Sort();
        return new ThresholdResampling(
            repeats,
            Round(coverage / repeats),
            precisions.Count == 0 ? 0 : Round(precisions.Average()),
            precisions.Count == 0 ? 0 : Round(precisions[precisions.Count / 10]),
            Round((double)precisions.Count(p => p < targetPrecision) / repeats));
    }

    /// <summary>Wilson score lower bound of a proportion (the proportion itself when z is 0).</summary>
    public static double WilsonLowerBound(int successes, int trials, double z)
    {
        if (trials == 0)
        {
            return 0;
        }

        var p = (double)successes / trials;
        if (z <= 0)
        {
            return p;
        }

        var z2 = z * z;
        var centre = p + (z2 / (2 * trials));
        var margin = z * Math.Sqrt((p * (1 - p) / trials) + (z2 / (4.0 * trials * trials)));
        return (centre - margin) / (1 + (z2 / trials));
    }

    /// <summary>Coverage and precision of a fixed threshold on other data.</summary>
    public static (double Coverage, double Precision) ApplyThreshold(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, double threshold)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(correct);
        var accepted = 0;
        var hits = 0;
        for (var i = 0; i < confidence.Count; i++)
        {
            if (confidence[i] >= threshold)
            {
                accepted++;
                hits += correct[i] ? 1 : 0;
            }
        }

        return (confidence.Count == 0 ? 0 : (double)accepted / confidence.Count, accepted == 0 ? 0 : (double)hits / accepted);
    }

    /// <summary>Summed negative log-probability of the true class (probabilities floored at 1e-12).</summary>
    public static double LogLoss(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities)
    {
        double loss = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            loss -= Math.Log(Math.Max(1e-12, probabilities[i][truth[i]]));
        }

        return loss;
    }

    /// <summary>The temperature T (grid search, 0.25..4) minimising the log-loss of p^(1/T) renormalised.</summary>
    public static double FitTemperature(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(probabilities);
        var bestT = 1.0;
        var bestLoss = double.MaxValue;
        for (var t = 0.25; t <= 4.0; t *= 1.05)
        {
            var temperature = t;
            var loss = LogLoss(truth, probabilities.Select(p => ApplyTemperature(p, temperature)).ToList());
            if (loss < bestLoss)
            {
                bestLoss = loss;
                bestT = t;
            }
        }

        return bestT;
    }

    public static float[] ApplyTemperature(float[] probabilities, double temperature)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var result = new float[probabilities.Length];
        double sum = 0;
        for (var c = 0; c < result.Length; c++)
        {
            var v = Math.Exp(Math.Log(Math.Max(1e-9, probabilities[c])) / temperature);
            result[c] = (float)v;
            sum += v;
        }

        for (var c = 0; c < result.Length; c++)
        {
            result[c] = (float)(result[c] / sum);
        }

        return result;
    }

    public static int ArgMax(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    internal static double Round(double v) => Math.Round(v, 4);
}
