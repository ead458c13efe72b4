using WebRtc.Client.Media;

namespace WebRtc.Client.Tests.Media;

public class I420ConverterTests
{
    [TestCase(64, 48)]
    [TestCase(37, 21)]
    public void Nv12_splits_interleaved_chroma(int width, int height)
    {
        int cw = (width + 1) / 2, ch = (height + 1) / 2, strideY = width + 3, strideUv = cw * 2 + 5;
        var y = new byte[strideY * height];
        var uv = new byte[strideUv * ch];
        new Random(1).NextBytes(y);
        new Random(2).NextBytes(uv);
        using var frame = VideoFrame.Create(width, height);
        I420Converter.Nv12ToI420(y, strideY, uv, strideUv, frame);
        for (int row = 0; row < height; row++)
        {
            Assert.That(frame.Y.Slice(row * width, width).ToArray(), Is.EqualTo(y.AsSpan(row * strideY, width).ToArray()));
        }

        for (int row = 0; row < ch; row++)
        {
            for (int x = 0; x < cw; x++)
            {
                Assert.That(frame.U[row * cw + x], Is.EqualTo(uv[row * strideUv + 2 * x]));
                Assert.That(frame.V[row * cw + x], Is.EqualTo(uv[row * strideUv + 2 * x + 1]));
            }
        }
    }

    // BT.601 limited range: white 235/128/128, black 16/128/128, red 82/90/240, green 145/54/34, blue 41/240/110.
    [TestCase(255, 255, 255, 235, 128, 128)]
    [TestCase(0, 0, 0, 16, 128, 128)]
    [TestCase(255, 0, 0, 82, 90, 240)]
    [TestCase(0, 255, 0, 145, 54, 34)]
    [TestCase(0, 0, 255, 41, 240, 110)]
    public void Rgba_and_bgra_map_primaries_to_bt601(int r, int g, int b, int y, int u, int v)
    {
        const int w = 6, h = 4;
        var rgba = new byte[w * h * 4];
        var bgra = new byte[w * h * 4];
        for (int i = 0; i < w * h; i++)
        {
            rgba[i * 4] = (byte)r;
            rgba[i * 4 + 1] = (byte)g;
            rgba[i * 4 + 2] = (byte)b;
            bgra[i * 4] = (byte)b;
            bgra[i * 4 + 1] = (byte)g;
            bgra[i * 4 + 2] = (byte)r;
        }

        using var a = VideoFrame.Create(w, h);
        using var c = VideoFrame.Create(w, h);
        I420Converter.RgbaToI420(rgba, w * 4, a);
        I420Converter.BgraToI420(bgra, w * 4, c);
        foreach (var frame in new[] { a, c })
        {
            Assert.That(frame.Y.ToArray(), Is.All.InRange(y - 1, y + 1));
            Assert.That(frame.U.ToArray(), Is.All.InRange(u - 1, u + 1));
            Assert.That(frame.V.ToArray(), Is.All.InRange(v - 1, v + 1));
        }
    }

    [Test]
    public void Too_small_input_is_refused()
    {
        using var frame = VideoFrame.Create(16, 16);
        Assert.Throws<ArgumentException>(() => I420Converter.RgbaToI420(new byte[16 * 15 * 4], 64, frame));
        Assert.Throws<ArgumentException>(() => I420Converter.Nv12ToI420(new byte[256], 8, new byte[128], 16, frame));
    }
}
