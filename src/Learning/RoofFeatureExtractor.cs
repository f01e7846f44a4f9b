namespace CoConstruisons.Learning;

/// <summary>
/// Hand-crafted features for roof orientation on a 48×48 resampled image: geometry (own width,
/// height, aspect), colour statistics, small thumbnails, multi-scale gradient energy (horizontal vs
/// vertical), orientation histograms, structure tensor, HOG cells, row/column profiles (a ridge is
/// a step or a line across rows or columns) and mirror symmetries. The model learns the rest;
/// rotation invariance comes from training on the 8 square symmetries with labels permuted.
/// Changing anything here changes <see cref="Version"/> (a saved model refuses other versions).
/// </summary>
public static class RoofFeatureExtractor
{
    public const string Version = "roof-features-v2";

    private const int S = ImageRaster.Size;
    private const int Bins = 8;

    public static int Length { get; } = Extract(new ImageRaster(new float[S * S * 3], 1, 1)).Length;

    public static float[] Extract(ImageRaster image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var f = new List<float>(640);
        var gray = new float[S * S];
        for (var y = 0; y < S; y++)
        {
            for (var x = 0; x < S; x++)
            {
                gray[(y * S) + x] = (0.299f * image[y, x, 0]) + (0.587f * image[y, x, 1]) + (0.114f * image[y, x, 2]);
            }
        }

        // Geometry.
        var w = (float)image.OriginalWidth;
        var h = (float)image.OriginalHeight;
        f.Add(MathF.Log(w / h));
        f.Add(MathF.Log(w * h));
        f.Add(w);
        f.Add(h);

        // Colour statistics, whole image and centre.
        ColourStats(image, 0, S, f);
        ColourStats(image, S / 4, 3 * S / 4, f);

        // Thumbnails: normalised grey 8×8 and raw colour 4×4.
        var g8 = Pool(gray, S, 8);
        Standardise(g8);
        f.AddRange(g8);
        var g16 = Pool(gray, S, 16);
        Standardise(g16);
        f.AddRange(g16);
        for (var c = 0; c < 3; c++)
        {
            var channel = new float[S * S];
            for (var i = 0; i < S * S; i++)
            {
                channel[i] = image[i / S, i % S, c];
            }

            f.AddRange(Pool(channel, S, 4));
        }

        // Multi-scale gradients.
        var level = gray;
        var size = S;
        for (var scale = 0; scale < 3; scale++)
        {
            var (gx, gy) = Sobel(level, size);
            GradientStats(gx, gy, size, 1, size - 1, f);
            if (scale == 0)
            {
                GradientStats(gx, gy, size, size / 4, 3 * size / 4, f);
                Hog(gx, gy, size, 4, f);
                Profiles(level, gx, gy, size, f);
                Symmetry(gx, gy, size, f);
            }

            level = Pool(level, size, size / 2);
            size /= 2;
        }

        return [.. f];
    }

    private static void ColourStats(ImageRaster image, int from, int to, List<float> f)
    {
        var n = (to - from) * (to - from);
        Span<double> sum = stackalloc double[4];
        Span<double> sq = stackalloc double[4];
        sum.Clear();
        sq.Clear();
        for (var y = from; y < to; y++)
        {
            for (var x = from; x < to; x++)
            {
                var r = image[y, x, 0];
                var g = image[y, x, 1];
                var b = image[y, x, 2];
                var sat = MathF.Max(r, MathF.Max(g, b)) - MathF.Min(r, MathF.Min(g, b));
                sum[0] += r; sum[1] += g; sum[2] += b; sum[3] += sat;
                sq[0] += r * r; sq[1] += g * g; sq[2] += b * b; sq[3] += sat * sat;
            }
        }

        for (var c = 0; c < 4; c++)
        {
            var mean = sum[c] / n;
            f.Add((float)mean);
            f.Add((float)Math.Sqrt(Math.Max(0, (sq[c] / n) - (mean * mean))));
        }
    }

    private static float[] Pool(float[] source, int size, int target)
    {
        var result = new float[target * target];
        var step = size / target;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                result[(y / step * target) + (x / step)] += source[(y * size) + x];
            }
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] /= step * step;
        }

        return result;
    }

    private static void Standardise(float[] values)
    {
        var mean = values.Average();
        var sd = MathF.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()) + 1e-3f;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (values[i] - mean) / sd;
        }
    }

    private static (float[] Gx, float[] Gy) Sobel(float[] g, int size)
    {
        var gx = new float[size * size];
        var gy = new float[size * size];
        for (var y = 1; y < size - 1; y++)
        {
            for (var x = 1; x < size - 1; x++)
            {
                float P(int dy, int dx) => g[((y + dy) * size) + x + dx];
                gx[(y * size) + x] = P(-1, 1) + (2 * P(0, 1)) + P(1, 1) - P(-1, -1) - (2 * P(0, -1)) - P(1, -1);
                gy[(y * size) + x] = P(1, -1) + (2 * P(1, 0)) + P(1, 1) - P(-1, -1) - (2 * P(-1, 0)) - P(-1, 1);
            }
        }

        return (gx, gy);
    }

    /// <summary>Unsigned orientation bin of a gradient (0..Bins-1), 0 = horizontal gradient.</summary>
    private static int Bin(float gx, float gy)
    {
        var angle = MathF.Atan2(gy, gx);
        if (angle < 0)
        {
            angle += MathF.PI;
        }

        var bin = (int)(angle / MathF.PI * Bins);
        return Math.Min(bin, Bins - 1);
    }

    private static void GradientStats(float[] gx, float[] gy, int size, int from, int to, List<float> f)
    {
        double exx = 0, eyy = 0, exy = 0, mag = 0;
        var hist = new double[Bins];
        for (var y = Math.Max(1, from); y < Math.Min(size - 1, to); y++)
        {
            for (var x = Math.Max(1, from); x < Math.Min(size - 1, to); x++)
            {
                var a = gx[(y * size) + x];
                var b = gy[(y * size) + x];
                exx += a * a;
                eyy += b * b;
                exy += a * b;
                var m = MathF.Sqrt((a * a) + (b * b));
                mag += m;
                hist[Bin(a, b)] += m;
            }
        }

        var n = Math.Max(1, (to - from) * (to - from));
        f.Add((float)(exx / n));
        f.Add((float)(eyy / n));
        f.Add((float)Math.Log((exx + 1e-6) / (eyy + 1e-6)));
        f.Add((float)(mag / n));

        // Structure tensor: coherence and dominant orientation (doubled angle).
        var diff = exx - eyy;
        var root = Math.Sqrt((diff * diff) + (4 * exy * exy));
        f.Add((float)(root / (exx + eyy + 1e-6)));
        var theta = Math.Atan2(2 * exy, diff);
        f.Add((float)Math.Cos(theta));
        f.Add((float)Math.Sin(theta));

        for (var i = 0; i < Bins; i++)
        {
            f.Add((float)(hist[i] / (mag + 1e-6)));
        }
    }

    private static void Hog(float[] gx, float[] gy, int size, int cells, List<float> f)
    {
        var hist = new double[cells * cells * Bins];
        var cell = size / cells;
        for (var y = 1; y < size - 1; y++)
        {
            for (var x = 1; x < size - 1; x++)
            {
                var a = gx[(y * size) + x];
                var b = gy[(y * size) + x];
                var m = MathF.Sqrt((a * a) + (b * b));
                hist[((((y / cell) * cells) + (x / cell)) * Bins) + Bin(a, b)] += m;
            }
        }

        for (var c = 0; c < cells * cells; c++)
        {
            double norm = 1e-6;
            for (var i = 0; i < Bins; i++)
            {
                norm += hist[(c * Bins) + i] * hist[(c * Bins) + i];
            }

            norm = Math.Sqrt(norm);
            for (var i = 0; i < Bins; i++)
            {
                f.Add((float)(hist[(c * Bins) + i] / norm));
            }
        }
    }

    /// <summary>
    /// Row and column profiles (12 bands each) of brightness and of the gradient across them: a
    /// north–south ridge is horizontal, so brightness steps and |gy| peaks along rows.
    /// </summary>
    private static void Profiles(float[] g, float[] gx, float[] gy, int size, List<float> f)
    {
        const int bands = 12;
        var band = size / bands;
        var rows = new float[bands];
        var cols = new float[bands];
        var rowEdge = new float[bands];
        var colEdge = new float[bands];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var i = (y * size) + x;
                rows[y / band] += g[i];
                cols[x / band] += g[i];
                rowEdge[y / band] += MathF.Abs(gy[i]);
                colEdge[x / band] += MathF.Abs(gx[i]);
            }
        }

        foreach (var profile in new[] { rows, cols, rowEdge, colEdge })
        {
            var total = profile.Sum() + 1e-6f;
            var mean = total / bands;
            var sd = MathF.Sqrt(profile.Select(v => (v - mean) * (v - mean)).Average());
            f.Add(sd / mean);
            f.AddRange(profile.Select(v => v / total * bands));

            // Strongest step between the two sides of a cut (central cuts only).
            var best = 0f;
            for (var cut = 3; cut <= bands - 3; cut++)
            {
                var before = profile.Take(cut).Average();
                var after = profile.Skip(cut).Average();
                best = MathF.Max(best, MathF.Abs(before - after) / mean);
            }

            f.Add(best);
        }
    }

    /// <summary>How alike the gradient-magnitude map is to its up–down and left–right mirrors.</summary>
    private static void Symmetry(float[] gx, float[] gy, int size, List<float> f)
    {
        var m = new float[size * size];
        for (var i = 0; i < m.Length; i++)
        {
            m[i] = MathF.Sqrt((gx[i] * gx[i]) + (gy[i] * gy[i]));
        }

        var mean = m.Average();
        double self = 1e-6, upDown = 0, leftRight = 0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var v = m[(y * size) + x] - mean;
                self += v * v;
                upDown += v * (m[((size - 1 - y) * size) + x] - mean);
                leftRight += v * (m[(y * size) + size - 1 - x] - mean);
            }
        }

        f.Add((float)(upDown / self));
        f.Add((float)(leftRight / self));
    }
}
