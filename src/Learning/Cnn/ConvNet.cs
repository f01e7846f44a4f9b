namespace CoConstruisons.Learning.Cnn;

/// <summary>One 3×3 convolution (padding 1, stride 1) followed by a ReLU and, optionally, a 2×2 max-pool.</summary>
internal sealed record ConvSpec(int In, int Out, int Size, bool PoolAfter)
{
    public int Pixels => Size * Size;

    public int PatchLength => In * 9;

    public int OutSize => PoolAfter ? Size / 2 : Size;

    /// <summary>Width of a row of the zero-bordered image (one pixel of zeros each side).</summary>
    public int PaddedWidth => Size + 2;

    /// <summary>Values of one zero-bordered channel.</summary>
    public int PaddedPixels => PaddedWidth * PaddedWidth;

    /// <summary>
    /// Values of one channel of a product's result: rows of <see cref="PaddedWidth"/> (the last two
    /// columns of each row are not pixels and are ignored), rounded up to 16 for the vector kernel.
    /// </summary>
    public int GridLength => ((Size * PaddedWidth) + 15) / 16 * 16;

    /// <summary>
    /// Length of a zero-bordered buffer of <paramref name="channels"/> channels: the product reads a
    /// whole grid from each patch offset, which runs up to 17 values past the last channel.
    /// </summary>
    public int PaddedLength(int channels) => (channels * PaddedPixels) + 32;
}

/// <summary>
/// The shape of the compact roof network: 3×3 convolutions with ReLU (max-pool after some),
/// global average pooling, concatenation of a few scalar inputs (the image's own aspect and size),
/// one hidden fully connected layer with ReLU, and a linear layer to the class logits.
/// </summary>
internal sealed record ConvNetShape(IReadOnlyList<ConvSpec> Convs, int Extras, int Hidden, int Classes, bool GroupNorm = false)
{
    public const int Channels = 3;

    /// <summary>Channels per group of the group normalisation (Wu &amp; He, 2018) after each convolution.</summary>
    public const int ChannelsPerGroup = 4;

    public static int Groups(int channels) => Math.Max(1, channels / ChannelsPerGroup);

    /// <summary>
    /// The roof network for inputs of <paramref name="size"/>² pixels (a multiple of 4). The parameters
    /// do not depend on the size, so networks of every size can share one parameter vector.
    /// </summary>
    public static ConvNetShape Roof(int classes, int width = 16, bool groupNorm = true, int size = ImageRaster.Size) => new(
        [
            new ConvSpec(Channels, width, size, false),
            new ConvSpec(width, width, size, true),
            new ConvSpec(width, 2 * width, size / 2, false),
            new ConvSpec(2 * width, 2 * width, size / 2, true),
            new ConvSpec(2 * width, 4 * width, size / 4, false),
            new ConvSpec(4 * width, 4 * width, size / 4, false),
        ],
        Extras: 2,
        Hidden: 64,
        Classes: classes,
        GroupNorm: groupNorm);

    public int Pooled => Convs[^1].Out;

    public int FcInput => Pooled + Extras;

    /// <summary>Offsets of each block of parameters in the flat parameter vector.</summary>
    public (int[] ConvWeights, int[] ConvBiases, int[] Gains, int Fc1Weights, int Fc1Biases, int Fc2Weights, int Fc2Biases, int Total) Layout()
    {
        var w = new int[Convs.Count];
        var b = new int[Convs.Count];
        var gains = new int[Convs.Count];
        var offset = 0;
        for (var l = 0; l < Convs.Count; l++)
        {
            w[l] = offset;
            offset += Convs[l].Out * Convs[l].PatchLength;
            b[l] = offset;
            offset += Convs[l].Out;
            gains[l] = offset; // group normalisation: gains then shifts, one each per channel
            offset += GroupNorm ? 2 * Convs[l].Out : 0;
        }

        var fc1W = offset;
        offset += Hidden * FcInput;
        var fc1B = offset;
        offset += Hidden;
        var fc2W = offset;
        offset += Classes * Hidden;
        var fc2B = offset;
        offset += Classes;
        return (w, b, gains, fc1W, fc1B, fc2W, fc2B, offset);
    }

    public void Validate()
    {
        for (var l = 0; l < Convs.Count; l++)
        {
            var c = Convs[l];
            if (c.In <= 0 || c.Out <= 0 || c.Size <= 0 || (c.PoolAfter && c.Size % 2 != 0) || (GroupNorm && c.Out % Groups(c.Out) != 0))
            {
                throw new ArgumentException(Messages.T($"La convolution {l} a une forme invalide ({c}).", $"Convolution {l} has an invalid shape ({c})."));
            }

            if (l > 0 && (Convs[l - 1].Out != c.In || Convs[l - 1].OutSize != c.Size))
            {
                throw new ArgumentException(Messages.T($"La convolution {l} ne correspond pas à la sortie de la convolution {l - 1}.", $"Convolution {l} does not fit the output of convolution {l - 1}."));
            }
        }

        if (Convs.Count == 0 || Convs[0].In != Channels || Hidden <= 0 || Classes < 2 || Extras < 0)
        {
            throw new ArgumentException(Messages.T("Forme de réseau invalide.", "Invalid network shape."));
        }
    }
}

/// <summary>
/// Forward and backward passes of <see cref="ConvNetShape"/> for one image at a time, on buffers
/// owned by one thread (<see cref="Workspace"/>). Parameters live in one flat vector so that the
/// optimiser, the gradient sums and the saved file see a single array.
/// </summary>
internal sealed class ConvNet
{
    private readonly int[] _convW;
    private readonly int[] _convB;
    private readonly int[] _gains;
    private readonly int _fc1W;
    private readonly int _fc1B;
    private readonly int _fc2W;
    private readonly int _fc2B;

    // Where each row of a product starts in a zero-bordered buffer: the forward pass's patches
    // (c·9 + ky·3 + kx → c·P + ky·W + kx) and the input gradient's (o·9 + ky·3 + kx → o·P + (2 − ky)·W + (2 − kx)).
    private readonly int[][] _patchRows;
    private readonly int[][] _gradientRows;

    public ConvNetShape Shape { get; }

    public float[] Parameters { get; }

    public ConvNet(ConvNetShape shape, float[]? parameters = null, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        Shape = shape;
        (_convW, _convB, _gains, _fc1W, _fc1B, _fc2W, _fc2B, var total) = shape.Layout();
        _patchRows = [.. shape.Convs.Select(c => PatchRows(c.In, c, flipped: false))];
        _gradientRows = [.. shape.Convs.Select(c => PatchRows(c.Out, c, flipped: true))];
        if (parameters is not null)
        {
            if (parameters.Length != total)
            {
                throw new ArgumentException($"The network needs {total} parameters; {parameters.Length} were given.", nameof(parameters));
            }

            Parameters = parameters;
            return;
        }

        // He initialisation (ReLU), biases at zero; the output layer starts small.
        Parameters = new float[total];
        var random = new Random(seed);
        for (var l = 0; l < shape.Convs.Count; l++)
        {
            var c = shape.Convs[l];
            Fill(random, Parameters.AsSpan(_convW[l], c.Out * c.PatchLength), MathF.Sqrt(2f / c.PatchLength));
            if (shape.GroupNorm)
            {
                Parameters.AsSpan(_gains[l], c.Out).Fill(1f);
            }
        }

        Fill(random, Parameters.AsSpan(_fc1W, shape.Hidden * shape.FcInput), MathF.Sqrt(2f / shape.FcInput));
        Fill(random, Parameters.AsSpan(_fc2W, shape.Classes * shape.Hidden), 0.1f * MathF.Sqrt(1f / shape.Hidden));
    }

    /// <summary>
    /// The offset, in a zero-bordered buffer of <paramref name="channels"/> channels, of the value that
    /// patch entry (channel, ky, kx) reads for output pixel (0, 0); pixel (y, x) reads it y·W + x further on.
    /// </summary>
    private static int[] PatchRows(int channels, ConvSpec c, bool flipped)
    {
        var rows = new int[channels * 9];
        for (var ch = 0; ch < channels; ch++)
        {
            for (var ky = 0; ky < 3; ky++)
            {
                for (var kx = 0; kx < 3; kx++)
                {
                    var (dy, dx) = flipped ? (2 - ky, 2 - kx) : (ky, kx);
                    rows[(ch * 9) + (ky * 3) + kx] = (ch * c.PaddedPixels) + (dy * c.PaddedWidth) + dx;
                }
            }
        }

        return rows;
    }

    private static void Fill(Random random, Span<float> target, float std)
    {
        for (var i = 0; i < target.Length; i++)
        {
            // Box–Muller.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            target[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)) * std;
        }
    }

    /// <summary>Per-thread activations and gradient buffers.</summary>
    internal sealed class Workspace
    {
        public float[][] Inputs { get; }      // input of each convolution (CHW)

        public float[][] Padded { get; }      // the same with a border of zeros (only the inside is ever written)

        public float[][] Outputs { get; }     // post-ReLU output of each convolution

        public int[][] PoolArgMax { get; }    // where each pooled value came from (index in Outputs)

        public float[][] Normalised { get; }  // group-normalised pre-activations (before gain and shift)

        public float[][] InverseStd { get; }  // 1/σ of each group

        public float[] FcInput { get; }

        public float[] Hidden { get; }

        public float[] Logits { get; }

        public float[] Gradients { get; }

        public float[] DOutput { get; }

        public float[] Grid { get; }              // a product's result, rows of the padded width

        public float[][] DOutputGrid { get; }     // each convolution's output gradient on its grid (the columns past the image stay zero)

        public float[][] DOutputPadded { get; }   // the same with a border of zeros, for the input gradient

        public float[] WeightsByInput { get; }    // a convolution's weights regrouped by input channel

        public float[] DInput { get; }

        public float[] DFcInput { get; }

        public float[] DHidden { get; }

        public Workspace(ConvNetShape shape)
        {
            var n = shape.Convs.Count;
            Inputs = new float[n][];
            Padded = new float[n][];
            DOutputGrid = new float[n][];
            DOutputPadded = new float[n][];
            Outputs = new float[n][];
            PoolArgMax = new int[n][];
            Normalised = new float[n][];
            InverseStd = new float[n][];
            var maxOut = 0;
            var maxGrid = 0;
            var maxIn = 0;
            for (var l = 0; l < n; l++)
            {
                var c = shape.Convs[l];
                Inputs[l] = new float[c.In * c.Pixels];
                Padded[l] = new float[c.PaddedLength(c.In)];
                DOutputGrid[l] = new float[c.Out * c.GridLength];
                DOutputPadded[l] = l > 0 ? new float[c.PaddedLength(c.Out)] : [];
                Outputs[l] = new float[c.Out * c.Pixels];
                PoolArgMax[l] = c.PoolAfter ? new int[c.Out * c.OutSize * c.OutSize] : [];
                Normalised[l] = shape.GroupNorm ? new float[c.Out * c.Pixels] : [];
                InverseStd[l] = shape.GroupNorm ? new float[ConvNetShape.Groups(c.Out)] : [];
                maxOut = Math.Max(maxOut, c.Out * c.Pixels);
                maxGrid = Math.Max(maxGrid, Math.Max(c.In, c.Out) * c.GridLength);
                maxIn = Math.Max(maxIn, c.In * c.Pixels);
            }

            FcInput = new float[shape.FcInput];
            Hidden = new float[shape.Hidden];
            Logits = new float[shape.Classes];
            Gradients = new float[shape.Layout().Total];
            DOutput = new float[maxOut];
            Grid = new float[maxGrid];
            WeightsByInput = new float[shape.Convs.Max(c => c.Out * c.PatchLength)];
            DInput = new float[Math.Max(maxIn, maxOut)];
            DFcInput = new float[shape.FcInput];
            DHidden = new float[shape.Hidden];
        }
    }

    /// <summary>Runs the network on <c>ws.Inputs[0]</c> (normalised CHW) and <paramref name="extras"/>; logits in <c>ws.Logits</c>.</summary>
    public void Forward(Workspace ws, ReadOnlySpan<float> extras)
    {
        var p = Parameters;
        for (var l = 0; l < Shape.Convs.Count; l++)
        {
            var c = Shape.Convs[l];
            Pad(ws.Inputs[l], ws.Padded[l], c.In, c);
            var output = ws.Outputs[l];

            // The product reads each patch entry as a shifted view of the bordered input, then the bias is added.
            Gemm.Multiply(p.AsSpan(_convW[l], c.Out * c.PatchLength), ws.Padded[l], ws.Grid, c.Out, c.PatchLength, c.GridLength, accumulate: false, _patchRows[l]);
            FromGrid(ws.Grid, output, c.Out, c, p.AsSpan(_convB[l], c.Out));
            if (Shape.GroupNorm)
            {
                NormaliseForward(output, ws.Normalised[l], ws.InverseStd[l], p.AsSpan(_gains[l], 2 * c.Out), c);
            }

            Vectors.Relu(output.AsSpan(0, c.Out * c.Pixels));
            var next = l + 1 < Shape.Convs.Count ? ws.Inputs[l + 1] : null;
            if (next is not null)
            {
                if (c.PoolAfter)
                {
                    MaxPool(output, next, ws.PoolArgMax[l], c.Out, c.Size);
                }
                else
                {
                    output.AsSpan(0, c.Out * c.Pixels).CopyTo(next);
                }
            }
        }

        // Global average pooling of the last convolution, then the scalar inputs.
        var last = Shape.Convs[^1];
        var lastOutput = ws.Outputs[^1];
        for (var o = 0; o < last.Out; o++)
        {
            ws.FcInput[o] = Vectors.Sum(lastOutput.AsSpan(o * last.Pixels, last.Pixels)) / last.Pixels;
        }

        extras.CopyTo(ws.FcInput.AsSpan(last.Out));
        Dense(p.AsSpan(_fc1W, Shape.Hidden * Shape.FcInput), p.AsSpan(_fc1B, Shape.Hidden), ws.FcInput, ws.Hidden);
        Vectors.Relu(ws.Hidden);
        Dense(p.AsSpan(_fc2W, Shape.Classes * Shape.Hidden), p.AsSpan(_fc2B, Shape.Classes), ws.Hidden, ws.Logits);
    }

    /// <summary>
    /// Adds to <c>ws.Gradients</c> the gradient of <paramref name="scale"/> × the loss whose
    /// gradient with respect to the logits is <paramref name="dLogits"/>, after a <see cref="Forward"/>.
    /// </summary>
    public void Backward(Workspace ws, ReadOnlySpan<float> dLogits, float scale)
    {
        var p = Parameters;
        var g = ws.Gradients;
        var shape = Shape;

        // Output layer.
        Span<float> dz = stackalloc float[shape.Classes];
        for (var k = 0; k < shape.Classes; k++)
        {
            dz[k] = dLogits[k] * scale;
            g[_fc2B + k] += dz[k];
            for (var h = 0; h < shape.Hidden; h++)
            {
                g[_fc2W + (k * shape.Hidden) + h] += dz[k] * ws.Hidden[h];
            }
        }

        for (var h = 0; h < shape.Hidden; h++)
        {
            var sum = 0f;
            for (var k = 0; k < shape.Classes; k++)
            {
                sum += p[_fc2W + (k * shape.Hidden) + h] * dz[k];
            }

            ws.DHidden[h] = ws.Hidden[h] > 0 ? sum : 0f;
        }

        // Hidden layer.
        Array.Clear(ws.DFcInput);
        for (var h = 0; h < shape.Hidden; h++)
        {
            var d = ws.DHidden[h];
            if (d == 0)
            {
                continue;
            }

            g[_fc1B + h] += d;
            var row = _fc1W + (h * shape.FcInput);
            for (var i = 0; i < shape.FcInput; i++)
            {
                g[row + i] += d * ws.FcInput[i];
                ws.DFcInput[i] += d * p[row + i];
            }
        }

        // Global average pooling → gradient of the last convolution's output.
        var last = shape.Convs[^1];
        var dOut = ws.DOutput;
        for (var o = 0; o < last.Out; o++)
        {
            dOut.AsSpan(o * last.Pixels, last.Pixels).Fill(ws.DFcInput[o] / last.Pixels);
        }

        for (var l = shape.Convs.Count - 1; l >= 0; l--)
        {
            var c = shape.Convs[l];
            var output = ws.Outputs[l];
            var n = c.Out * c.Pixels;

            // ReLU.
            Vectors.MaskByPositive(output.AsSpan(0, n), dOut.AsSpan(0, n));

            if (shape.GroupNorm)
            {
                NormaliseBackward(dOut, ws.Normalised[l], ws.InverseStd[l], p.AsSpan(_gains[l], c.Out), g.AsSpan(_gains[l], 2 * c.Out), c);
            }

            // Bias and weight gradients.
            for (var o = 0; o < c.Out; o++)
            {
                g[_convB[l] + o] += Vectors.Sum(dOut.AsSpan(o * c.Pixels, c.Pixels));
            }

            // Weight gradient: dOut on the grid (zero past the image) against the same shifted views as the forward pass.
            var dGrid = ws.DOutputGrid[l];
            ToGrid(dOut, dGrid, c.Out, c);
            Gemm.MultiplyTransposedAdd(dGrid, ws.Padded[l], g.AsSpan(_convW[l], c.Out * c.PatchLength), c.Out, c.GridLength, c.PatchLength, _patchRows[l]);
            if (l == 0)
            {
                break;
            }

            // Gradient of the input: the convolution of the bordered dOut with the weights turned by half a turn,
            // read as shifted views again (dIn[c, y, x] = Σ W[o, c, ky, kx] · dOut[o, y − ky + 1, x − kx + 1]).
            var dPadded = ws.DOutputPadded[l];
            Pad(dOut, dPadded, c.Out, c);
            var byInput = ws.WeightsByInput.AsSpan(0, c.In * c.Out * 9);
            GroupByInput(p.AsSpan(_convW[l], c.Out * c.PatchLength), byInput, c);
            Gemm.Multiply(byInput, dPadded, ws.Grid, c.In, c.Out * 9, c.GridLength, accumulate: false, _gradientRows[l]);
            var dIn = ws.DInput.AsSpan(0, c.In * c.Pixels);
            FromGrid(ws.Grid, dIn, c.In, c, bias: default);

            // Through the previous layer's pooling (or copy) to its output gradient.
            var previous = shape.Convs[l - 1];
            var dPrev = dOut.AsSpan(0, previous.Out * previous.Pixels);
            if (previous.PoolAfter)
            {
                dPrev.Clear();
                var argMax = ws.PoolArgMax[l - 1];
                for (var i = 0; i < dIn.Length; i++)
                {
                    dPrev[argMax[i]] += dIn[i];
                }
            }
            else
            {
                dIn.CopyTo(dPrev);
            }
        }
    }

    private const float NormEpsilon = 1e-5f;

    /// <summary>Group normalisation in place: z ← gain·(z − μ_g)/σ_g + shift; keeps (z − μ_g)/σ_g and 1/σ_g for the backward pass.</summary>
    private static void NormaliseForward(Span<float> z, Span<float> normalised, Span<float> inverseStd, ReadOnlySpan<float> gainsAndShifts, ConvSpec c)
    {
        var groups = ConvNetShape.Groups(c.Out);
        var perGroup = c.Out / groups;
        var n = perGroup * c.Pixels;
        for (var g = 0; g < groups; g++)
        {
            var (sum, squares) = Vectors.SumAndSquares(z.Slice(g * n, n));
            var mean = (double)sum / n;
            var variance = Math.Max(0, ((double)squares / n) - (mean * mean));
            var inv = (float)(1 / Math.Sqrt(variance + NormEpsilon));
            inverseStd[g] = inv;
            var m = (float)mean;
            for (var ch = 0; ch < perGroup; ch++)
            {
                var channel = (g * perGroup) + ch;
                var gain = gainsAndShifts[channel];
                var shift = gainsAndShifts[c.Out + channel];
                var offset = (g * n) + (ch * c.Pixels);
                Vectors.Normalise(z.Slice(offset, c.Pixels), normalised.Slice(offset, c.Pixels), m, inv, gain, shift);
            }
        }
    }

    /// <summary>Turns the gradient at the normalisation's output into the gradient at its input (in place) and adds the gain and shift gradients.</summary>
    private static void NormaliseBackward(Span<float> d, ReadOnlySpan<float> normalised, ReadOnlySpan<float> inverseStd, ReadOnlySpan<float> gains, Span<float> gradients, ConvSpec c)
    {
        var groups = ConvNetShape.Groups(c.Out);
        var perGroup = c.Out / groups;
        var n = perGroup * c.Pixels;
        for (var g = 0; g < groups; g++)
        {
            // dx̂ = gain·dy; dz = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / σ.
            var sumD = 0.0;
            var sumDx = 0.0;
            for (var ch = 0; ch < perGroup; ch++)
            {
                var channel = (g * perGroup) + ch;
                var offset = (g * n) + (ch * c.Pixels);
                var (dGain, dShift, channelD, channelDx) = Vectors.NormaliseBackwardChannel(d.Slice(offset, c.Pixels), normalised.Slice(offset, c.Pixels), gains[channel]);
                sumD += channelD;
                sumDx += channelDx;
                gradients[channel] += dGain;
                gradients[c.Out + channel] += dShift;
            }

            var meanD = (float)(sumD / n);
            var meanDx = (float)(sumDx / n);
            Vectors.NormaliseBackwardGroup(d.Slice(g * n, n), normalised.Slice(g * n, n), meanD, meanDx, inverseStd[g]);
        }
    }

    private static void Dense(ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> input, Span<float> output)
    {
        for (var o = 0; o < output.Length; o++)
        {
            var row = weights.Slice(o * input.Length, input.Length);
            var sum = biases[o];
            for (var i = 0; i < input.Length; i++)
            {
                sum += row[i] * input[i];
            }

            output[o] = sum;
        }
    }

    /// <summary>Copies CHW planes of <see cref="ConvSpec.Size"/>² into the inside of a zero-bordered buffer (the border is never written).</summary>
    internal static void Pad(ReadOnlySpan<float> planes, Span<float> padded, int channels, ConvSpec c)
    {
        for (var ch = 0; ch < channels; ch++)
        {
            for (var y = 0; y < c.Size; y++)
            {
                planes.Slice((ch * c.Pixels) + (y * c.Size), c.Size).CopyTo(padded[((ch * c.PaddedPixels) + ((y + 1) * c.PaddedWidth) + 1)..]);
            }
        }
    }

    /// <summary>Takes the pixels out of a product's grid (rows of the padded width), adding each channel's bias when given.</summary>
    internal static void FromGrid(ReadOnlySpan<float> grid, Span<float> planes, int channels, ConvSpec c, ReadOnlySpan<float> bias)
    {
        for (var ch = 0; ch < channels; ch++)
        {
            for (var y = 0; y < c.Size; y++)
            {
                var source = grid.Slice((ch * c.GridLength) + (y * c.PaddedWidth), c.Size);
                var target = planes.Slice((ch * c.Pixels) + (y * c.Size), c.Size);
                if (bias.IsEmpty)
                {
                    source.CopyTo(target);
                }
                else
                {
                    Vectors.AddScalar(source, bias[ch], target);
                }
            }
        }
    }

    /// <summary>Puts CHW planes on a grid of rows of the padded width; the columns past the image are never written (they stay zero).</summary>
    internal static void ToGrid(ReadOnlySpan<float> planes, Span<float> grid, int channels, ConvSpec c)
    {
        for (var ch = 0; ch < channels; ch++)
        {
            for (var y = 0; y < c.Size; y++)
            {
                planes.Slice((ch * c.Pixels) + (y * c.Size), c.Size).CopyTo(grid[((ch * c.GridLength) + (y * c.PaddedWidth))..]);
            }
        }
    }

    /// <summary>W[o, c·9 + t] → B[c, o·9 + t]: the weights that reach input channel c, for the input gradient.</summary>
    private static void GroupByInput(ReadOnlySpan<float> weights, Span<float> byInput, ConvSpec c)
    {
        for (var o = 0; o < c.Out; o++)
        {
            for (var ch = 0; ch < c.In; ch++)
            {
                weights.Slice((o * c.PatchLength) + (ch * 9), 9).CopyTo(byInput[((ch * c.Out * 9) + (o * 9))..]);
            }
        }
    }

    private static void MaxPool(ReadOnlySpan<float> input, Span<float> output, Span<int> argMax, int channels, int size)
    {
        var half = size / 2;
        for (var c = 0; c < channels; c++)
        {
            var plane = c * size * size;
            for (var y = 0; y < half; y++)
            {
                for (var x = 0; x < half; x++)
                {
                    var corner = plane + (2 * y * size) + (2 * x);
                    var best = corner;
                    if (input[corner + 1] > input[best])
                    {
                        best = corner + 1;
                    }

                    if (input[corner + size] > input[best])
                    {
                        best = corner + size;
                    }

                    if (input[corner + size + 1] > input[best])
                    {
                        best = corner + size + 1;
                    }

                    var o = (c * half * half) + (y * half) + x;
                    output[o] = input[best];
                    argMax[o] = best;
                }
            }
        }
    }
}
