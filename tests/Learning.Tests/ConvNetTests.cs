using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

public sealed class ConvNetTests
{
    private static readonly ConvNetShape Small = new(
        [new ConvSpec(3, 3, 8, false), new ConvSpec(3, 4, 8, true), new ConvSpec(4, 8, 4, false)],
        Extras: 2,
        Hidden: 6,
        Classes: 3);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backward_matches_finite_differences_of_the_loss(bool groupNorm)
    {
        var shape = Small with { GroupNorm = groupNorm };
        var net = new ConvNet(shape, seed: 3);
        var random = new Random(5);

        // Biases away from zero so that ReLUs are not all at their kink.
        for (var i = 0; i < net.Parameters.Length; i++)
        {
            net.Parameters[i] += (float)((random.NextDouble() - 0.5) * 0.2);
        }

        var ws = new ConvNet.Workspace(shape);
        for (var i = 0; i < ws.Inputs[0].Length; i++)
        {
            ws.Inputs[0][i] = (float)((random.NextDouble() * 2) - 1);
        }

        var input = ws.Inputs[0].ToArray();
        float[] extras = [0.3f, -0.7f];
        const int label = 1;

        double Loss()
        {
            input.CopyTo(ws.Inputs[0], 0);
            net.Forward(ws, extras);
            var p = new float[Small.Classes];
            CnnModel.Softmax(ws.Logits, p);
            return -Math.Log(p[label]);
        }

        _ = Loss();
        var probabilities = new float[Small.Classes];
        CnnModel.Softmax(ws.Logits, probabilities);
        probabilities[label] -= 1;
        Array.Clear(ws.Gradients);
        net.Backward(ws, probabilities, 1f);
        var analytic = ws.Gradients.ToArray();

        var checkedCount = 0;
        for (var i = 0; i < net.Parameters.Length; i += 7)
        {
            var original = net.Parameters[i];
            double Central(float h)
            {
                net.Parameters[i] = original + h;
                var plus = Loss();
                net.Parameters[i] = original - h;
                var minus = Loss();
                net.Parameters[i] = original;
                return (plus - minus) / (2 * h);
            }

            var numeric = Central(1e-2f);

            // A ReLU kink or a max-pool switch inside the step makes the difference quotient meaningless: skip.
            if (Math.Abs(numeric - Central(5e-3f)) > 1e-3 + (0.02 * Math.Abs(numeric)))
            {
                continue;
            }

            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 + (0.05 * Math.Abs(numeric)), $"parameter {i}: numeric {numeric}, analytic {analytic[i]}");
            checkedCount++;
        }

        Assert.True(checkedCount > 20);
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-3);
    }

    [Fact]
    public void Element_wise_passes_match_their_scalar_definition_on_every_length()
    {
        var random = new Random(5);
        for (var length = 0; length <= 40; length++)
        {
            var x = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var y = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

            var relu = (float[])x.Clone();
            Vectors.Relu(relu);
            Assert.Equal(x.Select(v => Math.Max(v, 0f)), relu);

            var masked = (float[])y.Clone();
            Vectors.MaskByPositive(x, masked);
            Assert.Equal(x.Zip(y, (v, g) => v > 0 ? g : 0f), masked);

            Assert.Equal(x.Sum(v => (double)v), Vectors.Sum(x), 4);
            var (sum, squares) = Vectors.SumAndSquares(x);
            Assert.Equal(x.Sum(v => (double)v), sum, 4);
            Assert.Equal(x.Sum(v => (double)v * v), squares, 4);

            var added = (float[])y.Clone();
            Vectors.AddScalar(x, 0.25f, added);
            Assert.Equal(x.Select(a => a + 0.25f), added);

            var z = (float[])x.Clone();
            var normalised = new float[length];
            Vectors.Normalise(z, normalised, mean: 0.1f, inverse: 2f, gain: 3f, shift: -1f);
            for (var i = 0; i < length; i++)
            {
                Assert.Equal((x[i] - 0.1f) * 2f, normalised[i], 5);
                Assert.Equal((3f * normalised[i]) - 1f, z[i], 5);
            }
        }
    }

    [Fact]
    public void Products_match_the_naive_definition_on_odd_sizes()
    {
        var random = new Random(9);
        foreach (var (m, k, n) in new[] { (5, 7, 37), (4, 16, 16), (1, 3, 48), (9, 144, 24) })
        {
            var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            // A product that does not accumulate overwrites whatever the buffer held (buffers are reused).
            var c = Enumerable.Repeat(7f, m * n).ToArray();
            Gemm.Multiply(a, b, c, m, k, n, accumulate: false);
            var accumulated = Enumerable.Repeat(1f, m * n).ToArray();
            Gemm.Multiply(a, b, accumulated, m, k, n, accumulate: true);
            var bt = new float[n * k];
            for (var p = 0; p < k; p++)
            {
                for (var j = 0; j < n; j++)
                {
                    bt[(j * k) + p] = b[(p * n) + j];
                }
            }

            var c2 = new float[m * n];
            Gemm.MultiplyTransposedAdd(a, bt, c2, m, k, n);
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    var expected = 0.0;
                    for (var p = 0; p < k; p++)
                    {
                        expected += a[(i * k) + p] * b[(p * n) + j];
                    }

                    Assert.Equal(expected, c[(i * n) + j], 3);
                    Assert.Equal(expected + 1, accumulated[(i * n) + j], 3);
                    Assert.Equal(expected, c2[(i * n) + j], 3);
                }
            }
        }
    }

    [Fact]
    public void Products_read_rows_at_given_offsets_like_the_matrix_they_describe()
    {
        // Overlapping rows of one span, as a convolution reads shifted views of a bordered image.
        var random = new Random(11);
        foreach (var (m, k, n) in new[] { (4, 9, 32), (5, 27, 48), (3, 18, 20) })
        {
            var rows = Enumerable.Range(0, k).Select(_ => random.Next(0, 60)).ToArray();
            var source = Enumerable.Range(0, 60 + n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var b = new float[k * n];
            for (var p = 0; p < k; p++)
            {
                source.AsSpan(rows[p], n).CopyTo(b.AsSpan(p * n));
            }

            var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var expected = new float[m * n];
            Gemm.Multiply(a, b, expected, m, k, n, accumulate: false);
            var actual = Enumerable.Repeat(3f, m * n).ToArray();
            Gemm.Multiply(a, source, actual, m, k, n, accumulate: false, rows);
            Assert.Equal(expected, actual);

            // Aᵀ-side: C[m×k] += A[m×n] · Bᵀ with B's k rows of n at the offsets.
            var dA = Enumerable.Range(0, m * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var plain = new float[m * k];
            Gemm.MultiplyTransposedAdd(dA, b, plain, m, n, k);
            var viaRows = new float[m * k];
            Gemm.MultiplyTransposedAdd(dA, source, viaRows, m, n, k, rows);
            Assert.Equal(plain, viaRows);
        }

        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[4], new float[10], new float[16], 1, 1, 16, accumulate: false, [0]));
    }

    [Fact]
    public void Each_convolution_is_the_3x3_convolution_with_zero_padding_plus_its_bias()
    {
        // Sizes whose grids need rounding up (12 → 12·14 = 168 values, read as 176) and do not (6 → 48).
        var shape = new ConvNetShape(
            [new ConvSpec(3, 4, 12, true), new ConvSpec(4, 8, 6, false), new ConvSpec(8, 4, 6, false)],
            Extras: 0,
            Hidden: 3,
            Classes: 2,
            GroupNorm: false);
        var net = new ConvNet(shape, seed: 4);
        var (weights, biases, _, _, _, _, _, _) = shape.Layout();
        var random = new Random(8);
        for (var i = 0; i < net.Parameters.Length; i++)
        {
            net.Parameters[i] += (float)((random.NextDouble() - 0.5) * 0.2);
        }

        var ws = new ConvNet.Workspace(shape);
        for (var i = 0; i < ws.Inputs[0].Length; i++)
        {
            ws.Inputs[0][i] = (float)((random.NextDouble() * 2) - 1);
        }

        net.Forward(ws, []);
        net.Forward(ws, []); // buffers reused: the second pass gives the same

        for (var l = 0; l < shape.Convs.Count; l++)
        {
            var c = shape.Convs[l];
            float In(int ch, int y, int x) => y < 0 || y >= c.Size || x < 0 || x >= c.Size ? 0f : ws.Inputs[l][(ch * c.Pixels) + (y * c.Size) + x];
            for (var o = 0; o < c.Out; o++)
            {
                for (var y = 0; y < c.Size; y++)
                {
                    for (var x = 0; x < c.Size; x++)
                    {
                        double sum = net.Parameters[biases[l] + o];
                        for (var ch = 0; ch < c.In; ch++)
                        {
                            for (var ky = 0; ky < 3; ky++)
                            {
                                for (var kx = 0; kx < 3; kx++)
                                {
                                    sum += net.Parameters[weights[l] + (o * c.PatchLength) + (ch * 9) + (ky * 3) + kx] * In(ch, y + ky - 1, x + kx - 1);
                                }
                            }
                        }

                        Assert.Equal(Math.Max(0, sum), ws.Outputs[l][(o * c.Pixels) + (y * c.Size) + x], tolerance: 1e-4);
                    }
                }
            }
        }
    }

    [Fact]
    public void The_training_draws_are_the_same_in_every_process()
    {
        // Values of the fixed mix (computed independently): a per-process hash here would make
        // the measured accuracies impossible to repeat.
        Assert.Equal(1563115557, CnnTrainer.DrawSeed(42, 3, 7));
        Assert.Equal(1149515205, CnnTrainer.DrawSeed(42, 3, 8));
    }

    [Fact]
    public void With_weight_averaging_the_learning_rate_decays_to_the_averaging_rate_and_stays_there()
    {
        // 8 epochs of 10 steps, the last quarter (2 epochs) averaged at 0.0005: warm-up over the
        // first epoch, cosine from 0.002 down to 0.0005 at the end of epoch 6, then constant.
        var options = new CnnOptions { Epochs = 8, LearningRate = 0.002, SwaShare = 0.25, SwaLearningRate = 0.0005 };
        Assert.Equal(2, CnnTrainer.SwaEpochs(options));
        var rates = Enumerable.Range(1, 80).Select(step => CnnTrainer.LearningRate(options, step, 10, 80)).ToArray();
        Assert.Equal(0.0002, rates[0], 9);
        Assert.Equal(0.002, rates[9], 9);
        for (var i = 10; i < 80; i++)
        {
            Assert.True(rates[i] <= rates[i - 1] + 1e-12, $"step {i + 1}: {rates[i]} after {rates[i - 1]}");
            Assert.True(rates[i] >= 0.0005 - 1e-12, $"step {i + 1}: {rates[i]} below the averaging rate");
        }

        Assert.All(rates[59..], rate => Assert.Equal(0.0005, rate, 9));
        Assert.True(rates[58] > 0.0005);

        // Without averaging the cosine ends at zero, as before.
        var plain = options with { SwaShare = 0 };
        Assert.Equal(0, CnnTrainer.SwaEpochs(plain));
        Assert.Equal(0, CnnTrainer.LearningRate(plain, 80, 10, 80), 9);
        Assert.True(CnnTrainer.LearningRate(plain, 70, 10, 80) < 0.0005);
    }
}
