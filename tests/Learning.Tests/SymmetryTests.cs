using CoConstruisons.Infrastructure.Images;
using CoConstruisons.Learning;

namespace CoConstruisons.Learning.Tests;

public sealed class SymmetryTests
{
    private static readonly string[] Roofs = ["east_west", "flat", "north_south", "other"];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void A_quarter_turn_swaps_north_south_and_east_west_and_keeps_flat_and_other(int transform)
    {
        var symmetry = LabelSymmetry.Detect(Roofs);
        Assert.Equal("east_west", symmetry.Map("north_south", transform));
        Assert.Equal("north_south", symmetry.Map("east_west", transform));
        Assert.Equal("flat", symmetry.Map("flat", transform));
        Assert.Equal("other", symmetry.Map("other", transform));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void Half_turns_and_mirrors_keep_every_class(int transform)
    {
        var symmetry = LabelSymmetry.Detect(["1", "2", "3", "4"]);
        foreach (var label in new[] { "1", "2", "3", "4" })
        {
            Assert.Equal(label, symmetry.Map(label, transform));
        }
    }

    [Fact]
    public void OpenSolarMap_numeric_labels_are_detected_as_a_rotation_pair()
    {
        var symmetry = LabelSymmetry.Detect(["1", "2", "3", "4"]);
        Assert.Equal([("1", "2")], symmetry.RotationSwaps);
        Assert.Equal("2", symmetry.Map("1", 1));
    }

    [Fact]
    public void A_swap_naming_an_unknown_class_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LabelSymmetry(["a", "b"], [("a", "zzz")]));
        Assert.Contains("zzz", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quarter_turn_makes_a_horizontal_ridge_vertical_and_swaps_width_and_height()
    {
        var image = ImageRaster.Decode(RoofImageGenerator.Draw("north_south", new Random(1)));
        var turned = image.Transformed(1);
        Assert.Equal(image.OriginalWidth, turned.OriginalHeight);
        Assert.Equal(image.OriginalHeight, turned.OriginalWidth);

        // Clockwise quarter turn: the top-left pixel goes to the top-right corner.
        const int last = ImageRaster.Size - 1;
        Assert.Equal(image[0, 0, 0], turned[0, last, 0]);
        Assert.Equal(image[last, 0, 1], turned[0, 0, 1]);

        // Four quarter turns, or a mirror twice, give the image back.
        var back = turned.Transformed(1).Transformed(1).Transformed(1);
        var mirrored = image.Transformed(4).Transformed(4);
        for (var y = 0; y < ImageRaster.Size; y++)
        {
            for (var x = 0; x < ImageRaster.Size; x++)
            {
                Assert.Equal(image[y, x, 2], back[y, x, 2]);
                Assert.Equal(image[y, x, 2], mirrored[y, x, 2]);
            }
        }
    }

    [Fact]
    public void Gradient_energy_features_swap_under_a_quarter_turn()
    {
        // Features 0 (log aspect) and the horizontal/vertical energy log-ratio change sign.
        var image = ImageRaster.Decode(RoofImageGenerator.Draw("north_south", new Random(2)));
        var f = RoofFeatureExtractor.Extract(image);
        var g = RoofFeatureExtractor.Extract(image.Transformed(1));
        Assert.Equal(RoofFeatureExtractor.Length, f.Length);
        Assert.Equal(f[0], -g[0], 4);
    }
}
