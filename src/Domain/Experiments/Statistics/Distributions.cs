namespace CoConstruisons.Domain.Experiments.Statistics;

/// <summary>The standard normal distribution: density, CDF and quantile (BCL only).</summary>
public static class Normal
{
    private const double Sqrt2 = 1.4142135623730950488;

    /// <summary>P(Z ≤ x), accurate to ~1e-15 relative over the whole line (via erfc).</summary>
    public static double Cdf(double x) => 0.5 * SpecialFunctions.Erfc(-x / Sqrt2);

    /// <summary>P(Z &gt; x), without cancellation in the upper tail.</summary>
    public static double Survival(double x) => 0.5 * SpecialFunctions.Erfc(x / Sqrt2);

    public static double Density(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    /// <summary>
    /// The quantile (inverse CDF): Acklam's rational approximation (relative error 1.15e-9)
    /// refined by one Halley step on <see cref="Cdf"/>, which brings it to ~1e-15.
    /// </summary>
    public static double Quantile(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A probability must lie in [0, 1].");
        }

        if (p == 0)
        {
            return double.NegativeInfinity;
        }

        if (p == 1)
        {
            return double.PositiveInfinity;
        }

        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        double x;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p <= 1 - low)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        // One Halley step (Acklam's refinement).
        // Cdf(x) − p, written with the survival function in the upper half to avoid cancellation.
        var e = p < 0.5 ? Cdf(x) - p : (1 - p) - Survival(x);

        var u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }
}

/// <summary>Student's t distribution with ν degrees of freedom (ν may be fractional, as in Welch's test).</summary>
public static class StudentT
{
    /// <summary>P(T ≤ t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (regularized incomplete beta).</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        if (degreesOfFreedom <= 0 || double.IsNaN(degreesOfFreedom))
        {
            throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "Degrees of freedom must be positive.");
        }

        if (double.IsPositiveInfinity(degreesOfFreedom))
        {
            return Normal.Cdf(t);
        }

        var tail = 0.5 * SpecialFunctions.RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5, degreesOfFreedom / (degreesOfFreedom + t * t));
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>Two-sided p-value P(|T| ≥ |t|).</summary>
    public static double TwoSidedP(double t, double degreesOfFreedom) =>
        double.IsPositiveInfinity(degreesOfFreedom)
            ? 2 * Normal.Survival(Math.Abs(t))
            : SpecialFunctions.RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5, degreesOfFreedom / (degreesOfFreedom + t * t));

    /// <summary>The quantile, by bisection + Newton on <see cref="Cdf"/> (starts from the normal quantile).</summary>
    public static double Quantile(double p, double degreesOfFreedom)
    {
        if (p <= 0 || p >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A probability must lie in (0, 1).");
        }

        if (p == 0.5)
        {
            return 0;
        }

        double lo = -1, hi = 1;
        while (Cdf(lo, degreesOfFreedom) > p)
        {
            lo *= 2;
        }

        while (Cdf(hi, degreesOfFreedom) < p)
        {
            hi *= 2;
        }

        for (var i = 0; i < 200 && hi - lo > 1e-13 * Math.Max(1, Math.Abs(lo)); i++)
        {
            var mid = 0.5 * (lo + hi);
            if (Cdf(mid, degreesOfFreedom) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }
}

/// <summary>erfc, log-gamma and the regularized incomplete beta function.</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// Complementary error function, W. J. Cody's rational Chebyshev approximations (1969),
    /// relative error below 1e-14 for every x.
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        var ax = Math.Abs(x);
        double result;
        if (ax < 0.5)
        {
            // erf by a rational function in x², erfc = 1 − erf.
            ReadOnlySpan<double> p = [3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1];
            ReadOnlySpan<double> q = [2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03];
            var z = x * x;
            var num = p[4] * z;
            var den = z;
            for (var i = 0; i < 3; i++)
            {
                num = (num + p[i]) * z;
                den = (den + q[i]) * z;
            }

            return 1 - x * (num + p[3]) / (den + q[3]);
        }

        if (ax < 4)
        {
            ReadOnlySpan<double> p = [5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8];
            ReadOnlySpan<double> q = [1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03];
            var num = p[8] * ax;
            var den = ax;
            for (var i = 0; i < 7; i++)
            {
                num = (num + p[i]) * ax;
                den = (den + q[i]) * ax;
            }

            result = (num + p[7]) / (den + q[7]);
        }
        else
        {
            ReadOnlySpan<double> p = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
            ReadOnlySpan<double> q = [2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
            var z = 1 / (ax * ax);
            var num = p[5] * z;
            var den = z;
            for (var i = 0; i < 4; i++)
            {
                num = (num + p[i]) * z;
                den = (den + q[i]) * z;
            }

            result = z * (num + p[4]) / (den + q[4]);
            result = (1 / Math.Sqrt(Math.PI) - result) / ax;
        }

        // exp(-x²) computed as exp(-xs²)·exp(-(x-xs)(x+xs)) to keep precision (Cody).
        var xs = Math.Truncate(ax * 16) / 16;
        var del = (ax - xs) * (ax + xs);
        result = Math.Exp(-xs * xs) * Math.Exp(-del) * result;
        return x < 0 ? 2 - result : result;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms; ~1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0.");
        }

        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        var a = g[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++)
        {
            a += g[i] / (x + i);
        }

        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>
    /// I_x(a, b), the regularized incomplete beta function, by its continued fraction
    /// (modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where it converges faster.
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (a <= 0 || b <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(a), "The parameters a and b must be positive.");
        }

        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        return x < (a + 1) / (a + b + 2)
            ? Math.Exp(logFront) * BetaContinuedFraction(a, b, x) / a
            : 1 - Math.Exp(logFront) * BetaContinuedFraction(b, a, 1 - x) / b;
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        const double eps = 1e-16;
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny)
        {
            d = tiny;
        }

        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 10_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < eps)
            {
                break;
            }
        }

        return h;
    }
}
