namespace CoConstruisons.Learning.Cnn;

public sealed record CnnOptions
{
    public int Epochs { get; init; } = 190;

    public int BatchSize { get; init; } = 32;

    /// <summary>The peak learning rate (after the warm-up); see <see cref="DefaultLearningRate"/>.</summary>
    public double LearningRate { get; init; } = DefaultLearningRate(DefaultOptimizer);

    /// <summary>
    /// AdamW: decoupled weight decay, per step, times the learning rate. SGD: the L2 term added to the
    /// gradient (weight decay as in most SGD recipes).
    /// </summary>
    public double WeightDecay { get; init; } = 0.0005;

    /// <summary>SGD with Nesterov momentum since stop 22 (AdamW before): better on three seeds of OpenSolarMap (docs/model.md).</summary>
    public CnnOptimizer Optimizer { get; init; } = DefaultOptimizer;

    public const CnnOptimizer DefaultOptimizer = CnnOptimizer.Sgd;

    /// <summary>Nesterov momentum of <see cref="CnnOptimizer.Sgd"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>The learning rate measured for each optimizer on OpenSolarMap (docs/model.md).</summary>
    public static double DefaultLearningRate(CnnOptimizer optimizer) => optimizer == CnnOptimizer.Sgd ? 0.03 : 0.002;

    /// <summary>Base width: the three stages have 1×, 2× and 4× this many channels.</summary>
    public int Width { get; init; } = 16;

    /// <summary>
    /// Progressive resizing: the share of the epochs, at the start, trained on images averaged down to
    /// <see cref="LowResolutionSize"/> pixels (about half the arithmetic per image at 32), the rest at full
    /// size. 0 turns it off. The network's parameters do not depend on the input size.
    /// </summary>
    public double LowResolutionShare { get; init; } = 0.5;

    /// <summary>The input size of the first <see cref="LowResolutionShare"/> of the epochs (a multiple of 4, below the full size).</summary>
    public int LowResolutionSize { get; init; } = 32;

    /// <summary>How many epochs, at the start, train at <see cref="LowResolutionSize"/>.</summary>
    public int LowResolutionEpochs => LowResolutionShare <= 0 ? 0 : Math.Clamp((int)Math.Round(Epochs * LowResolutionShare), 0, Epochs);

    /// <summary>Random translation of the training images, in pixels each way (edges clamped).</summary>
    public int Shift { get; init; } = 2;

    public double LabelSmoothing { get; init; } = 0.05;

    /// <summary>
    /// Photometric augmentation (since stop 25): each training image at each epoch gets its brightness
    /// and its contrast (around its own mean colour) scaled by factors drawn uniformly in [1 − j, 1 + j]
    /// and each colour channel by one in [1 − j/4, 1 + j/4], on the raw pixel values (aerial photographs
    /// of one roof differ in light and colour from one survey to another). 0 turns it off.
    /// </summary>
    public double ColourJitter { get; init; } = 0.2;

    /// <summary>
    /// How much of an image's training target comes from the crowd's answers on it (their shares per
    /// class), the rest from its label: 0 = the label alone; images without answers keep their label.
    /// </summary>
    public double VoteWeight { get; init; } = DefaultVoteWeight;

    public const double DefaultVoteWeight = 1;

    public int Threads { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    public int Seed { get; init; } = 42;

    /// <summary>Group normalisation after each convolution.</summary>
    public bool GroupNorm { get; init; } = true;

    /// <summary>
    /// Stochastic weight averaging (Izmailov et al. 2018): the share of the epochs, at the end, over
    /// which the learning rate stays at <see cref="SwaLearningRate"/> and the weights at the end of
    /// each epoch are averaged into the model. 0 turns it off (plain cosine decay to zero).
    /// </summary>
    public double SwaShare { get; init; }

    /// <summary>The constant learning rate of the averaging phase (the cosine decays to it before).</summary>
    public double SwaLearningRate { get; init; } = 0.0005;

    /// <summary>
    /// How many networks are trained, each from its own seed (the first from <see cref="Seed"/>, so
    /// one network is what a single run trains), and averaged at prediction. Each costs a whole training.
    /// </summary>
    public int Networks { get; init; } = 1;

    /// <summary>The most networks one model may hold.</summary>
    public const int MaxNetworks = CnnModel.MaxNetworks;

    /// <summary>The seed of the <paramref name="index"/>-th network (0: <see cref="Seed"/> itself).</summary>
    public int SeedOf(int index) => unchecked(Seed + (index * 1_000_003));

    /// <summary>A share of the epochs (<see cref="LowResolutionShare"/>, <see cref="SwaShare"/>): at least 0 (off) and below 1.</summary>
    public static bool IsEpochShare(double share) => share is >= 0 and < 1;

    /// <summary>A <see cref="LowResolutionSize"/>: a multiple of 4 from 8 pixels to below the full size.</summary>
    public static bool IsLowResolutionSize(int size) => size % 4 == 0 && size is >= 8 and < ImageRaster.Size;

    /// <summary>A <see cref="VoteWeight"/>: from 0 (labels alone) to 1 (the crowd's answer shares alone).</summary>
    public static bool IsVoteWeight(double weight) => weight is >= 0 and <= 1;

    /// <summary>A <see cref="ColourJitter"/>: at least 0 (off) and below 1 (a factor reaching 0 would blank the image).</summary>
    public static bool IsColourJitter(double jitter) => jitter is >= 0 and < 1;

    /// <summary>A <see cref="Momentum"/>: at least 0 and below 1.</summary>
    public static bool IsMomentum(double momentum) => momentum is >= 0 and < 1;
}

public enum CnnOptimizer
{
    /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019).</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with Nesterov momentum and L2 weight decay.</summary>
    Sgd,
}

/// <summary>
/// Trains the compact network with mini-batch AdamW or SGD with momentum, a one-epoch warm-up then cosine decay, on a
/// random symmetry of the square (labels permuted by <see cref="LabelSymmetry"/>) and a small
/// random shift of each image at each epoch. Deterministic for a given seed and thread count.
/// </summary>
internal static class CnnTrainer
{
    public static CnnModel Train(
        IReadOnlyList<(ImageRaster Image, int Label)> train,
        int classes,
        LabelSymmetry symmetry,
        IReadOnlyList<int> transforms,
        CnnOptions options,
        IProgress<(string Stage, int Done, int Total)>? progress,
        CancellationToken cancellationToken,
        IReadOnlyList<float[]?>? voteShares = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Networks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Networks, CnnOptions.MaxNetworks);
        if (voteShares is not null && voteShares.Count != train.Count)
        {
            throw new ArgumentException($"{voteShares.Count} vote shares for {train.Count} training images.", nameof(voteShares));
        }

        if (!CnnOptions.IsVoteWeight(options.VoteWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.VoteWeight, "The vote weight is between 0 (labels alone) and 1 (the crowd's answer shares alone).");
        }

        if (!CnnOptions.IsEpochShare(options.LowResolutionShare))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LowResolutionShare, "The share of low-resolution epochs is at least 0 (off) and below 1.");
        }

        if (options.LowResolutionEpochs > 0 && !CnnOptions.IsLowResolutionSize(options.LowResolutionSize))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LowResolutionSize, $"The low resolution is a multiple of 4 from 8 to {ImageRaster.Size - 4} pixels.");
        }

        if (!CnnOptions.IsColourJitter(options.ColourJitter))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ColourJitter, "The colour jitter is at least 0 (off) and below 1.");
        }

        var (mean, std) = Normalisation(train.Select(t => t.Image).ToList());
        var shape = ConvNetShape.Roof(classes, options.Width, options.GroupNorm);
        var nets = new List<ConvNet>();
        for (var n = 0; n < options.Networks; n++)
        {
            var member = options with { Seed = options.SeedOf(n) };
            nets.Add(TrainOne(train, voteShares, classes, symmetry, transforms, member, new CnnModel(new ConvNet(shape, seed: member.Seed), mean, std), progress, n, options.Networks, cancellationToken));
        }

        return new CnnModel(nets, mean, std);
    }

    /// <summary>Trains <paramref name="model"/>'s network (the <paramref name="index"/>-th of <paramref name="count"/>, for the progress) and returns it.</summary>
    private static ConvNet TrainOne(
        IReadOnlyList<(ImageRaster Image, int Label)> train,
        IReadOnlyList<float[]?>? voteShares,
        int classes,
        LabelSymmetry symmetry,
        IReadOnlyList<int> transforms,
        CnnOptions options,
        CnnModel model,
        IProgress<(string Stage, int Done, int Total)>? progress,
        int index,
        int count,
        CancellationToken cancellationToken)
    {
        var net = model.Net;
        var shape = net.Shape;
        var threads = Math.Max(1, options.Threads);
        var workspaces = Enumerable.Range(0, threads).Select(_ => new ConvNet.Workspace(shape)).ToArray();
        var parameters = net.Parameters;

        // Progressive resizing: the first epochs run a network of the same parameters on smaller inputs.
        var lowEpochs = options.LowResolutionEpochs;
        var small = lowEpochs > 0 ? new ConvNet(ConvNetShape.Roof(classes, options.Width, options.GroupNorm, options.LowResolutionSize), parameters) : null;
        var smallWorkspaces = small is null ? [] : Enumerable.Range(0, threads).Select(_ => new ConvNet.Workspace(small.Shape)).ToArray();
        var fullInputs = small is null ? [] : Enumerable.Range(0, threads).Select(_ => new float[ConvNetShape.Channels * ImageRaster.Size * ImageRaster.Size]).ToArray();
        var taps = small is null ? [] : AreaTaps(ImageRaster.Size, options.LowResolutionSize);
        var m = new float[parameters.Length];
        var v = new float[parameters.Length];
        var gradient = new float[parameters.Length];
        var stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = stepsPerEpoch * options.Epochs;
        var order = Enumerable.Range(0, train.Count).ToArray();
        var shuffle = new Random(options.Seed);
        var step = 0;
        var swaEpochs = SwaEpochs(options);
        var average = swaEpochs > 0 ? new double[parameters.Length] : null;
        var averaged = 0;
        var voteWeight = (float)options.VoteWeight;
        var jitter = (float)options.ColourJitter;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            for (var start = 0; start < train.Count; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = Math.Min(options.BatchSize, train.Count - start);
                var scale = 1f / batch;
                var e = epoch;
                var s0 = start;
                var low = epoch < lowEpochs;
                var active = low ? small! : net;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    var ws = low ? smallWorkspaces[t] : workspaces[t];
                    Array.Clear(ws.Gradients);
                    Span<float> extras = stackalloc float[shape.Extras];
                    Span<float> probabilities = stackalloc float[classes];
                    Span<float> mapped = stackalloc float[classes];
                    Span<float> factors = stackalloc float[2 + ConvNetShape.Channels];
                    for (var b = t; b < batch; b += threads)
                    {
                        var index = order[s0 + b];
                        var random = new Random(DrawSeed(options.Seed, e, index));
                        var transform = transforms[random.Next(transforms.Count)];
                        var dx = options.Shift > 0 ? random.Next(-options.Shift, options.Shift + 1) : 0;
                        var dy = options.Shift > 0 ? random.Next(-options.Shift, options.Shift + 1) : 0;
                        var (image, label) = train[index];
                        var input = low ? fullInputs[t] : ws.Inputs[0];
                        model.Prepare(image, transform, dx, dy, input, extras);
                        if (jitter > 0)
                        {
                            DrawJitter(random, jitter, factors);
                            Jitter(input, model.Mean, model.Std, factors[0], factors[1], factors[2..]);
                        }

                        if (low)
                        {
                            Downsample(fullInputs[t], ws.Inputs[0], ImageRaster.Size, taps);
                        }

                        active.Forward(ws, extras);
                        CnnModel.Softmax(ws.Logits, probabilities);
                        var target = symmetry.Map(label, transform);
                        var smooth = (float)options.LabelSmoothing / classes;
                        var soft = voteWeight > 0 ? voteShares?[index] : null;
                        if (soft is not null)
                        {
                            // The shares follow the image's symmetry like its label (a permutation: every entry is written).
                            for (var c = 0; c < classes; c++)
                            {
                                mapped[symmetry.Map(c, transform)] = soft[c];
                            }
                        }

                        for (var c = 0; c < classes; c++)
                        {
                            var hard = c == target ? 1f : 0f;
                            var goal = soft is null ? hard : ((1f - voteWeight) * hard) + (voteWeight * mapped[c]);
                            probabilities[c] -= (goal * (1f - (float)options.LabelSmoothing)) + smooth;
                        }

                        active.Backward(ws, probabilities, scale);
                    }
                });

                var used = low ? smallWorkspaces : workspaces;
                Array.Copy(used[0].Gradients, gradient, gradient.Length);
                for (var t = 1; t < threads; t++)
                {
                    var g = used[t].Gradients;
                    for (var i = 0; i < gradient.Length; i++)
                    {
                        gradient[i] += g[i];
                    }
                }

                step++;
                var lr = (float)LearningRate(options, step, stepsPerEpoch, totalSteps);
                if (options.Optimizer == CnnOptimizer.Sgd)
                {
                    SgdStep(parameters, gradient, m, lr, (float)options.WeightDecay, (float)options.Momentum);
                }
                else
                {
                    AdamWStep(parameters, gradient, m, v, step, lr, (float)options.WeightDecay);
                }

                if (step % Math.Max(1, totalSteps / 200) == 0 || step == totalSteps)
                {
                    progress?.Report(("network", (index * totalSteps) + step, count * totalSteps));
                }
            }

            if (average is not null && epoch >= options.Epochs - swaEpochs)
            {
                averaged++;
                for (var i = 0; i < parameters.Length; i++)
                {
                    average[i] += (parameters[i] - average[i]) / averaged;
                }
            }
        }

        if (average is not null && averaged > 0)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = (float)average[i];
            }
        }

        return net;
    }

    /// <summary>
    /// The factors of one image's colour jitter, drawn after its symmetry and shift: brightness and
    /// contrast in [1 − j, 1 + j], then one scale per colour channel in [1 − j/4, 1 + j/4].
    /// </summary>
    internal static void DrawJitter(Random random, float jitter, Span<float> factors)
    {
        factors[0] = 1f + (jitter * ((2f * random.NextSingle()) - 1f));
        factors[1] = 1f + (jitter * ((2f * random.NextSingle()) - 1f));
        for (var c = 2; c < factors.Length; c++)
        {
            factors[c] = 1f + (0.25f * jitter * ((2f * random.NextSingle()) - 1f));
        }
    }

    /// <summary>
    /// Changes the normalised CHW planes of one image as if its raw values v (v = z·std + mean) became
    /// colour_c · brightness · (μ_c + contrast · (v − μ_c)), μ_c the image's own mean of channel c.
    /// </summary>
    internal static void Jitter(Span<float> chw, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, float brightness, float contrast, ReadOnlySpan<float> colour)
    {
        var p = chw.Length / ConvNetShape.Channels;
        for (var c = 0; c < ConvNetShape.Channels; c++)
        {
            var plane = chw.Slice(c * p, p);
            var average = 0f;
            foreach (var z in plane)
            {
                average += z;
            }

            average /= p;
            var s = std[c];
            var m = mean[c];
            var k = colour[c] * brightness;
            var rawAverage = (s * average) + m;
            var spread = contrast * s;
            for (var i = 0; i < p; i++)
            {
                var raw = rawAverage + (spread * (plane[i] - average));
                plane[i] = ((k * raw) - m) / s;
            }
        }
    }

    /// <summary>
    /// Averages CHW planes of <paramref name="from"/>² pixels down to <c>taps.Length</c>² (each output
    /// pixel the area-weighted mean of the input pixels it covers; <paramref name="taps"/> from <see cref="AreaTaps"/>).
    /// </summary>
    internal static void Downsample(ReadOnlySpan<float> input, Span<float> output, int from, (int Source, float Weight)[][] taps)
    {
        var to = taps.Length;
        Span<float> rows = stackalloc float[to * from];
        for (var c = 0; c < ConvNetShape.Channels; c++)
        {
            var plane = input.Slice(c * from * from, from * from);

            // Rows first: rows[oy, x] = Σ w · plane[sy, x].
            rows.Clear();
            for (var oy = 0; oy < to; oy++)
            {
                foreach (var (sy, w) in taps[oy])
                {
                    for (var x = 0; x < from; x++)
                    {
                        rows[(oy * from) + x] += w * plane[(sy * from) + x];
                    }
                }
            }

            var target = output.Slice(c * to * to, to * to);
            for (var oy = 0; oy < to; oy++)
            {
                for (var ox = 0; ox < to; ox++)
                {
                    var sum = 0f;
                    foreach (var (sx, w) in taps[ox])
                    {
                        sum += w * rows[(oy * from) + sx];
                    }

                    target[(oy * to) + ox] = sum;
                }
            }
        }
    }

    /// <summary>For each of <paramref name="to"/> output positions, the input positions it covers and their weights (summing to 1).</summary>
    internal static (int Source, float Weight)[][] AreaTaps(int from, int to)
    {
        if (to < 1 || to > from)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, $"Downsampling goes from {from} pixels to between 1 and {from}.");
        }

        var taps = new (int, float)[to][];
        var step = (double)from / to;
        for (var o = 0; o < to; o++)
        {
            var start = o * step;
            var end = (o + 1) * step;
            var list = new List<(int, float)>();
            for (var s = (int)Math.Floor(start); s < end && s < from; s++)
            {
                var overlap = Math.Min(end, s + 1) - Math.Max(start, s);
                if (overlap > 1e-9)
                {
                    list.Add((s, (float)(overlap / step)));
                }
            }

            taps[o] = [.. list];
        }

        return taps;
    }

    /// <summary>One AdamW step (β = 0.9, 0.999; bias-corrected; decoupled decay times the learning rate).</summary>
    internal static void AdamWStep(float[] parameters, float[] gradient, float[] m, float[] v, int step, float lr, float weightDecay)
    {
        const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        var decay = 1f - (lr * weightDecay);
        var correction1 = 1f - MathF.Pow(beta1, step);
        var correction2 = 1f - MathF.Pow(beta2, step);
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradient[i];
            m[i] = (beta1 * m[i]) + ((1 - beta1) * g);
            v[i] = (beta2 * v[i]) + ((1 - beta2) * g * g);
            var update = m[i] / correction1 / (MathF.Sqrt(v[i] / correction2) + epsilon);
            parameters[i] = (parameters[i] * decay) - (lr * update);
        }
    }

    /// <summary>
    /// One SGD step with Nesterov momentum μ and L2 weight decay, as PyTorch writes it
    /// (g ← ∇ + λw; b ← μb + g; w ← w − lr·(g + μb)).
    /// </summary>
    internal static void SgdStep(float[] parameters, float[] gradient, float[] velocity, float lr, float weightDecay, float momentum)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradient[i] + (weightDecay * parameters[i]);
            velocity[i] = (momentum * velocity[i]) + g;
            parameters[i] -= lr * (g + (momentum * velocity[i]));
        }
    }

    /// <summary>
    /// The seed of one image's draws at one epoch: a fixed mix (SplitMix64's finaliser) of the
    /// training seed, the epoch and the image, so runs repeat exactly (HashCode is seeded per process).
    /// </summary>
    internal static int DrawSeed(int seed, int epoch, int index)
    {
        var x = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ (((ulong)(uint)epoch << 32) | (uint)index);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x & int.MaxValue);
    }

    internal static double LearningRate(CnnOptions options, int step, int stepsPerEpoch, int totalSteps)
    {
        if (step <= stepsPerEpoch)
        {
            return options.LearningRate * step / stepsPerEpoch;
        }

        var swaEpochs = SwaEpochs(options);
        var floor = swaEpochs > 0 ? Math.Min(options.SwaLearningRate, options.LearningRate) : 0;
        var annealSteps = totalSteps - (swaEpochs * stepsPerEpoch);
        if (step > annealSteps)
        {
            return floor;
        }

        var progress = (double)(step - stepsPerEpoch) / Math.Max(1, annealSteps - stepsPerEpoch);
        return floor + ((options.LearningRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>How many final epochs are averaged (at least one when averaging is on, never the warm-up).</summary>
    internal static int SwaEpochs(CnnOptions options) =>
        options.SwaShare <= 0 ? 0 : Math.Clamp((int)Math.Round(options.Epochs * options.SwaShare), 1, Math.Max(1, options.Epochs - 2));

    private static (float[] Mean, float[] Std) Normalisation(IReadOnlyList<ImageRaster> images)
    {
        var sum = new double[3];
        var squares = new double[3];
        long n = 0;
        foreach (var image in images)
        {
            for (var y = 0; y < ImageRaster.Size; y++)
            {
                for (var x = 0; x < ImageRaster.Size; x++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var value = image[y, x, c];
                        sum[c] += value;
                        squares[c] += value * value;
                    }
                }
            }

            n += ImageRaster.Size * ImageRaster.Size;
        }

        var mean = new float[3];
        var std = new float[3];
        for (var c = 0; c < 3; c++)
        {
            var mu = n > 0 ? sum[c] / n : 0;
            mean[c] = (float)mu;
            std[c] = (float)Math.Max(1e-3, Math.Sqrt(Math.Max(0, (n > 0 ? squares[c] / n : 0) - (mu * mu))));
        }

        return (mean, std);
    }
}
