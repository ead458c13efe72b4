namespace WebRtc.Client.Media;

/// <summary>Scales I420 frames with bilinear sampling (per plane), for a sender's scaleResolutionDownBy. Allocates nothing.</summary>
internal static class I420Scaler
{
    /// <summary>Scales <paramref name="source"/> into <paramref name="destination"/> (any sizes).</summary>
    public static void Scale(VideoFrame source, VideoFrame destination)
    {
        ScalePlane(source.Y, source.StrideY, source.Width, source.Height, destination.Y, destination.StrideY, destination.Width, destination.Height);
        ScalePlane(source.U, source.StrideU, source.ChromaWidth, source.ChromaHeight, destination.U, destination.StrideU, destination.ChromaWidth, destination.ChromaHeight);
        ScalePlane(source.V, source.StrideV, source.ChromaWidth, source.ChromaHeight, destination.V, destination.StrideV, destination.ChromaWidth, destination.ChromaHeight);
        destination.Timestamp = source.Timestamp;
        destination.Rotation = source.Rotation;
    }

    private static void ScalePlane(ReadOnlySpan<byte> src, int srcStride, int srcWidth, int srcHeight, Span<byte> dst, int dstStride, int dstWidth, int dstHeight)
    {
        // 16.16 fixed point; sample centres map onto each other so the picture does not shift.
        long xStep = ((long)srcWidth << 16) / dstWidth;
        long yStep = ((long)srcHeight << 16) / dstHeight;
        for (int y = 0; y < dstHeight; y++)
        {
            long sy = Math.Max(0, (y * yStep) + (yStep >> 1) - 0x8000);
            int y0 = Math.Min((int)(sy >> 16), srcHeight - 1);
            int y1 = Math.Min(y0 + 1, srcHeight - 1);
            int fy = (int)(sy & 0xFFFF) >> 8;
            var row0 = src.Slice(y0 * srcStride, srcWidth);
            var row1 = src.Slice(y1 * srcStride, srcWidth);
            var outRow = dst.Slice(y * dstStride, dstWidth);
            for (int x = 0; x < dstWidth; x++)
            {
                long sx = Math.Max(0, (x * xStep) + (xStep >> 1) - 0x8000);
                int x0 = Math.Min((int)(sx >> 16), srcWidth - 1);
                int x1 = Math.Min(x0 + 1, srcWidth - 1);
                int fx = (int)(sx & 0xFFFF) >> 8;
                int top = (row0[x0] * (256 - fx)) + (row0[x1] * fx);
                int bottom = (row1[x0] * (256 - fx)) + (row1[x1] * fx);
                outRow[x] = (byte)(((top * (256 - fy)) + (bottom * fy) + 32768) >> 16);
            }
        }
    }
}
