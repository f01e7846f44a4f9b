using System.Buffers.Binary;
using System.Text;

namespace CoConstruisons.Learning.Cnn;

/// <summary>
/// A trained compact network with the input normalisation it was trained with; predicts class
/// probabilities averaged over the square's symmetries (classes permuted back), so predictions are
/// exactly equivariant like the feature model's.
/// </summary>
internal sealed class CnnModel
{
    /// <summary>One network (the format until stop 19; still written for one).</summary>
    internal const string Magic = "COCNN002";

    /// <summary>Several networks of one shape and normalisation: after the normalisation, their count, then each one's parameters.</summary>
    internal const string MagicMany = "COCNN003";

    /// <summary>At most this many networks in one file.</summary>
    internal const int MaxNetworks = 16;

    /// <summary>The first network (all share its shape).</summary>
    public ConvNet Net => Nets[0];

    /// <summary>The networks whose probabilities are averaged (one, or several trained from different seeds).</summary>
    public IReadOnlyList<ConvNet> Nets { get; }

    /// <summary>Per-channel mean and standard deviation of the training pixels (RGB).</summary>
    public float[] Mean { get; }

    public float[] Std { get; }

    public CnnModel(ConvNet net, float[] mean, float[] std)
        : this([net], mean, std)
    {
    }

    public CnnModel(IReadOnlyList<ConvNet> nets, float[] mean, float[] std)
    {
        if (nets.Count is < 1 or > MaxNetworks || nets.Any(n => n.Shape.Layout().Total != nets[0].Shape.Layout().Total))
        {
            throw new ArgumentException($"between 1 and {MaxNetworks} networks of one shape are needed", nameof(nets));
        }

        Nets = nets;
        Mean = mean;
        Std = std;
    }

    /// <summary>Normalised CHW pixels of <paramref name="image"/> under <paramref name="transform"/>, shifted by (dx, dy) with edge clamping, and its scalar inputs.</summary>
    public void Prepare(ImageRaster image, int transform, int dx, int dy, Span<float> chw, Span<float> extras)
    {
        var t = image.Transformed(transform);
        const int s = ImageRaster.Size;
        for (var y = 0; y < s; y++)
        {
            var sy = Math.Clamp(y + dy, 0, s - 1);
            for (var x = 0; x < s; x++)
            {
                var sx = Math.Clamp(x + dx, 0, s - 1);
                for (var c = 0; c < ConvNetShape.Channels; c++)
                {
                    chw[(c * s * s) + (y * s) + x] = (t[sy, sx, c] - Mean[c]) / Std[c];
                }
            }
        }

        Extras(t, extras);
    }

    /// <summary>The image's own shape: log aspect ratio (negated by a quarter turn) and centred log size.</summary>
    public static void Extras(ImageRaster image, Span<float> extras)
    {
        var w = Math.Max(1, image.OriginalWidth);
        var h = Math.Max(1, image.OriginalHeight);
        extras[0] = MathF.Log((float)w / h);
        extras[1] = (0.5f * MathF.Log((float)w * h)) - 4.4f;
    }

    /// <summary>Softmax probabilities (model class order) averaged over <paramref name="transforms"/> and the networks.</summary>
    public float[][] Predict(IReadOnlyList<ImageRaster> images, IReadOnlyList<int> transforms, LabelSymmetry symmetry, int threads, CancellationToken cancellationToken = default)
    {
        var k = Net.Shape.Classes;
        var result = new float[images.Count][];
        var workspaces = new System.Collections.Concurrent.ConcurrentBag<ConvNet.Workspace>();
        Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellationToken }, i =>
        {
            if (!workspaces.TryTake(out var ws))
            {
                ws = new ConvNet.Workspace(Net.Shape);
            }

            Span<float> extras = stackalloc float[Net.Shape.Extras];
            Span<float> probabilities = stackalloc float[k];
            var average = new float[k];
            var share = 1f / (transforms.Count * Nets.Count);
            foreach (var transform in transforms)
            {
                Prepare(images[i], transform, 0, 0, ws.Inputs[0], extras);
                foreach (var net in Nets)
                {
                    net.Forward(ws, extras);
                    Softmax(ws.Logits, probabilities);
                    for (var c = 0; c < k; c++)
                    {
                        average[symmetry.Map(c, transform)] += probabilities[c] * share;
                    }
                }
            }

            result[i] = average;
            workspaces.Add(ws);
        });
        return result;
    }

    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        var max = float.NegativeInfinity;
        foreach (var v in logits)
        {
            max = Math.Max(max, v);
        }

        var sum = 0f;
        for (var i = 0; i < logits.Length; i++)
        {
            probabilities[i] = MathF.Exp(logits[i] - max);
            sum += probabilities[i];
        }

        for (var i = 0; i < logits.Length; i++)
        {
            probabilities[i] /= sum;
        }
    }

    /// <summary>Little-endian binary: magic, shape, normalisation, parameters (several networks: their count, then each one's).</summary>
    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Encoding.ASCII.GetBytes(Nets.Count == 1 ? Magic : MagicMany));
        var shape = Net.Shape;
        writer.Write(shape.Convs.Count);
        foreach (var c in shape.Convs)
        {
            writer.Write(c.In);
            writer.Write(c.Out);
            writer.Write(c.Size);
            writer.Write(c.PoolAfter);
        }

        writer.Write(shape.Extras);
        writer.Write(shape.Hidden);
        writer.Write(shape.Classes);
        writer.Write(shape.GroupNorm);
        foreach (var v in Mean.Concat(Std))
        {
            writer.Write(v);
        }

        if (Nets.Count > 1)
        {
            writer.Write(Nets.Count);
        }

        foreach (var net in Nets)
        {
            writer.Write(net.Parameters.Length);
            var bytes = new byte[net.Parameters.Length * sizeof(float)];
            for (var i = 0; i < net.Parameters.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), net.Parameters[i]);
            }

            writer.Write(bytes);
        }
    }

    /// <exception cref="InvalidDataException">The stream is not a network this build can read.</exception>
    public static CnnModel Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var magic = Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length));
            if (magic != Magic && magic != MagicMany)
            {
                throw new InvalidDataException(Messages.T("ce n'est pas un fichier de réseau Co-construisons (en-tête incorrect)", "not a Co-construisons network file (wrong header)"));
            }

            var count = reader.ReadInt32();
            if (count is < 1 or > 64)
            {
                throw new InvalidDataException(Messages.T($"nombre de convolutions invraisemblable ({count})", $"implausible number of convolutions ({count})"));
            }

            var convs = new List<ConvSpec>();
            for (var i = 0; i < count; i++)
            {
                convs.Add(new ConvSpec(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadBoolean()));
            }

            var shape = new ConvNetShape(convs, reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadBoolean());
            shape.Validate();
            var mean = new float[ConvNetShape.Channels];
            var std = new float[ConvNetShape.Channels];
            for (var c = 0; c < mean.Length; c++)
            {
                mean[c] = reader.ReadSingle();
            }

            for (var c = 0; c < std.Length; c++)
            {
                std[c] = reader.ReadSingle();
            }

            var networks = magic == Magic ? 1 : reader.ReadInt32();
            if (networks < 1 || networks > MaxNetworks || (magic == MagicMany && networks == 1))
            {
                throw new InvalidDataException(Messages.T($"nombre de réseaux invraisemblable ({networks})", $"implausible number of networks ({networks})"));
            }

            var nets = new List<ConvNet>();
            for (var n = 0; n < networks; n++)
            {
                var length = reader.ReadInt32();
                if (length != shape.Layout().Total)
                {
                    throw new InvalidDataException(Messages.T(
                        $"le fichier contient {length} paramètres ; sa forme en demande {shape.Layout().Total}",
                        $"the file holds {length} parameters; its shape needs {shape.Layout().Total}"));
                }

                var bytes = reader.ReadBytes(length * sizeof(float));
                if (bytes.Length != length * sizeof(float))
                {
                    throw new InvalidDataException(Messages.T("le bloc de paramètres est tronqué", "the parameter block is truncated"));
                }

                var parameters = new float[length];
                for (var i = 0; i < length; i++)
                {
                    parameters[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
                    if (!float.IsFinite(parameters[i]))
                    {
                        throw new InvalidDataException(Messages.T("les paramètres contiennent une valeur non finie", "the parameters contain a non-finite value"));
                    }
                }

                nets.Add(new ConvNet(shape, parameters));
            }

            if (stream.ReadByte() != -1)
            {
                throw new InvalidDataException(Messages.T("le bloc de paramètres est suivi d'octets en trop", "the parameter block is followed by extra bytes"));
            }

            return new CnnModel(nets, mean, std);
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException(Messages.T($"fichier de réseau tronqué ou invalide ({ex.Message})", $"truncated or invalid network file ({ex.Message})"), ex);
        }
    }
}
