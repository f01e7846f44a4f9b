namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// Bayesian Weighted Average (Li, Rubinstein &amp; Cohn, "Truth inference at scale: a Bayesian model for
/// adjudicating highly redundant crowd annotations", WWW 2019). For each choice separately, an item's
/// score z_i ∈ [0, 1] is a precision-weighted average of the answers' indicators "gave this choice",
/// shrunk towards the mean score with weight λ; each contributor's precision v_j has a Gamma(a_v, b_v)
/// prior and is re-estimated from their squared distance to the scores. b_v is set from the data
/// (the answers' spread around the vote shares, times 4(1 − 1/K)). Returns the items' scores,
/// normalised per item (row-major, items × classes).
/// </summary>
internal static class Bwa
{
    /// <summary>The published configuration: a_v = 15, λ = 1, prior correction on, relative tolerance 1e-3, at most 500 iterations.</summary>
    internal sealed record Settings(double PrecisionPrior = 15, double Lambda = 1, int MaxIterations = 500, double Tolerance = 1e-3);

    public static double[] Posteriors(CrowdIndex x, Settings s)
    {
        int k = x.Classes, n = x.Items.Length, w = x.Workers.Length;
        var answers = x.AnswerWorker.Length;
        var adjust = 4 * (1 - (1.0 / k));
        var result = new double[n * k];
        var z = new double[n];
        var last = new double[n];
        var v = new double[w];
        var squared = new double[w];
        for (var c = 0; c < k; c++)
        {
            // Start: the share of the item's answers that gave choice c.
            var spread = 0.0;
            for (var i = 0; i < n; i++)
            {
                int start = x.ItemStart[i], end = x.ItemStart[i + 1];
                if (x.Gold[i] >= 0)
                {
                    z[i] = x.Gold[i] == c ? 1 : 0;
                    continue;
                }

                var hits = 0;
                for (var a = start; a < end; a++)
                {
                    hits += x.AnswerLabel[a] == c ? 1 : 0;
                }

                z[i] = end > start ? (double)hits / (end - start) : double.NaN;
                spread += end > start ? (end - start) * z[i] * (1 - z[i]) : 0;
            }

            var bv = answers > 0 ? s.PrecisionPrior * spread / answers * adjust : s.PrecisionPrior;
            for (var iteration = 0; iteration < s.MaxIterations; iteration++)
            {
                z.CopyTo(last, 0);
                double mean = 0;
                var counted = 0;
                for (var i = 0; i < n; i++)
                {
                    if (!double.IsNaN(z[i]))
                    {
                        mean += z[i];
                        counted++;
                    }
                }

                mean = counted > 0 ? mean / counted : 1.0 / k;

                // Precisions: v_j = (a_v + N_j) / (b_v + Σ_i (z_i − y_ijc)²).
                Array.Clear(squared);
                for (var i = 0; i < n; i++)
                {
                    for (var a = x.ItemStart[i]; a < x.ItemStart[i + 1]; a++)
                    {
                        var d = z[i] - (x.AnswerLabel[a] == c ? 1 : 0);
                        squared[x.AnswerWorker[a]] += d * d;
                    }
                }

                for (var j = 0; j < w; j++)
                {
                    v[j] = (s.PrecisionPrior + x.WorkerAnswerCount[j]) / (bv + squared[j]);
                }

                // Scores: z_i = (λ·mean + Σ_j v_j y_ijc) / (λ + Σ_j v_j).
                var moved = false;
                for (var i = 0; i < n; i++)
                {
                    if (x.Gold[i] >= 0)
                    {
                        continue;
                    }

                    double num = s.Lambda * mean, den = s.Lambda;
                    for (var a = x.ItemStart[i]; a < x.ItemStart[i + 1]; a++)
                    {
                        var vj = v[x.AnswerWorker[a]];
                        num += x.AnswerLabel[a] == c ? vj : 0;
                        den += vj;
                    }

                    z[i] = num / den;
                    moved |= !(Math.Abs(z[i] - last[i]) <= 1e-8 + (s.Tolerance * Math.Abs(last[i])));
                }

                if (!moved)
                {
                    break;
                }
            }

            for (var i = 0; i < n; i++)
            {
                result[(i * k) + c] = double.IsNaN(z[i]) ? 1.0 / k : z[i];
            }
        }

        for (var i = 0; i < n; i++)
        {
            var row = result.AsSpan(i * k, k);
            var sum = 0.0;
            foreach (var p in row)
            {
                sum += p;
            }

            for (var c = 0; c < k; c++)
            {
                row[c] = sum > 0 ? row[c] / sum : 1.0 / k;
            }
        }

        return result;
    }
}
