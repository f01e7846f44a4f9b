namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// Enhanced Bayesian Classifier Combination (Li, Rubinstein &amp; Cohn, "Exploiting worker correlation
/// for label aggregation in crowdsourcing", ICML 2019), mean-field variational inference. Each true
/// class k is a mixture of <see cref="Groups"/> subtypes m; every contributor has a confusion row per
/// (class, subtype), so contributors who err together on the same kind of item are modelled as
/// correlated instead of independent. Priors: Dirichlet(a_π/M) on the subtype weights of a class,
/// Dirichlet(α) on the class frequencies, Dirichlet(β) on each confusion row with β = a_v on the
/// diagonal and b_v elsewhere. Returns the items' posteriors over classes (row-major, items × classes).
/// </summary>
internal static class Ebcc
{
    /// <summary>The published configuration (M = 10, a_π = 0.1, α = 1, a_v = 4, b_v = 1, tolerance 1e-3, at most 500 iterations).</summary>
    internal sealed record Settings(int Groups = 10, double SubtypePrior = 0.1, double Diagonal = 4, double OffDiagonal = 1,
        bool EmpiricalClassPrior = false, int MaxIterations = 500, double Tolerance = 1e-3);

    public static double[] Posteriors(CrowdIndex x, Settings s)
    {
        int k = x.Classes, n = x.Items.Length, w = x.Workers.Length, m = s.Groups;
        var km = k * m;

        // z_ik: vote shares (gold: its label; no answer: uniform). zg_ikm = z_ik · r_im, r_i· a deterministic
        // Dirichlet(1) draw per item (the same for every class, so renaming the choices changes nothing).
        var z = new double[n * k];
        var zg = new double[n * km];
        var r = new double[m];
        for (var i = 0; i < n; i++)
        {
            var row = z.AsSpan(i * k, k);
            int start = x.ItemStart[i], end = x.ItemStart[i + 1];
            if (x.Gold[i] >= 0)
            {
                row[x.Gold[i]] = 1;
            }
            else if (end == start)
            {
                row.Fill(1.0 / k);
            }
            else
            {
                for (var a = start; a < end; a++)
                {
                    row[x.AnswerLabel[a]] += 1.0 / (end - start);
                }
            }

            var sum = 0.0;
            for (var g = 0; g < m; g++)
            {
                r[g] = -Math.Log(Uniform(i, g));
                sum += r[g];
            }

            for (var c = 0; c < k; c++)
            {
                for (var g = 0; g < m; g++)
                {
                    zg[(i * km) + (c * m) + g] = row[c] * r[g] / sum;
                }
            }
        }

        var alpha = new double[k];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < k; c++)
            {
                alpha[c] += s.EmpiricalClassPrior ? z[(i * k) + c] : 0;
            }
        }

        if (!s.EmpiricalClassPrior)
        {
            Array.Fill(alpha, 1.0);
        }

        var eta = new double[km];
        var nu = new double[k];
        var mu = new double[w * km * k]; // [worker][class][subtype][answered]
        var logPi = new double[km];
        var logTau = new double[k];
        var logV = new double[mu.Length];
        var scores = new double[km];
        for (var iteration = 0; iteration < s.MaxIterations; iteration++)
        {
            // Variational M-step: Dirichlet parameters from the expected counts.
            Array.Fill(eta, s.SubtypePrior / m);
            alpha.CopyTo(nu, 0);
            for (var i = 0; i < n; i++)
            {
                for (var e = 0; e < km; e++)
                {
                    eta[e] += zg[(i * km) + e];
                }

                for (var c = 0; c < k; c++)
                {
                    nu[c] += z[(i * k) + c];
                }
            }

            for (var j = 0; j < w; j++)
            {
                for (var c = 0; c < k; c++)
                {
                    for (var g = 0; g < m; g++)
                    {
                        for (var l = 0; l < k; l++)
                        {
                            mu[(((j * k) + c) * m + g) * k + l] = c == l ? s.Diagonal : s.OffDiagonal;
                        }
                    }
                }
            }

            for (var i = 0; i < n; i++)
            {
                var q = zg.AsSpan(i * km, km);
                for (var a = x.ItemStart[i]; a < x.ItemStart[i + 1]; a++)
                {
                    var baseJ = x.AnswerWorker[a] * km * k;
                    var l = x.AnswerLabel[a];
                    for (var e = 0; e < km; e++)
                    {
                        mu[baseJ + (e * k) + l] += q[e];
                    }
                }
            }

            // Expected logs.
            for (var c = 0; c < k; c++)
            {
                var total = 0.0;
                for (var g = 0; g < m; g++)
                {
                    total += eta[(c * m) + g];
                }

                var ds = Special.Digamma(total);
                for (var g = 0; g < m; g++)
                {
                    logPi[(c * m) + g] = Special.Digamma(eta[(c * m) + g]) - ds;
                }
            }

            var nuSum = nu.Sum();
            for (var c = 0; c < k; c++)
            {
                logTau[c] = Special.Digamma(nu[c]) - Special.Digamma(nuSum);
            }

            for (var r0 = 0; r0 < mu.Length; r0 += k)
            {
                var total = 0.0;
                for (var l = 0; l < k; l++)
                {
                    total += mu[r0 + l];
                }

                var ds = Special.Digamma(total);
                for (var l = 0; l < k; l++)
                {
                    logV[r0 + l] = Special.Digamma(mu[r0 + l]) - ds;
                }
            }

            // Variational E-step over (class, subtype) per item.
            var delta = 0.0;
            for (var i = 0; i < n; i++)
            {
                for (var c = 0; c < k; c++)
                {
                    for (var g = 0; g < m; g++)
                    {
                        scores[(c * m) + g] = logPi[(c * m) + g] + logTau[c];
                    }
                }

                for (var a = x.ItemStart[i]; a < x.ItemStart[i + 1]; a++)
                {
                    var baseJ = x.AnswerWorker[a] * km * k;
                    var l = x.AnswerLabel[a];
                    for (var e = 0; e < km; e++)
                    {
                        scores[e] += logV[baseJ + (e * k) + l];
                    }
                }

                if (x.Gold[i] >= 0)
                {
                    for (var c = 0; c < k; c++)
                    {
                        if (c != x.Gold[i])
                        {
                            scores.AsSpan(c * m, m).Fill(double.NegativeInfinity);
                        }
                    }
                }

                ItemBelief.Softmax(scores, zg.AsSpan(i * km, km));
                for (var c = 0; c < k; c++)
                {
                    var p = 0.0;
                    for (var g = 0; g < m; g++)
                    {
                        p += zg[(i * km) + (c * m) + g];
                    }

                    delta = Math.Max(delta, Math.Abs(p - z[(i * k) + c]));
                    z[(i * k) + c] = p;
                }
            }

            if (delta <= s.Tolerance)
            {
                break;
            }
        }

        return z;
    }

    /// <summary>A uniform number in (0, 1) from (item, subtype) alone (SplitMix64), so the start does not depend on anything else.</summary>
    private static double Uniform(int item, int group)
    {
        var s = unchecked(((ulong)(uint)item << 32) | (uint)group) + 0x9E3779B97F4A7C15UL;
        s = unchecked((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9UL);
        s = unchecked((s ^ (s >> 27)) * 0x94D049BB133111EBUL);
        s ^= s >> 31;
        return ((s >> 11) + 0.5) / (1UL << 53);
    }
}

/// <summary>Special functions the variational methods need.</summary>
internal static class Special
{
    /// <summary>ln Γ(x) for x &gt; 0 (recurrence up to 7, then Stirling's series).</summary>
    public static double LogGamma(double x)
    {
        var result = 0.0;
        while (x < 7)
        {
            result -= Math.Log(x);
            x += 1;
        }

        var f = 1 / (x * x);
        return result + ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI)) +
               ((1 / x) * ((1.0 / 12) - (f * ((1.0 / 360) - (f * ((1.0 / 1260) - (f / 1680)))))));
    }

    /// <summary>The digamma function ψ(x) for x &gt; 0 (recurrence up to 6, then the asymptotic series).</summary>
    public static double Digamma(double x)
    {
        var result = 0.0;
        while (x < 6)
        {
            result -= 1 / x;
            x += 1;
        }

        var f = 1 / (x * x);
        return result + Math.Log(x) - (0.5 / x) -
               (f * ((1.0 / 12) - (f * ((1.0 / 120) - (f * ((1.0 / 252) - (f * ((1.0 / 240) - (f / 132)))))))));
    }
}
