using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

/// <summary>The network learns each image's label softened by the crowd's answers on it (<see cref="CnnOptions.VoteWeight"/>).</summary>
public sealed class VoteTargetsTests
{
    private static readonly List<LabelledImage> Items = TinyNetwork.Items;
    private static readonly string[] Classes = TinyNetwork.Classes;
    private static readonly CnnOptions Options = TinyNetwork.Options with { Epochs = 3, LearningRate = 0.01 };

    /// <summary>Another class for each label (two places on, in ordinal order): what the "crowd" answers in these tests.</summary>
    private static string Other(string label) => Classes[(Array.IndexOf(Classes, label) + 2) % Classes.Length];

    private static CnnModel Train(CnnOptions options, IReadOnlyList<float[]?>? shares) => TinyNetwork.Train(options, shares);

    private static List<float[]?> SharesNaming(Func<string, string> choice) =>
        [.. Items.Select(i => Trainer.VoteShares(new Dictionary<string, int> { [choice(i.Label)] = 3 }, Classes))];

    /// <summary>Mean probability the network gives, over the training images, to the class <paramref name="choice"/> names.</summary>
    private static double MeanProbability(CnnModel model, Func<string, string> choice)
    {
        var predicted = TinyNetwork.Predict(model, Items.Count);
        return Items.Select((item, n) => (double)predicted[n][Array.IndexOf(Classes, choice(item.Label))]).Average();
    }

    [Fact]
    public void Answers_that_all_name_another_class_pull_the_network_towards_it_in_proportion_to_the_weight()
    {
        var answers = SharesNaming(Other);
        var labelsOnly = MeanProbability(Train(Options with { VoteWeight = 0 }, answers), Other);
        var half = MeanProbability(Train(Options with { VoteWeight = 0.5 }, answers), Other);
        var answersOnly = MeanProbability(Train(Options with { VoteWeight = 1 }, answers), Other);

        Assert.True(labelsOnly < half && half < answersOnly, $"probability of the answered class: weight 0 {labelsOnly:F3}, 0.5 {half:F3}, 1 {answersOnly:F3}");
    }

    [Fact]
    public void Answers_that_agree_with_every_label_or_a_zero_weight_train_exactly_the_labels_network()
    {
        var plain = Train(Options, null).Net.Parameters;

        Assert.Equal(plain, Train(Options with { VoteWeight = 0 }, SharesNaming(Other)).Net.Parameters);
        Assert.Equal(plain, Train(Options with { VoteWeight = 0.5 }, SharesNaming(l => l)).Net.Parameters);
    }

    [Fact]
    public void Shares_count_only_the_classes_and_images_without_answers_keep_their_label()
    {
        var shares = Trainer.VoteShares(new Dictionary<string, int> { [Classes[0]] = 3, [Classes[1]] = 1, ["dont_know"] = 4 }, Classes);

        Assert.NotNull(shares);
        Assert.Equal([0.75f, 0.25f, 0f, 0f], shares);
        Assert.Null(Trainer.VoteShares(null, Classes));
        Assert.Null(Trainer.VoteShares(new Dictionary<string, int> { ["dont_know"] = 2 }, Classes));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void A_weight_outside_zero_to_one_is_refused(double weight)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Train(Options with { VoteWeight = weight }, null));
    }

    [Fact]
    public void Shares_that_do_not_match_the_images_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Train(Options, [null]));
    }
}
