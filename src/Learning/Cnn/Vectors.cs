using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CoConstruisons.Learning.Cnn;

/// <summary>
/// The element-wise passes of the network (ReLU, its gradient mask, sums, the normalisation's
/// affine maps, the im2col adjoint's row sums) with <see cref="Vector256{T}"/>, 8 floats at a time,
/// and a scalar tail. Each one is a fixed order of operations, so results repeat exactly run to run.
/// </summary>
internal static class Vectors
{
    private static int VectorEnd(int length) => Vector256.IsHardwareAccelerated ? length - (length % 8) : 0;

    /// <summary>values ← max(values, 0).</summary>
    public static void Relu(Span<float> values)
    {
        ref var r = ref MemoryMarshal.GetReference(values);
        var end = VectorEnd(values.Length);
        var i = 0;
        for (; i < end; i += 8)
        {
            Vector256.Max(Vector256.LoadUnsafe(ref r, (nuint)i), Vector256<float>.Zero).StoreUnsafe(ref r, (nuint)i);
        }

        for (; i < values.Length; i++)
        {
            if (values[i] < 0)
            {
                values[i] = 0;
            }
        }
    }

    /// <summary>gradient ← 0 wherever output ≤ 0 (the ReLU's backward pass on its output).</summary>
    public static void MaskByPositive(ReadOnlySpan<float> output, Span<float> gradient)
    {
        ref var o = ref MemoryMarshal.GetReference(output);
        ref var g = ref MemoryMarshal.GetReference(gradient);
        var length = gradient.Length;
        var end = VectorEnd(length);
        var i = 0;
        for (; i < end; i += 8)
        {
            var positive = Vector256.GreaterThan(Vector256.LoadUnsafe(ref o, (nuint)i), Vector256<float>.Zero);
            Vector256.BitwiseAnd(Vector256.LoadUnsafe(ref g, (nuint)i), positive).StoreUnsafe(ref g, (nuint)i);
        }

        for (; i < length; i++)
        {
            if (output[i] <= 0)
            {
                gradient[i] = 0;
            }
        }
    }

    /// <summary>Σ values.</summary>
    public static float Sum(ReadOnlySpan<float> values)
    {
        ref var r = ref MemoryMarshal.GetReference(values);
        var end = VectorEnd(values.Length);
        var s0 = Vector256<float>.Zero;
        var s1 = Vector256<float>.Zero;
        var i = 0;
        for (; i + 16 <= end; i += 16)
        {
            s0 += Vector256.LoadUnsafe(ref r, (nuint)i);
            s1 += Vector256.LoadUnsafe(ref r, (nuint)(i + 8));
        }

        for (; i < end; i += 8)
        {
            s0 += Vector256.LoadUnsafe(ref r, (nuint)i);
        }

        var total = Vector256.Sum(s0 + s1);
        for (; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }

    /// <summary>(Σ values, Σ values²).</summary>
    public static (float Sum, float Squares) SumAndSquares(ReadOnlySpan<float> values)
    {
        ref var r = ref MemoryMarshal.GetReference(values);
        var end = VectorEnd(values.Length);
        var s = Vector256<float>.Zero;
        var q = Vector256<float>.Zero;
        var i = 0;
        for (; i < end; i += 8)
        {
            var v = Vector256.LoadUnsafe(ref r, (nuint)i);
            s += v;
            q = Vector256.FusedMultiplyAdd(v, v, q);
        }

        var sum = Vector256.Sum(s);
        var squares = Vector256.Sum(q);
        for (; i < values.Length; i++)
        {
            sum += values[i];
            squares += values[i] * values[i];
        }

        return (sum, squares);
    }

    /// <summary>normalised ← (z − mean)·inverse; z ← gain·normalised + shift.</summary>
    public static void Normalise(Span<float> z, Span<float> normalised, float mean, float inverse, float gain, float shift)
    {
        ref var rz = ref MemoryMarshal.GetReference(z);
        ref var rn = ref MemoryMarshal.GetReference(normalised);
        var end = VectorEnd(z.Length);
        var vm = Vector256.Create(mean);
        var vi = Vector256.Create(inverse);
        var vg = Vector256.Create(gain);
        var vs = Vector256.Create(shift);
        var i = 0;
        for (; i < end; i += 8)
        {
            var x = (Vector256.LoadUnsafe(ref rz, (nuint)i) - vm) * vi;
            x.StoreUnsafe(ref rn, (nuint)i);
            Vector256.FusedMultiplyAdd(vg, x, vs).StoreUnsafe(ref rz, (nuint)i);
        }

        for (; i < z.Length; i++)
        {
            var x = (z[i] - mean) * inverse;
            normalised[i] = x;
            z[i] = (gain * x) + shift;
        }
    }

    /// <summary>
    /// For one channel of the normalisation's backward pass: d ← gain·d (the gradient at the
    /// normalised values) and returns (Σ dy·x̂, Σ dy, Σ gain·dy, Σ gain·dy·x̂) over the channel.
    /// </summary>
    public static (float DGain, float DShift, float SumD, float SumDx) NormaliseBackwardChannel(Span<float> d, ReadOnlySpan<float> normalised, float gain)
    {
        ref var rd = ref MemoryMarshal.GetReference(d);
        ref var rx = ref MemoryMarshal.GetReference(normalised);
        var end = VectorEnd(d.Length);
        var vg = Vector256.Create(gain);
        var dGain = Vector256<float>.Zero;
        var dShift = Vector256<float>.Zero;
        var i = 0;
        for (; i < end; i += 8)
        {
            var dy = Vector256.LoadUnsafe(ref rd, (nuint)i);
            var x = Vector256.LoadUnsafe(ref rx, (nuint)i);
            dGain = Vector256.FusedMultiplyAdd(dy, x, dGain);
            dShift += dy;
            (dy * vg).StoreUnsafe(ref rd, (nuint)i);
        }

        var g = Vector256.Sum(dGain);
        var s = Vector256.Sum(dShift);
        for (; i < d.Length; i++)
        {
            var dy = d[i];
            g += dy * normalised[i];
            s += dy;
            d[i] = dy * gain;
        }

        // Σ gain·dy = gain·Σ dy and Σ gain·dy·x̂ = gain·Σ dy·x̂.
        return (g, s, gain * s, gain * g);
    }

    /// <summary>d ← (d − meanD − x̂·meanDx)·inverse.</summary>
    public static void NormaliseBackwardGroup(Span<float> d, ReadOnlySpan<float> normalised, float meanD, float meanDx, float inverse)
    {
        ref var rd = ref MemoryMarshal.GetReference(d);
        ref var rx = ref MemoryMarshal.GetReference(normalised);
        var end = VectorEnd(d.Length);
        var vmd = Vector256.Create(meanD);
        var vmx = Vector256.Create(meanDx);
        var vi = Vector256.Create(inverse);
        var i = 0;
        for (; i < end; i += 8)
        {
            var x = Vector256.LoadUnsafe(ref rx, (nuint)i);
            var v = Vector256.LoadUnsafe(ref rd, (nuint)i) - vmd - (x * vmx);
            (v * vi).StoreUnsafe(ref rd, (nuint)i);
        }

        for (; i < d.Length; i++)
        {
            d[i] = (d[i] - meanD - (normalised[i] * meanDx)) * inverse;
        }
    }

    /// <summary>target ← source + value (same lengths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScalar(ReadOnlySpan<float> source, float value, Span<float> target)
    {
        if (target.Length < source.Length)
        {
            throw new ArgumentException("The target is shorter than the source.", nameof(target));
        }

        ref var rs = ref MemoryMarshal.GetReference(source);
        ref var rt = ref MemoryMarshal.GetReference(target);
        var end = VectorEnd(source.Length);
        var v = Vector256.Create(value);
        var i = 0;
        for (; i < end; i += 8)
        {
            (Vector256.LoadUnsafe(ref rs, (nuint)i) + v).StoreUnsafe(ref rt, (nuint)i);
        }

        for (; i < source.Length; i++)
        {
            target[i] = source[i] + value;
        }
    }
}
