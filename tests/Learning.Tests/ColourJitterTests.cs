using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

/// <summary>Colour jitter (<see cref="CnnOptions.ColourJitter"/>): brightness, contrast and colour of the training images varied.</summary>
[UiCulture("en-GB")]
public sealed class ColourJitterTests
{
    private const int Pixels = ImageRaster.Size * ImageRaster.Size;

    [Fact]
    public void Jitter_changes_the_raw_colours_as_its_definition_says()
    {
        var random = new Random(3);
        float[] mean = [0.45f, 0.5f, 0.4f];
        float[] std = [0.2f, 0.18f, 0.25f];
        var chw = new float[ConvNetShape.Channels * Pixels];
        for (var i = 0; i < chw.Length; i++)
        {
            chw[i] = (float)((random.NextDouble() * 4) - 2);
        }

        var original = (float[])chw.Clone();
        float[] colour = [1.04f, 0.97f, 1.01f];
        CnnTrainer.Jitter(chw, mean, std, brightness: 1.15f, contrast: 0.85f, colour);

        for (var c = 0; c < ConvNetShape.Channels; c++)
        {
            // Raw values before: v = z·std + mean; their mean over the image: μ.
            var raw = original.Skip(c * Pixels).Take(Pixels).Select(z => (z * (double)std[c]) + mean[c]).ToArray();
            var mu = raw.Average();
            for (var i = 0; i < Pixels; i++)
            {
                var expected = colour[c] * 1.15 * (mu + (0.85 * (raw[i] - mu)));
                var after = (chw[(c * Pixels) + i] * (double)std[c]) + mean[c];
                Assert.Equal(expected, after, 1e-4);
            }
        }
    }

    [Fact]
    public void Factors_of_one_leave_the_image_as_it_was()
    {
        var random = new Random(4);
        var chw = Enumerable.Range(0, ConvNetShape.Channels * Pixels).Select(_ => (float)random.NextDouble()).ToArray();
        var original = (float[])chw.Clone();
        CnnTrainer.Jitter(chw, [0.5f, 0.5f, 0.5f], [0.2f, 0.2f, 0.2f], 1f, 1f, [1f, 1f, 1f]);
        for (var i = 0; i < chw.Length; i++)
        {
            Assert.Equal(original[i], chw[i], 1e-5);
        }
    }

    [Theory]
    [InlineData(0.2f)]
    [InlineData(0.6f)]
    public void Drawn_factors_stay_in_their_ranges_and_spread_over_them(float jitter)
    {
        var random = new Random(11);
        Span<float> factors = stackalloc float[2 + ConvNetShape.Channels];
        var (lowest, highest, lowestColour, highestColour) = (2f, 0f, 2f, 0f);
        for (var n = 0; n < 2000; n++)
        {
            CnnTrainer.DrawJitter(random, jitter, factors);
            for (var f = 0; f < 2; f++)
            {
                Assert.InRange(factors[f], 1 - jitter, 1 + jitter);
                (lowest, highest) = (Math.Min(lowest, factors[f]), Math.Max(highest, factors[f]));
            }

            foreach (var colour in factors[2..])
            {
                Assert.InRange(colour, 1 - (jitter / 4), 1 + (jitter / 4));
                (lowestColour, highestColour) = (Math.Min(lowestColour, colour), Math.Max(highestColour, colour));
            }
        }

        Assert.True(lowest < 1 - (0.9 * jitter) && highest > 1 + (0.9 * jitter), $"brightness and contrast drawn in [{lowest}, {highest}]");
        Assert.True(lowestColour < 1 - (0.2 * jitter) && highestColour > 1 + (0.2 * jitter), $"colours drawn in [{lowestColour}, {highestColour}]");
    }

    [Fact]
    public void Training_with_jitter_repeats_exactly_for_a_seed_and_differs_from_training_without()
    {
        var options = TinyNetwork.Options with { ColourJitter = 0.3 };
        var first = TinyNetwork.Train(options);
        var again = TinyNetwork.Train(options);
        var without = TinyNetwork.Train(options with { ColourJitter = 0 });

        Assert.Equal(first.Net.Parameters, again.Net.Parameters);
        Assert.NotEqual(first.Net.Parameters, without.Net.Parameters);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.05)]
    [InlineData(double.NaN)]
    public void A_jitter_out_of_range_is_refused(double jitter)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyNetwork.Train(TinyNetwork.Options with { ColourJitter = jitter }));
    }
}
