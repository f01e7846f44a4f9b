using CoConstruisons.Domain.Experiments.Statistics;

namespace CoConstruisons.Domain.UnitTests.Experiments;

public class StatisticsTests
{
    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-1.0, 0.15865525393145707)]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(3.0, 0.9986501019683699)]
    [InlineData(-0.3, 0.38208857781104733)]
    public void Normal_cdf_matches_tables(double x, double expected) => Assert.Equal(expected, Normal.Cdf(x), 13);

    [Fact]
    public void Normal_cdf_keeps_relative_precision_far_in_the_tail()
    {
        Assert.Equal(6.220960574271784e-16, Normal.Cdf(-8), 1e-27);
        Assert.Equal(2.866515718791939e-7, Normal.Survival(5), 1e-19);
    }

    [Theory]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.8, 0.8416212335729143)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.025, -1.959963984540054)]
    [InlineData(1e-10, -6.361340902404056)]
    [InlineData(0.999, 3.090232306167813)]
    public void Normal_quantile_matches_tables(double p, double expected) => Assert.Equal(expected, Normal.Quantile(p), 11);

    [Fact]
    public void Normal_quantile_inverts_the_cdf()
    {
        for (var p = 0.001; p < 1; p += 0.0137)
        {
            Assert.Equal(p, Normal.Cdf(Normal.Quantile(p)), 13);
        }
    }

    [Theory]
    [InlineData(2.0, 10.0, 0.9633059826146297)]
    [InlineData(1.0, 1.0, 0.75)] // Cauchy: 1/2 + atan(1)/π
    [InlineData(-3.0, 2.0, 0.04773298313335457)] // df 2: 1/2 + t / (2√(2+t²))
    [InlineData(0.0, 7.3, 0.5)]
    public void Student_t_cdf_matches_known_values(double t, double df, double expected) => Assert.Equal(expected, StudentT.Cdf(t, df), 12);

    [Theory]
    [InlineData(0.975, 10.0, 2.228138851986274)]
    [InlineData(0.975, 5.0, 2.570581835636314)]
    [InlineData(0.975, 1.0, 12.706204736174696)]
    [InlineData(0.975, 30.0, 2.042272456301238)]
    public void Student_t_quantile_matches_tables(double p, double df, double expected) => Assert.Equal(expected, StudentT.Quantile(p, df), 9);

    [Fact]
    public void Student_t_tends_to_the_normal_for_many_degrees_of_freedom() =>
        Assert.Equal(Normal.Cdf(1.7), StudentT.Cdf(1.7, 1e7), 6);

    [Fact]
    public void Log_gamma_and_incomplete_beta_match_closed_forms()
    {
        Assert.Equal(0.5723649429247001, SpecialFunctions.LogGamma(0.5), 13);
        Assert.Equal(12.801827480081469, SpecialFunctions.LogGamma(10), 12);
        Assert.Equal(Math.Pow(0.3, 2.5), SpecialFunctions.RegularizedIncompleteBeta(2.5, 1, 0.3), 13);
        Assert.Equal(0.5, SpecialFunctions.RegularizedIncompleteBeta(4.2, 4.2, 0.5), 13);
    }

    [Fact]
    public void Two_proportion_z_test_matches_a_hand_computed_example()
    {
        // 200/1000 vs 250/1000: pooled p = 0.225, SE = √(0.225·0.775·0.002) = 0.018675, z = 2.6774, p = 0.00742.
        var effect = HypothesisTests.TwoProportionZTest(new ProportionSummary(200, 1000), new ProportionSummary(250, 1000));
        Assert.Equal(0.05, effect.Absolute, 12);
        Assert.Equal(2.6774, effect.Statistic, 3);
        Assert.Equal(0.00742, effect.PValue, 4);
        Assert.Equal(0.25, effect.Relative, 12);
        // Wald interval: 0.05 ± 1.96·√(0.2·0.8/1000 + 0.25·0.75/1000) = 0.05 ± 0.03653.
        Assert.Equal(0.01347, effect.AbsoluteLow, 4);
        Assert.Equal(0.08653, effect.AbsoluteHigh, 4);
        Assert.True(effect.RelativeLow > 0 && effect.RelativeHigh > effect.Relative);
    }

    [Fact]
    public void Identical_proportions_give_no_effect_and_p_one()
    {
        var effect = HypothesisTests.TwoProportionZTest(new ProportionSummary(30, 100), new ProportionSummary(30, 100));
        Assert.Equal(0, effect.Absolute);
        Assert.Equal(1, effect.PValue, 12);
        Assert.True(effect.AbsoluteLow < 0 && effect.AbsoluteHigh > 0);
    }

    [Fact]
    public void Welch_t_test_matches_a_hand_computed_example()
    {
        double[] a = [12, 15, 11, 18, 20, 14, 13];
        double[] b = [22, 19, 25, 17, 30, 21];
        var sa = SampleSummary.From(a.Select(x => x));
        var sb = SampleSummary.From(b.Select(x => x));
        Assert.Equal(14.714285714285714, sa.Mean, 12);
        Assert.Equal(74.0 / 7, sa.Variance, 12);
        var effect = HypothesisTests.WelchTTest(sa, sb);
        var va = sa.Variance / 7;
        var vb = sb.Variance / 6;
        var t = (sb.Mean - sa.Mean) / Math.Sqrt(va + vb);
        var df = Math.Pow(va + vb, 2) / (va * va / 6 + vb * vb / 5);
        Assert.Equal(t, effect.Statistic, 12);
        Assert.Equal(df, effect.DegreesOfFreedom, 12);
        Assert.Equal(2 * (1 - StudentT.Cdf(Math.Abs(t), df)), effect.PValue, 10);
        Assert.InRange(effect.PValue, 0.001, 0.02);
        Assert.True(effect.AbsoluteLow > 0);
    }

    [Fact]
    public void Sample_size_for_a_proportion_matches_the_textbook_value()
    {
        // 10 % → 12 % (relative +20 %), α = 0.05, power 0.8: 3,841 per arm (classic formula, unpooled/pooled mix).
        Assert.Equal(3841, SampleSize.ForProportion(0.10, 0.20));
    }

    [Fact]
    public void Sample_size_for_a_mean_grows_with_variance_and_shrinks_with_the_effect()
    {
        // (1.96 + 0.8416)² · σ²(1 + 1.21) / (0.1 μ)² with μ = 10, σ² = 100: 7.849 · 221 / 1 = 1734.7 → 1735.
        Assert.Equal(1735, SampleSize.ForMean(10, 100, 0.10));
        Assert.True(SampleSize.ForMean(10, 400, 0.10) > SampleSize.ForMean(10, 100, 0.10));
        Assert.True(SampleSize.ForMean(10, 100, 0.20) < SampleSize.ForMean(10, 100, 0.10));
    }

    [Fact]
    public void The_always_valid_p_value_is_more_demanding_than_the_fixed_one_and_never_increases()
    {
        // θ̂ = 2 SE (fixed-horizon p ≈ 0.0455): not enough for the mSPRT.
        var p1 = SequentialTest.AlwaysValidPValue(2, 1, 4);
        Assert.True(p1 > 0.0455);
        var p2 = SequentialTest.AlwaysValidPValue(4, 1, 4, p1);
        Assert.True(p2 < 0.05);
        Assert.Equal(p2, SequentialTest.AlwaysValidPValue(0, 1, 4, p2));
    }
}
