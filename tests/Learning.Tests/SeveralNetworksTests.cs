using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

/// <summary>Several networks trained from different seeds and averaged (<see cref="CnnOptions.Networks"/>).</summary>
[UiCulture("en-GB")]
public sealed class SeveralNetworksTests
{
    private static readonly string[] Classes = TinyNetwork.Classes;
    private static readonly CnnOptions Options = TinyNetwork.Options;

    private static CnnModel Train(CnnOptions options) => TinyNetwork.Train(options);

    private static float[][] Predict(CnnModel model) => TinyNetwork.Predict(model, 6);

    [Fact]
    public void Two_networks_predict_the_average_of_each_trained_alone_and_load_back_the_same()
    {
        var pair = Train(Options with { Networks = 2 });
        var first = Train(Options);
        var second = Train(Options with { Seed = Options.SeedOf(1) });

        Assert.Equal(2, pair.Nets.Count);
        Assert.Equal(first.Net.Parameters, pair.Nets[0].Parameters);
        Assert.Equal(second.Net.Parameters, pair.Nets[1].Parameters);
        Assert.NotEqual(pair.Nets[0].Parameters, pair.Nets[1].Parameters);
        var (both, one, other) = (Predict(pair), Predict(first), Predict(second));
        for (var i = 0; i < both.Length; i++)
        {
            for (var c = 0; c < Classes.Length; c++)
            {
                Assert.Equal((one[i][c] + other[i][c]) / 2, both[i][c], 5);
            }
        }

        using var stream = new MemoryStream();
        pair.Write(stream);
        Assert.Equal(CnnModel.MagicMany, System.Text.Encoding.ASCII.GetString(stream.ToArray(), 0, 8));
        stream.Position = 0;
        var loaded = CnnModel.Read(stream);
        Assert.Equal(2, loaded.Nets.Count);
        var again = Predict(loaded);
        for (var i = 0; i < both.Length; i++)
        {
            Assert.Equal(both[i], again[i]);
        }
    }

    [Fact]
    public void One_network_is_still_written_in_the_one_network_format()
    {
        using var stream = new MemoryStream();
        Train(Options).Write(stream);
        Assert.Equal(CnnModel.Magic, System.Text.Encoding.ASCII.GetString(stream.ToArray(), 0, 8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    public void A_file_naming_an_implausible_number_of_networks_is_refused(int count)
    {
        var bytes = Written(Options with { Networks = 2 });
        BitConverter.TryWriteBytes(bytes.AsSpan(CountOffset(bytes)), count);
        var ex = Assert.Throws<InvalidDataException>(() => CnnModel.Read(new MemoryStream(bytes)));
        Assert.Contains("number of networks", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_cut_inside_its_second_network_is_refused()
    {
        var bytes = Written(Options with { Networks = 2 });
        var ex = Assert.Throws<InvalidDataException>(() => CnnModel.Read(new MemoryStream(bytes[..(bytes.Length - 40)])));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Written(CnnOptions options)
    {
        using var stream = new MemoryStream();
        Train(options).Write(stream);
        return stream.ToArray();
    }

    /// <summary>Where the network count sits: after the first network's parameter block would start, i.e. before the two blocks.</summary>
    private static int CountOffset(byte[] file)
    {
        // magic 8, conv count 4, 4 × 13 bytes per conv (three ints and a bool), extras/hidden/classes 12, group norm 1, mean and std 24.
        var convs = BitConverter.ToInt32(file, 8);
        return 8 + 4 + (convs * 13) + 12 + 1 + 24;
    }
}
