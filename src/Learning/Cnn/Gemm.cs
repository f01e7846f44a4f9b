using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CoConstruisons.Learning.Cnn;

/// <summary>
/// The two small dense products a convolution needs, on row-major spans, vectorised with
/// <see cref="Vector256{T}"/> (8 floats; a scalar path handles the edges and machines without it).
/// The second operand's rows may be given as offsets into one span instead of being stored one after
/// the other: a 3×3 convolution then reads its patches as shifted views of a zero-bordered image
/// (<see cref="ConvNet"/>), with no im2col copy.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// C[m×n] = (accumulate ? C : 0) + A[m×k] · B, where row p of B is <c>b[rows[p] .. rows[p] + n)</c>,
    /// or <c>b[p·n .. (p + 1)·n)</c> (a plain row-major k×n matrix) when <paramref name="rows"/> is empty.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate, ReadOnlySpan<int> rows = default)
    {
        rows = rows.IsEmpty ? PlainRows(k, n) : rows;
        if (a.Length < m * k || c.Length < m * n || rows.Length < k || !RowsFit(rows[..k], n, b.Length))
        {
            throw new ArgumentException("Matrix spans are smaller than their dimensions.");
        }

        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rc = ref MemoryMarshal.GetReference(c);
        ref var rr = ref MemoryMarshal.GetReference(rows);
        var vectorised = Vector256.IsHardwareAccelerated ? n - (n % 16) : 0;

        // Column strips of 16 outer, rows inner: a strip of B (k × 16) stays in L1 for every row.
        for (var j = 0; j < vectorised; j += 16)
        {
            var i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Kernel4x16(ref ra, ref rb, ref rr, ref rc, i, j, k, n, accumulate);
            }

            for (; i < m; i++)
            {
                Kernel1x16(ref ra, ref rb, ref rr, ref rc, i, j, k, n, accumulate);
            }
        }

        for (var i = 0; i < m; i++)
        {
            for (var j = vectorised; j < n; j++)
            {
                var sum = 0f;
                for (var p = 0; p < k; p++)
                {
                    sum += Unsafe.Add(ref ra, (i * k) + p) * Unsafe.Add(ref rb, Unsafe.Add(ref rr, p) + j);
                }

                ref var target = ref Unsafe.Add(ref rc, (i * n) + j);
                target = accumulate ? target + sum : sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel4x16(ref float a, ref float b, ref int rows, ref float c, int i, int j, int k, int n, bool accumulate)
    {
        ref var c0 = ref Unsafe.Add(ref c, (i * n) + j);
        ref var c1 = ref Unsafe.Add(ref c0, n);
        ref var c2 = ref Unsafe.Add(ref c1, n);
        ref var c3 = ref Unsafe.Add(ref c2, n);
        var s00 = Vector256<float>.Zero;
        var s01 = Vector256<float>.Zero;
        var s10 = Vector256<float>.Zero;
        var s11 = Vector256<float>.Zero;
        var s20 = Vector256<float>.Zero;
        var s21 = Vector256<float>.Zero;
        var s30 = Vector256<float>.Zero;
        var s31 = Vector256<float>.Zero;
        if (accumulate)
        {
            s00 = Vector256.LoadUnsafe(ref c0);
            s01 = Vector256.LoadUnsafe(ref c0, 8);
            s10 = Vector256.LoadUnsafe(ref c1);
            s11 = Vector256.LoadUnsafe(ref c1, 8);
            s20 = Vector256.LoadUnsafe(ref c2);
            s21 = Vector256.LoadUnsafe(ref c2, 8);
            s30 = Vector256.LoadUnsafe(ref c3);
            s31 = Vector256.LoadUnsafe(ref c3, 8);
        }

        ref var a0 = ref Unsafe.Add(ref a, i * k);
        ref var a1 = ref Unsafe.Add(ref a0, k);
        ref var a2 = ref Unsafe.Add(ref a1, k);
        ref var a3 = ref Unsafe.Add(ref a2, k);
        ref var bj = ref Unsafe.Add(ref b, j);
        for (var p = 0; p < k; p++)
        {
            ref var bp = ref Unsafe.Add(ref bj, Unsafe.Add(ref rows, p));
            var b0 = Vector256.LoadUnsafe(ref bp);
            var b1 = Vector256.LoadUnsafe(ref bp, 8);
            var x0 = Vector256.Create(Unsafe.Add(ref a0, p));
            var x1 = Vector256.Create(Unsafe.Add(ref a1, p));
            var x2 = Vector256.Create(Unsafe.Add(ref a2, p));
            var x3 = Vector256.Create(Unsafe.Add(ref a3, p));
            s00 = Vector256.FusedMultiplyAdd(x0, b0, s00);
            s01 = Vector256.FusedMultiplyAdd(x0, b1, s01);
            s10 = Vector256.FusedMultiplyAdd(x1, b0, s10);
            s11 = Vector256.FusedMultiplyAdd(x1, b1, s11);
            s20 = Vector256.FusedMultiplyAdd(x2, b0, s20);
            s21 = Vector256.FusedMultiplyAdd(x2, b1, s21);
            s30 = Vector256.FusedMultiplyAdd(x3, b0, s30);
            s31 = Vector256.FusedMultiplyAdd(x3, b1, s31);
        }

        s00.StoreUnsafe(ref c0);
        s01.StoreUnsafe(ref c0, 8);
        s10.StoreUnsafe(ref c1);
        s11.StoreUnsafe(ref c1, 8);
        s20.StoreUnsafe(ref c2);
        s21.StoreUnsafe(ref c2, 8);
        s30.StoreUnsafe(ref c3);
        s31.StoreUnsafe(ref c3, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel1x16(ref float a, ref float b, ref int rows, ref float c, int i, int j, int k, int n, bool accumulate)
    {
        ref var c0 = ref Unsafe.Add(ref c, (i * n) + j);
        var s0 = accumulate ? Vector256.LoadUnsafe(ref c0) : Vector256<float>.Zero;
        var s1 = accumulate ? Vector256.LoadUnsafe(ref c0, 8) : Vector256<float>.Zero;
        ref var a0 = ref Unsafe.Add(ref a, i * k);
        ref var bj = ref Unsafe.Add(ref b, j);
        for (var p = 0; p < k; p++)
        {
            ref var bp = ref Unsafe.Add(ref bj, Unsafe.Add(ref rows, p));
            var x = Vector256.Create(Unsafe.Add(ref a0, p));
            s0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bp), s0);
            s1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 8), s1);
        }

        s0.StoreUnsafe(ref c0);
        s1.StoreUnsafe(ref c0, 8);
    }

    /// <summary>
    /// C[m×n] += A[m×k] · Bᵀ (row-by-row dot products; used for weight gradients), where row j of the
    /// n×k matrix B is <c>b[rows[j] .. rows[j] + k)</c>, or <c>b[j·k .. (j + 1)·k)</c> when <paramref name="rows"/> is empty.
    /// </summary>
    public static void MultiplyTransposedAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, ReadOnlySpan<int> rows = default)
    {
        rows = rows.IsEmpty ? PlainRows(n, k) : rows;
        if (a.Length < m * k || c.Length < m * n || rows.Length < n || !RowsFit(rows[..n], k, b.Length))
        {
            throw new ArgumentException("Matrix spans are smaller than their dimensions.");
        }

        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rc = ref MemoryMarshal.GetReference(c);
        var vectorised = Vector256.IsHardwareAccelerated ? k - (k % 8) : 0;
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var j = 0;
            for (; j + 2 <= n; j += 2)
            {
                Dot4x2(ref ra, ref Unsafe.Add(ref rb, rows[j]), ref Unsafe.Add(ref rb, rows[j + 1]), ref rc, i, j, k, n, vectorised);
            }

            for (; j < n; j++)
            {
                for (var r = 0; r < 4; r++)
                {
                    Unsafe.Add(ref rc, ((i + r) * n) + j) += Dot(ref Unsafe.Add(ref ra, (i + r) * k), ref Unsafe.Add(ref rb, rows[j]), k, vectorised);
                }
            }
        }

        for (; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Unsafe.Add(ref rc, (i * n) + j) += Dot(ref Unsafe.Add(ref ra, i * k), ref Unsafe.Add(ref rb, rows[j]), k, vectorised);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4x2(ref float a, ref float b0, ref float b1, ref float c, int i, int j, int k, int n, int vectorised)
    {
        ref var a0 = ref Unsafe.Add(ref a, i * k);
        ref var a1 = ref Unsafe.Add(ref a0, k);
        ref var a2 = ref Unsafe.Add(ref a1, k);
        ref var a3 = ref Unsafe.Add(ref a2, k);
        var s00 = Vector256<float>.Zero;
        var s01 = Vector256<float>.Zero;
        var s10 = Vector256<float>.Zero;
        var s11 = Vector256<float>.Zero;
        var s20 = Vector256<float>.Zero;
        var s21 = Vector256<float>.Zero;
        var s30 = Vector256<float>.Zero;
        var s31 = Vector256<float>.Zero;
        for (var p = 0; p < vectorised; p += 8)
        {
            var y0 = Vector256.LoadUnsafe(ref b0, (nuint)p);
            var y1 = Vector256.LoadUnsafe(ref b1, (nuint)p);
            var x0 = Vector256.LoadUnsafe(ref a0, (nuint)p);
            var x1 = Vector256.LoadUnsafe(ref a1, (nuint)p);
            var x2 = Vector256.LoadUnsafe(ref a2, (nuint)p);
            var x3 = Vector256.LoadUnsafe(ref a3, (nuint)p);
            s00 = Vector256.FusedMultiplyAdd(x0, y0, s00);
            s01 = Vector256.FusedMultiplyAdd(x0, y1, s01);
            s10 = Vector256.FusedMultiplyAdd(x1, y0, s10);
            s11 = Vector256.FusedMultiplyAdd(x1, y1, s11);
            s20 = Vector256.FusedMultiplyAdd(x2, y0, s20);
            s21 = Vector256.FusedMultiplyAdd(x2, y1, s21);
            s30 = Vector256.FusedMultiplyAdd(x3, y0, s30);
            s31 = Vector256.FusedMultiplyAdd(x3, y1, s31);
        }

        var t00 = Vector256.Sum(s00);
        var t01 = Vector256.Sum(s01);
        var t10 = Vector256.Sum(s10);
        var t11 = Vector256.Sum(s11);
        var t20 = Vector256.Sum(s20);
        var t21 = Vector256.Sum(s21);
        var t30 = Vector256.Sum(s30);
        var t31 = Vector256.Sum(s31);
        for (var p = vectorised; p < k; p++)
        {
            var y0 = Unsafe.Add(ref b0, p);
            var y1 = Unsafe.Add(ref b1, p);
            t00 += Unsafe.Add(ref a0, p) * y0;
            t01 += Unsafe.Add(ref a0, p) * y1;
            t10 += Unsafe.Add(ref a1, p) * y0;
            t11 += Unsafe.Add(ref a1, p) * y1;
            t20 += Unsafe.Add(ref a2, p) * y0;
            t21 += Unsafe.Add(ref a2, p) * y1;
            t30 += Unsafe.Add(ref a3, p) * y0;
            t31 += Unsafe.Add(ref a3, p) * y1;
        }

        ref var c0 = ref Unsafe.Add(ref c, (i * n) + j);
        c0 += t00;
        Unsafe.Add(ref c0, 1) += t01;
        Unsafe.Add(ref c0, n) += t10;
        Unsafe.Add(ref c0, n + 1) += t11;
        Unsafe.Add(ref c0, 2 * n) += t20;
        Unsafe.Add(ref c0, (2 * n) + 1) += t21;
        Unsafe.Add(ref c0, 3 * n) += t30;
        Unsafe.Add(ref c0, (3 * n) + 1) += t31;
    }

    private static float Dot(ref float x, ref float y, int k, int vectorised)
    {
        var s = Vector256<float>.Zero;
        for (var p = 0; p < vectorised; p += 8)
        {
            s = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)p), Vector256.LoadUnsafe(ref y, (nuint)p), s);
        }

        var total = vectorised > 0 ? Vector256.Sum(s) : 0f;
        for (var p = vectorised; p < k; p++)
        {
            total += Unsafe.Add(ref x, p) * Unsafe.Add(ref y, p);
        }

        return total;
    }

    /// <summary>The row offsets of a plain row-major matrix of <paramref name="count"/> rows of <paramref name="length"/>.</summary>
    private static int[] PlainRows(int count, int length)
    {
        var rows = new int[count];
        for (var p = 0; p < count; p++)
        {
            rows[p] = p * length;
        }

        return rows;
    }

    /// <summary>Whether every row of <paramref name="length"/> values starting at an offset lies inside a span of <paramref name="available"/>.</summary>
    private static bool RowsFit(ReadOnlySpan<int> rows, int length, int available)
    {
        foreach (var offset in rows)
        {
            if (offset < 0 || offset > available - length)
            {
                return false;
            }
        }

        return true;
    }
}
