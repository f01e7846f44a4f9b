using CoConstruisons.Learning;

namespace CoConstruisons.Learning.Tests;

public sealed class EvaluationTests
{
    [Fact]
    public void The_threshold_is_the_smallest_confidence_whose_precision_reaches_the_target()
    {
        // Sorted by confidence: 0.99 ok, 0.95 ok, 0.9 ok, 0.8 wrong, 0.7 ok, 0.6 wrong.
        double[] conf = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6];
        bool[] correct = [true, true, true, false, true, false];
        // Precision at each cut: 1, 1, 1, 0.75, 0.8, 0.67.
        var (threshold, coverage, precision) = Evaluation.SelectThreshold(conf, correct, 0.8, minAccepted: 1);
        Assert.Equal(0.7, threshold);
        Assert.Equal(5.0 / 6, coverage, 6);
        Assert.Equal(0.8, precision, 6);
        Assert.Equal(0.9, Evaluation.SelectThreshold(conf, correct, 0.85, minAccepted: 1).Threshold);
        Assert.Equal(0.6, Evaluation.SelectThreshold(conf, correct, 0.6, minAccepted: 1).Threshold);

        // Too few accepted predictions do not count, however precise.
        Assert.Equal(0.7, Evaluation.SelectThreshold(conf, correct, 0.8, minAccepted: 4).Threshold);
        Assert.Equal(Evaluation.NoThreshold, Evaluation.SelectThreshold(conf, correct, 0.85, minAccepted: 4).Threshold);
    }

    [Fact]
    public void No_threshold_reaching_the_target_auto_labels_nothing()
    {
        var (threshold, coverage, _) = Evaluation.SelectThreshold([0.9, 0.8], [false, false], 0.9, minAccepted: 1);
        Assert.Equal(Evaluation.NoThreshold, threshold);
        Assert.Equal(0, coverage);
        Assert.Equal(0, Evaluation.ApplyThreshold([0.99, 1.0], [true, true], threshold).Coverage);
    }

    [Fact]
    public void Perfectly_calibrated_predictions_have_no_calibration_error_and_overconfident_ones_do()
    {
        Assert.Equal(0, Evaluation.ExpectedCalibrationError([0.5, 0.5, 1.0], [true, false, true]), 6);
        Assert.Equal(0.5, Evaluation.ExpectedCalibrationError([1.0, 1.0], [true, false]), 6);
    }

    [Fact]
    public void The_confusion_matrix_has_true_classes_in_rows()
    {
        var report = Evaluation.Evaluate(["a", "b"], [0, 0, 1], [[0.9f, 0.1f], [0.2f, 0.8f], [0.3f, 0.7f]]);
        Assert.Equal([1, 1], report.Confusion[0]);
        Assert.Equal([0, 1], report.Confusion[1]);
        Assert.Equal(0.5, report.PerClass["a"].Recall);
        Assert.Equal(0.5, report.PerClass["b"].Precision);
        Assert.Equal(0.6667, report.Accuracy);
    }

    [Fact]
    public void A_lower_confidence_bound_makes_the_threshold_stricter_on_few_images()
    {
        // 100 predictions: the 60 most confident all right, then one error in every two.
        var conf = Enumerable.Range(0, 100).Select(i => 1.0 - (i * 0.005)).ToList();
        var correct = Enumerable.Range(0, 100).Select(i => i < 60 || i % 2 == 0).ToList();
        var point = Evaluation.SelectThreshold(conf, correct, 0.9, minAccepted: 1);
        var bounded = Evaluation.SelectThreshold(conf, correct, 0.9, minAccepted: 1, confidenceZ: 1.645);
        Assert.True(point.Threshold < bounded.Threshold, $"point {point.Threshold}, bounded {bounded.Threshold}");
        Assert.True(bounded.Precision > point.Precision && bounded.Precision >= 0.9 && point.Precision >= 0.9);
        Assert.NotEqual(Evaluation.NoThreshold, bounded.Threshold);
        Assert.Equal(0.5, Evaluation.WilsonLowerBound(5, 10, 0));
        Assert.InRange(Evaluation.WilsonLowerBound(5, 10, 1.645), 0.25, 0.3);
    }

    [Fact]
    public void Resampling_shows_the_bounded_threshold_keeping_its_promise_on_more_new_images_than_the_point_estimate()
    {
        // 2,000 predictions that are right as often as they say (confidence 0.5 to 1).
        var random = new Random(3);
        var conf = Enumerable.Range(0, 2000).Select(_ => 0.5 + (0.5 * random.NextDouble())).ToList();
        var correct = conf.Select(c => random.NextDouble() < c).ToList();

        var point = Evaluation.ResampleThreshold(conf, correct, 600, 0.95, minAccepted: 20, confidenceZ: 0, repeats: 300, seed: 1);
        var bounded = Evaluation.ResampleThreshold(conf, correct, 600, 0.95, minAccepted: 20, confidenceZ: 1.645, repeats: 300, seed: 1);

        Assert.Equal(300, bounded.Repeats);
        Assert.True(point.ShareBelowTarget > 0.25, $"point estimate: {point}");
        Assert.True(bounded.ShareBelowTarget < point.ShareBelowTarget / 2, $"point {point}, bounded {bounded}");
        Assert.True(bounded.MeanPrecision > point.MeanPrecision && bounded.MeanCoverage < point.MeanCoverage, $"point {point}, bounded {bounded}");
        Assert.InRange(bounded.Precision10thPercentile, 0.9, bounded.MeanPrecision);
        Assert.Equal(bounded, Evaluation.ResampleThreshold(conf, correct, 600, 0.95, 20, 1.645, 300, seed: 1));
    }

    [Fact]
    public void Resampling_refuses_a_calibration_part_that_leaves_no_test_part()
    {
        var error = Assert.Throws<ArgumentException>(() => Evaluation.ResampleThreshold([0.9, 0.8], [true, false], 2, 0.95, 1, 0, 10, 1));
        Assert.Contains("calibration part", error.Message, StringComparison.Ordinal);
    }
}
