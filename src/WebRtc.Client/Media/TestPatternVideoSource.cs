namespace WebRtc.Client.Media;

/// <summary>
/// Eight colour bars scrolling left by a few pixels per frame, with the frame number drawn in
/// large digits on a black box at the top left.
/// </summary>
internal sealed class TestPatternVideoSource : VideoSource
{
    // 75% bars (white, yellow, cyan, green, magenta, red, blue, black) in BT.601 limited range.
    private static readonly byte[] BarY = [180, 162, 131, 112, 84, 65, 35, 16];
    private static readonly byte[] BarU = [128, 44, 156, 72, 184, 100, 212, 128];
    private static readonly byte[] BarV = [128, 142, 44, 58, 198, 212, 114, 128];

    // 3x5 digit glyphs, one row per 3 bits (MSB left).
    private static readonly ushort[] Digits =
    [
        0b111_101_101_101_111, 0b010_110_010_010_111, 0b111_001_111_100_111, 0b111_001_111_001_111,
        0b101_101_111_001_001, 0b111_100_111_001_111, 0b111_100_111_101_111, 0b111_001_010_010_010,
        0b111_101_111_101_111, 0b111_101_111_001_111,
    ];

    public TestPatternVideoSource(int width, int height, double frameRate, TimeProvider? timeProvider)
        : base(width, height, frameRate, timeProvider)
    {
    }

    protected override void Render(VideoFrame frame, long index)
    {
        int w = frame.Width, h = frame.Height;
        int barWidth = Math.Max(1, w / 8);
        int shift = (int)(index * Math.Max(2, w / 160) % (barWidth * 8));
        Span<byte> y = frame.Y, u = frame.U, v = frame.V;
        for (int x = 0; x < w; x++)
        {
            y[x] = BarY[(x + shift) / barWidth % 8];
        }

        for (int row = 1; row < h; row++)
        {
            y.Slice(0, w).CopyTo(y.Slice(row * frame.StrideY, w));
        }

        for (int x = 0; x < frame.ChromaWidth; x++)
        {
            int bar = (2 * x + shift) / barWidth % 8;
            u[x] = BarU[bar];
            v[x] = BarV[bar];
        }

        for (int row = 1; row < frame.ChromaHeight; row++)
        {
            u.Slice(0, frame.ChromaWidth).CopyTo(u.Slice(row * frame.StrideU, frame.ChromaWidth));
            v.Slice(0, frame.ChromaWidth).CopyTo(v.Slice(row * frame.StrideV, frame.ChromaWidth));
        }

        DrawCounter(frame, index);
    }

    private static void DrawCounter(VideoFrame frame, long index)
    {
        string text = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int scale = Math.Max(2, frame.Height / 48);
        int left = scale * 2, top = scale * 2;
        int boxWidth = Math.Min(frame.Width - left, (text.Length * 4 + 1) * scale);
        int boxHeight = Math.Min(frame.Height - top, 7 * scale);
        Fill(frame, left, top, boxWidth, boxHeight, 16);
        for (int c = 0; c < text.Length; c++)
        {
            ushort glyph = Digits[text[c] - '0'];
            for (int gy = 0; gy < 5; gy++)
            {
                for (int gx = 0; gx < 3; gx++)
                {
                    if ((glyph >> (14 - (gy * 3 + gx)) & 1) != 0)
                    {
                        Fill(frame, left + (1 + c * 4 + gx) * scale, top + (1 + gy) * scale, scale, scale, 235);
                    }
                }
            }
        }
    }

    // Fills a rectangle with a grey level (neutral chroma), clipped to the frame.
    private static void Fill(VideoFrame frame, int x0, int y0, int width, int height, byte luma)
    {
        int x1 = Math.Min(frame.Width, x0 + width), y1 = Math.Min(frame.Height, y0 + height);
        if (x1 <= x0 || y1 <= y0)
        {
            return;
        }

        Span<byte> y = frame.Y, u = frame.U, v = frame.V;
        for (int row = y0; row < y1; row++)
        {
            y.Slice(row * frame.StrideY + x0, x1 - x0).Fill(luma);
        }

        for (int row = y0 / 2; row < (y1 + 1) / 2; row++)
        {
            u.Slice(row * frame.StrideU + x0 / 2, (x1 + 1) / 2 - x0 / 2).Fill(128);
            v.Slice(row * frame.StrideV + x0 / 2, (x1 + 1) / 2 - x0 / 2).Fill(128);
        }
    }
}
