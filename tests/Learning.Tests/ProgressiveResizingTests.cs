using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

/// <summary>Progressive resizing (<see cref="CnnOptions.LowResolutionShare"/>): the first epochs on images averaged down.</summary>
[UiCulture("en-GB")]
public sealed class ProgressiveResizingTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(24)]
    [InlineData(40)]
    public void Downsampling_gives_each_pixel_the_mean_of_the_area_it_covers(int to)
    {
        const int from = ImageRaster.Size;
        var random = new Random(to);
        var input = new float[ConvNetShape.Channels * from * from];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)random.NextDouble();
        }

        var output = new float[ConvNetShape.Channels * to * to];
        CnnTrainer.Downsample(input, output, from, CnnTrainer.AreaTaps(from, to));

        // The definition: split each input pixel into to × to sub-pixels and each output pixel into
        // from × from of them; an output pixel is the mean of the sub-pixels it holds.
        var fine = from * to;
        for (var c = 0; c < ConvNetShape.Channels; c++)
        {
            for (var oy = 0; oy < to; oy++)
            {
                for (var ox = 0; ox < to; ox++)
                {
                    var sum = 0.0;
                    for (var fy = oy * from; fy < (oy + 1) * from; fy++)
                    {
                        for (var fx = ox * from; fx < (ox + 1) * from; fx++)
                        {
                            sum += input[(c * from * from) + (fy / to * from) + (fx / to)];
                        }
                    }

                    Assert.Equal(sum / ((double)fine / to * fine / to), output[(c * to * to) + (oy * to) + ox], 1e-5);
                }
            }
        }
    }

    [Fact]
    public void Epochs_at_low_resolution_train_the_parameters_the_full_size_network_predicts_with()
    {
        var options = TinyNetwork.Options with { Epochs = 8, LowResolutionShare = 0.75, LowResolutionSize = 24 };
        Assert.Equal(6, options.LowResolutionEpochs);
        var progressive = TinyNetwork.Train(options);
        var full = TinyNetwork.Train(options with { LowResolutionShare = 0 });
        var untrained = TinyNetwork.Train(options with { Epochs = 0 });

        // The network keeps its full-size shape and its parameters differ from a run at full size throughout.
        Assert.Equal(ImageRaster.Size, progressive.Net.Shape.Convs[0].Size);
        Assert.NotEqual(full.Net.Parameters, progressive.Net.Parameters);

        // What the reduced epochs learned shows at full size: the training roofs' loss falls as it does without them.
        var (lossUntrained, lossProgressive, lossFull) = (Loss(untrained), Loss(progressive), Loss(full));
        Assert.True(lossProgressive < lossUntrained - 0.2, $"{lossProgressive} against {lossUntrained} untrained");
        Assert.True(lossProgressive < lossFull + 0.1, $"{lossProgressive} against {lossFull} at full size");
    }

    [Theory]
    [InlineData(1.0, 32)]
    [InlineData(-0.1, 32)]
    [InlineData(0.5, 30)]
    [InlineData(0.5, 48)]
    public void A_share_or_size_out_of_range_is_refused(double share, int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyNetwork.Train(TinyNetwork.Options with { LowResolutionShare = share, LowResolutionSize = size }));
    }

    /// <summary>Mean log-loss of the model's full-size predictions on the tiny training set.</summary>
    private static double Loss(CnnModel model)
    {
        var probabilities = TinyNetwork.Predict(model, TinyNetwork.Items.Count);
        var loss = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            loss -= Math.Log(Math.Max(1e-7, probabilities[i][Array.IndexOf(TinyNetwork.Classes, TinyNetwork.Items[i].Label)]));
        }

        return loss / probabilities.Length;
    }
}
