namespace CoConstruisons.Domain.Experiments.Statistics;

/// <summary>n, mean and (unbiased, n−1) variance of a sample.</summary>
public sealed record SampleSummary(long N, double Mean, double Variance)
{
    /// <summary>Welford's one-pass algorithm (numerically stable).</summary>
    public static SampleSummary From(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        long n = 0;
        double mean = 0, m2 = 0;
        foreach (var x in values)
        {
            n++;
            var delta = x - mean;
            mean += delta / n;
            m2 += delta * (x - mean);
        }

        return new SampleSummary(n, mean, n > 1 ? m2 / (n - 1) : 0);
    }
}

/// <summary>Successes out of trials (e.g. contributors who came back on day 1 out of those who answered).</summary>
public sealed record ProportionSummary(long Successes, long Trials)
{
    public double Rate => Trials == 0 ? double.NaN : (double)Successes / Trials;
}

/// <summary>
/// The effect of a variant (B) over the control (A): absolute difference B − A and relative change
/// B / A − 1, each with its two-sided confidence interval, the test statistic and its p-value.
/// </summary>
public sealed record EffectEstimate(
    double ControlValue,
    double VariantValue,
    double Absolute,
    double AbsoluteLow,
    double AbsoluteHigh,
    double Relative,
    double RelativeLow,
    double RelativeHigh,
    double StandardError,
    double Statistic,
    double DegreesOfFreedom,
    double PValue);

/// <summary>Two-sample tests: two-proportion z-test and Welch's t-test.</summary>
public static class HypothesisTests
{
    /// <summary>
    /// Two-proportion z-test. The test uses the pooled standard error (exact under H0: p_A = p_B);
    /// the interval of the difference uses the unpooled (Wald) standard error; the relative change
    /// uses the delta method on log(p_B / p_A).
    /// </summary>
    public static EffectEstimate TwoProportionZTest(ProportionSummary control, ProportionSummary variant, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(variant);
        if (control.Trials <= 0 || variant.Trials <= 0)
        {
            throw new ArgumentException("Both arms need at least one trial.");
        }

        double pa = control.Rate, pb = variant.Rate;
        double na = control.Trials, nb = variant.Trials;
        var pooled = (double)(control.Successes + variant.Successes) / (na + nb);
        var sePooled = Math.Sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
        var z = sePooled > 0 ? (pb - pa) / sePooled : 0;
        var p = sePooled > 0 ? 2 * Normal.Survival(Math.Abs(z)) : 1;
        var se = Math.Sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb);
        var crit = Normal.Quantile(1 - alpha / 2);
        var (rel, relLow, relHigh) = RelativeInterval(pa, pa * (1 - pa) / na, pb, pb * (1 - pb) / nb, crit);
        return new EffectEstimate(pa, pb, pb - pa, pb - pa - crit * se, pb - pa + crit * se, rel, relLow, relHigh, se, z, double.PositiveInfinity, p);
    }

    /// <summary>
    /// Welch's t-test (unequal variances) on per-contributor values, Welch–Satterthwaite degrees of
    /// freedom, t-based interval for the difference, delta-method interval for the relative change.
    /// </summary>
    public static EffectEstimate WelchTTest(SampleSummary control, SampleSummary variant, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(variant);
        if (control.N < 2 || variant.N < 2)
        {
            throw new ArgumentException("Welch's t-test needs at least two values in each arm.");
        }

        var va = control.Variance / control.N;
        var vb = variant.Variance / variant.N;
        var se = Math.Sqrt(va + vb);
        var diff = variant.Mean - control.Mean;
        if (se == 0)
        {
            return new EffectEstimate(control.Mean, variant.Mean, diff, diff, diff, Ratio(control.Mean, variant.Mean), Ratio(control.Mean, variant.Mean), Ratio(control.Mean, variant.Mean), 0, 0, double.PositiveInfinity, diff == 0 ? 1 : 0);
        }

        var df = (va + vb) * (va + vb) / (va * va / (control.N - 1) + vb * vb / (variant.N - 1));
        var t = diff / se;
        var p = StudentT.TwoSidedP(t, df);
        var crit = df > 1e6 ? Normal.Quantile(1 - alpha / 2) : StudentT.Quantile(1 - alpha / 2, df);
        var (rel, relLow, relHigh) = RelativeInterval(control.Mean, va, variant.Mean, vb, crit);
        return new EffectEstimate(control.Mean, variant.Mean, diff, diff - crit * se, diff + crit * se, rel, relLow, relHigh, se, t, df, p);
    }

    /// <summary>
    /// B / A − 1 with an interval from the delta method on the log ratio:
    /// Var(log B̂ − log Â) ≈ Var(B̂)/B² + Var(Â)/A². NaN when a mean is not positive.
    /// </summary>
    private static (double Relative, double Low, double High) RelativeInterval(double a, double varA, double b, double varB, double crit)
    {
        if (a <= 0 || b <= 0)
        {
            return (Ratio(a, b), double.NaN, double.NaN);
        }

        var logRatio = Math.Log(b / a);
        var se = Math.Sqrt(varB / (b * b) + varA / (a * a));
        return (b / a - 1, Math.Exp(logRatio - crit * se) - 1, Math.Exp(logRatio + crit * se) - 1);
    }

    private static double Ratio(double a, double b) => a == 0 ? double.NaN : b / a - 1;
}

/// <summary>
/// Sample size per arm before launch, for a two-sided test at level α with the given power, to
/// detect a minimum relative effect (e.g. 0.10 = +10 %) over a baseline measured on historical data.
/// </summary>
public static class SampleSize
{
    /// <summary>
    /// For a mean (Welch / z approximation): n = (z_{1−α/2} + z_{power})² · (σ² + σ²(1+r)²) / (r·μ)².
    /// The variant's variance is taken as σ²(1+r)², what a multiplicative effect on a count does
    /// (slightly more conservative than the textbook 2σ²).
    /// </summary>
    public static long ForMean(double baselineMean, double baselineVariance, double relativeEffect, double alpha = 0.05, double power = 0.8)
    {
        Check(relativeEffect, alpha, power);
        if (baselineMean <= 0 || baselineVariance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(baselineMean), "The baseline mean must be positive and the variance non-negative.");
        }

        var z = Normal.Quantile(1 - alpha / 2) + Normal.Quantile(power);
        var delta = relativeEffect * baselineMean;
        var variance = baselineVariance * (1 + (1 + relativeEffect) * (1 + relativeEffect));
        return Math.Max(2, (long)Math.Ceiling(z * z * variance / (delta * delta)));
    }

    /// <summary>
    /// For a proportion p₁ → p₂ = p₁(1+r):
    /// n = (z_{1−α/2}·√(2p̄q̄) + z_{power}·√(p₁q₁ + p₂q₂))² / (p₂ − p₁)².
    /// </summary>
    public static long ForProportion(double baselineRate, double relativeEffect, double alpha = 0.05, double power = 0.8)
    {
        Check(relativeEffect, alpha, power);
        var p1 = baselineRate;
        var p2 = p1 * (1 + relativeEffect);
        if (p1 <= 0 || p1 >= 1 || p2 <= 0 || p2 >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(baselineRate), "Baseline and target rates must lie strictly between 0 and 1.");
        }

        var pBar = (p1 + p2) / 2;
        var numerator = Normal.Quantile(1 - alpha / 2) * Math.Sqrt(2 * pBar * (1 - pBar))
                        + Normal.Quantile(power) * Math.Sqrt(p1 * (1 - p1) + p2 * (1 - p2));
        return Math.Max(2, (long)Math.Ceiling(numerator * numerator / ((p2 - p1) * (p2 - p1))));
    }

    private static void Check(double relativeEffect, double alpha, double power)
    {
        if (relativeEffect == 0 || double.IsNaN(relativeEffect))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeEffect), "The minimum detectable effect must not be zero.");
        }

        if (alpha <= 0 || alpha >= 1 || power <= 0 || power >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), "alpha and power must lie in (0, 1).");
        }
    }
}

/// <summary>
/// Mixture sequential probability ratio test (mSPRT; Robbins 1970, Johari et al. 2017) for a
/// difference θ estimated by θ̂ ~ N(θ, V): with a N(0, τ²) mixture over θ under H1,
/// Λ = √(V / (V + τ²)) · exp(τ² θ̂² / (2V(V + τ²))) and the always-valid p-value is
/// min(1, 1/Λ), kept as a running minimum over looks. Rejecting when it falls below α keeps the
/// type-I error at α however often results are looked at.
/// </summary>
public static class SequentialTest
{
    public static double AlwaysValidPValue(double estimate, double estimateVariance, double mixingVariance, double previousPValue = 1)
    {
        if (estimateVariance <= 0 || mixingVariance <= 0)
        {
            return previousPValue;
        }

        var v = estimateVariance;
        var t2 = mixingVariance;
        var logLambda = 0.5 * Math.Log(v / (v + t2)) + t2 * estimate * estimate / (2 * v * (v + t2));
        var p = logLambda <= 0 ? 1 : Math.Exp(-logLambda);
        return Math.Min(previousPValue, Math.Min(1, p));
    }
}
