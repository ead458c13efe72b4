using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace WebRtc.Client.Media;

/// <summary>
/// Converts the pixel layouts cameras, screens and browsers hand out into I420. RGB to YUV uses
/// BT.601 limited range (what WebRTC encoders assume), fixed-point like libyuv; chroma is the
/// average of each 2x2 block.
/// </summary>
public static class I420Converter
{
    /// <summary>Converts NV12 (a Y plane, then one plane of interleaved U,V pairs) into <paramref name="destination"/>.</summary>
    /// <param name="y">Luma plane, at least <paramref name="strideY"/> x height bytes.</param>
    /// <param name="strideY">Bytes between luma rows.</param>
    /// <param name="uv">Interleaved chroma plane, at least <paramref name="strideUv"/> x chroma height bytes.</param>
    /// <param name="strideUv">Bytes between chroma rows.</param>
    /// <param name="destination">Frame whose size defines the conversion.</param>
    public static void Nv12ToI420(ReadOnlySpan<byte> y, int strideY, ReadOnlySpan<byte> uv, int strideUv, VideoFrame destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        int w = destination.Width, h = destination.Height, cw = destination.ChromaWidth, ch = destination.ChromaHeight;
        CheckPlane(y.Length, strideY, w, h, nameof(y));
        CheckPlane(uv.Length, strideUv, cw * 2, ch, nameof(uv));
        Span<byte> dy = destination.Y, du = destination.U, dv = destination.V;
        for (int row = 0; row < h; row++)
        {
            y.Slice(row * strideY, w).CopyTo(dy.Slice(row * destination.StrideY, w));
        }

        for (int row = 0; row < ch; row++)
        {
            Deinterleave(uv.Slice(row * strideUv, cw * 2), du.Slice(row * destination.StrideU, cw), dv.Slice(row * destination.StrideV, cw));
        }
    }

    /// <summary>Converts 32-bit RGBA (bytes R, G, B, A in memory) into <paramref name="destination"/>; alpha is ignored.</summary>
    /// <param name="rgba">Pixels, at least <paramref name="stride"/> x height bytes.</param>
    /// <param name="stride">Bytes between rows.</param>
    /// <param name="destination">Frame whose size defines the conversion.</param>
    public static void RgbaToI420(ReadOnlySpan<byte> rgba, int stride, VideoFrame destination) =>
        Rgb32ToI420(rgba, stride, destination, 0, 2);

    /// <summary>Converts 32-bit BGRA (bytes B, G, R, A in memory; Windows and Chromium's native order) into <paramref name="destination"/>.</summary>
    /// <param name="bgra">Pixels, at least <paramref name="stride"/> x height bytes.</param>
    /// <param name="stride">Bytes between rows.</param>
    /// <param name="destination">Frame whose size defines the conversion.</param>
    public static void BgraToI420(ReadOnlySpan<byte> bgra, int stride, VideoFrame destination) =>
        Rgb32ToI420(bgra, stride, destination, 2, 0);

    private static void CheckPlane(int length, int stride, int rowBytes, int rows, string name)
    {
        if (stride < rowBytes || length < (long)stride * (rows - 1) + rowBytes)
        {
            throw new ArgumentException($"Plane too small: {rows} rows of {rowBytes} bytes with stride {stride} need more than {length} bytes.", name);
        }
    }

    // U,V pairs split into two planes; 16 pairs per step with one byte shuffle when the CPU has one.
    private static void Deinterleave(ReadOnlySpan<byte> uv, Span<byte> u, Span<byte> v)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var evenOdd = Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
            ref byte src = ref MemoryMarshal.GetReference(uv);
            for (; i + 8 <= u.Length; i += 8)
            {
                var split = Vector128.Shuffle(Vector128.LoadUnsafe(ref src, (nuint)(i * 2)), evenOdd).AsUInt64();
                BinaryPrimitives.WriteUInt64LittleEndian(u.Slice(i), split.GetElement(0));
                BinaryPrimitives.WriteUInt64LittleEndian(v.Slice(i), split.GetElement(1));
            }
        }

        for (; i < u.Length; i++)
        {
            u[i] = uv[2 * i];
            v[i] = uv[2 * i + 1];
        }
    }

    private static void Rgb32ToI420(ReadOnlySpan<byte> pixels, int stride, VideoFrame destination, int redIndex, int blueIndex)
    {
        ArgumentNullException.ThrowIfNull(destination);
        int w = destination.Width, h = destination.Height;
        CheckPlane(pixels.Length, stride, w * 4, h, nameof(pixels));
        Span<byte> dy = destination.Y, du = destination.U, dv = destination.V;
        for (int row = 0; row < h; row += 2)
        {
            ReadOnlySpan<byte> top = pixels.Slice(row * stride, w * 4);
            ReadOnlySpan<byte> bottom = row + 1 < h ? pixels.Slice((row + 1) * stride, w * 4) : top;
            Span<byte> yTop = dy.Slice(row * destination.StrideY, w);
            Span<byte> yBottom = row + 1 < h ? dy.Slice((row + 1) * destination.StrideY, w) : yTop;
            int crow = row / 2;
            for (int x = 0; x < w; x += 2)
            {
                int x1 = x + 1 < w ? x + 1 : x;
                int r = 0, g = 0, b = 0;
                Accumulate(top, x, yTop, redIndex, blueIndex, ref r, ref g, ref b);
                Accumulate(top, x1, yTop, redIndex, blueIndex, ref r, ref g, ref b);
                Accumulate(bottom, x, yBottom, redIndex, blueIndex, ref r, ref g, ref b);
                Accumulate(bottom, x1, yBottom, redIndex, blueIndex, ref r, ref g, ref b);
                r = (r + 2) >> 2;
                g = (g + 2) >> 2;
                b = (b + 2) >> 2;
                du[crow * destination.StrideU + x / 2] = (byte)(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
                dv[crow * destination.StrideV + x / 2] = (byte)(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ReadOnlySpan<byte> row, int x, Span<byte> yRow, int redIndex, int blueIndex, ref int r, ref int g, ref int b)
    {
        int pr = row[x * 4 + redIndex], pg = row[x * 4 + 1], pb = row[x * 4 + blueIndex];
        yRow[x] = (byte)(((66 * pr + 129 * pg + 25 * pb + 128) >> 8) + 16);
        r += pr;
        g += pg;
        b += pb;
    }
}
