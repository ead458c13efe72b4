using System.Buffers;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Media;

namespace WebRtc.Client.IntegrationTests.Codecs;

/// <summary>VP8, VP9 and H.264 through our libavcodec adapter, decoded by decoders we did not drive: libvpx's and FFmpeg's CLI.</summary>
public class FFmpegVideoTests
{
    private static FFmpegVideoCodec Codec(string name) => name switch
    {
        "VP8" => FFmpegCodecs.Vp8,
        "VP9" => FFmpegCodecs.Vp9,
        _ => FFmpegCodecs.H264,
    };

    private static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }

        double mse = sum / a.Length;
        return mse == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    private static byte[] I420Bytes(VideoFrame f)
    {
        var bytes = new byte[f.Width * f.Height * 3 / 2];
        f.Y.CopyTo(bytes);
        f.U.CopyTo(bytes.AsSpan(f.Width * f.Height));
        f.V.CopyTo(bytes.AsSpan(f.Width * f.Height * 5 / 4));
        return bytes;
    }

    [TestCase("VP8", 640, 480)]
    [TestCase("VP9", 640, 480)]
    [TestCase("H264", 640, 480)]
    [TestCase("H264", 1280, 720)]
    public void Test_pattern_decodes_in_another_decoder_with_psnr_above_30_db(string name, int width, int height)
    {
        using var tool = ExternalTool.Create();
        const int frames = 30;
        var source = VideoSource.TestPattern(width, height, 30);
        var originals = new List<byte[]>();
        var encoded = new List<byte[]>();
        using (var encoder = Codec(name).CreateEncoder(new VideoEncoderSettings { Width = width, Height = height, Bitrate = 2_000_000 }))
        {
            var output = new ArrayBufferWriter<byte>();
            for (int i = 0; i < frames; i++)
            {
                using var frame = source.NextFrame();
                originals.Add(I420Bytes(frame));
                output.ResetWrittenCount();
                Assert.That(encoder.Encode(frame, output, out bool key), Is.True, $"frame {i}: one packet per frame, no lookahead");
                Assert.That(key, Is.EqualTo(i == 0), $"frame {i}");
                encoded.Add(output.WrittenSpan.ToArray());
            }
        }

        string file;
        string decoderName;
        if (name == "H264")
        {
            file = "out.h264";
            decoderName = "h264";
            File.WriteAllBytes(tool.PathOf(file), encoded.SelectMany(e => e).ToArray());
            Assert.That(encoded[0].AsSpan(0, 4).SequenceEqual(new byte[] { 0, 0, 0, 1 }), Is.True, "Annex-B start code");
        }
        else
        {
            file = "out.ivf";
            decoderName = name == "VP8" ? "libvpx" : "libvpx-vp9";
            using var ivf = new IvfWriter(File.Create(tool.PathOf(file)), name == "VP8" ? "VP80" : "VP90", width, height, 30);
            for (int i = 0; i < encoded.Count; i++)
            {
                ivf.WriteFrame(encoded[i], i);
            }
        }

        // Someone else's decoder: libvpx's for VP8/VP9, FFmpeg's native h264 for x264 output.
        tool.RunFfmpeg("-c:v", decoderName, "-i", file, "-f", "rawvideo", "-pix_fmt", "yuv420p", "out.yuv");
        byte[] decoded = File.ReadAllBytes(tool.PathOf("out.yuv"));
        int frameBytes = width * height * 3 / 2;
        Assert.That(decoded, Has.Length.EqualTo(frames * frameBytes));

        double worst = double.MaxValue;
        using var ours = Codec(name).CreateDecoder();
        for (int i = 0; i < frames; i++)
        {
            worst = Math.Min(worst, Psnr(originals[i], decoded.AsSpan(i * frameBytes, frameBytes)));
            using var frame = ours.Decode(encoded[i], TimeSpan.FromMilliseconds(i * 33));
            Assert.That(frame, Is.Not.Null);
            Assert.That(I420Bytes(frame!), Is.EqualTo(decoded.AsSpan(i * frameBytes, frameBytes).ToArray()), $"our decoder agrees with {decoderName}, frame {i}");
        }

        TestContext.Out.WriteLine($"{name} {width}x{height}: worst PSNR {worst:F1} dB, {encoded.Sum(e => e.Length) / frames} B/frame");
        Assert.That(worst, Is.GreaterThanOrEqualTo(30));
    }

    [TestCase("VP8")]
    [TestCase("VP9")]
    [TestCase("H264")]
    public void Keyframe_comes_when_asked_and_bitrate_change_moves_the_output_size_in_place(string name)
    {
        var source = VideoSource.TestPattern(640, 480, 30);
        var random = new Random(5);
        using var encoder = Codec(name).CreateEncoder(new VideoEncoderSettings { Width = 640, Height = 480, Bitrate = 200_000 });
        var output = new ArrayBufferWriter<byte>();
        int Encode(bool expectKey)
        {
            using var frame = source.NextFrame();

            // Noise makes every bit count, so the rate controller's target shows in the size.
            Span<byte> y = frame.Y;
            for (int i = 0; i < y.Length; i += 7)
            {
                y[i] = (byte)Math.Clamp(y[i] + random.Next(-40, 40), 16, 235);
            }

            output.ResetWrittenCount();
            Assert.That(encoder.Encode(frame, output, out bool key), Is.True);
            Assert.That(key, Is.EqualTo(expectKey));
            return output.WrittenCount;
        }

        Assert.That(Codec(name).LiveBitrate, Is.True, "libvpx 1.12 / x264 take a new rate in place here");
        Encode(expectKey: true);
        int low = 0;
        var before = new List<int>();
        for (int i = 1; i < 60; i++)
        {
            int size = Encode(expectKey: false);
            low += i >= 30 ? size : 0;
            if (i >= 55)
            {
                before.Add(size);
            }
        }

        encoder.RequestKeyFrame();
        Encode(expectKey: true);
        Encode(expectKey: false);

        // No keyframe: libvpx gets the new target through vpx_codec_enc_config_set, x264 through bit_rate.
        encoder.TargetBitrate = 2_000_000;
        int high = 0;
        var after = new List<int>();
        for (int i = 0; i < 60; i++)
        {
            int size = Encode(expectKey: false);
            high += i >= 30 ? size : 0;
            if (i < 30)
            {
                after.Add(size);
            }
        }

        TestContext.Out.WriteLine($"{name}: {low / 30} B/frame at 200 kbit/s, {high / 30} B/frame at 2 Mbit/s; last frames before {string.Join(' ', before)}, first after {string.Join(' ', after)}");
        Assert.That(high, Is.GreaterThan(low * 3));
        Assert.That(low / 30.0, Is.EqualTo(200_000 / 8 / 30.0).Within(100).Percent);

        // The change shows within a few frames: libvpx from the first frame on (checked from the fifth),
        // x264's ABR ramps over about a dozen frames.
        int settled = Codec(name).UsesLibvpx ? 4 : 14;
        Assert.That(after.Skip(settled).Take(4).Min(), Is.GreaterThan(before.Max() * 2), $"sizes after the change: {string.Join(' ', after)}");
        Assert.That(encoder.TemporalLayers, Is.EqualTo(1));
    }

    [TestCase("VP8")]
    [TestCase("VP9")]
    [TestCase("H264")]
    public void Frame_rate_change_rescales_the_per_frame_budget_in_place(string name)
    {
        var source = VideoSource.TestPattern(640, 480, 30);
        var random = new Random(7);
        using var encoder = Codec(name).CreateEncoder(new VideoEncoderSettings { Width = 640, Height = 480, Bitrate = 300_000 });
        var output = new ArrayBufferWriter<byte>();
        int Encode(int index)
        {
            using var frame = source.NextFrame();
            Span<byte> y = frame.Y;
            for (int i = 0; i < y.Length; i += 7)
            {
                y[i] = (byte)Math.Clamp(y[i] + random.Next(-40, 40), 16, 235);
            }

            output.ResetWrittenCount();
            Assert.That(encoder.Encode(frame, output, out bool key), Is.True);
            Assert.That(key, Is.EqualTo(index == 0), $"frame {index}");
            return output.WrittenCount;
        }

        int at30 = Enumerable.Range(0, 60).Sum(i => i >= 30 ? Encode(i) : Encode(i) * 0);
        encoder.FrameRate = 15;
        int at15 = Enumerable.Range(60, 60).Sum(i => i >= 90 ? Encode(i) : Encode(i) * 0);
        TestContext.Out.WriteLine($"{name}: 300 kbit/s at 30 fps {at30 / 30} B/frame, at 15 fps {at15 / 30} B/frame");
        Assert.That(at15, Is.GreaterThan(at30 * 3 / 2));
        Assert.That(encoder.FrameRate, Is.EqualTo(15));
    }

    private static (List<byte[]> Originals, List<byte[]> Encoded, List<EncodedVideoFrameInfo> Info) EncodeLayered(string name, int layers, int frames, int keyFrameInterval, int requestKeyAt)
    {
        var source = VideoSource.TestPattern(640, 480, 30);
        var originals = new List<byte[]>();
        var encoded = new List<byte[]>();
        var info = new List<EncodedVideoFrameInfo>();
        using var encoder = Codec(name).CreateEncoder(new VideoEncoderSettings { Width = 640, Height = 480, Bitrate = 1_000_000, TemporalLayers = layers, KeyFrameInterval = keyFrameInterval });
        Assert.That(encoder.TemporalLayers, Is.EqualTo(layers));
        var output = new ArrayBufferWriter<byte>();
        for (int i = 0; i < frames; i++)
        {
            using var frame = source.NextFrame();
            originals.Add(I420Bytes(frame));
            output.ResetWrittenCount();
            if (i == requestKeyAt)
            {
                encoder.RequestKeyFrame();
            }

            if (i == frames / 2)
            {
                encoder.TargetBitrate = 1_500_000;
            }

            Assert.That(encoder.EncodeFrame(frame, output, out var frameInfo), Is.True, $"frame {i}");
            encoded.Add(output.WrittenSpan.ToArray());
            info.Add(frameInfo);
        }

        return (originals, encoded, info);
    }

    private static List<byte[]> DecodeWithLibvpx(ExternalTool tool, string name, IReadOnlyList<byte[]> frames, string file)
    {
        using (var ivf = new IvfWriter(File.Create(tool.PathOf(file + ".ivf")), name == "VP8" ? "VP80" : "VP90", 640, 480, 30))
        {
            for (int i = 0; i < frames.Count; i++)
            {
                ivf.WriteFrame(frames[i], i);
            }
        }

        tool.RunFfmpeg("-c:v", name == "VP8" ? "libvpx" : "libvpx-vp9", "-i", file + ".ivf", "-f", "rawvideo", "-pix_fmt", "yuv420p", file + ".yuv");
        byte[] decoded = File.ReadAllBytes(tool.PathOf(file + ".yuv"));
        const int frameBytes = 640 * 480 * 3 / 2;
        return Enumerable.Range(0, decoded.Length / frameBytes).Select(i => decoded.AsSpan(i * frameBytes, frameBytes).ToArray()).ToList();
    }

    [TestCase("VP8", 2)]
    [TestCase("VP8", 3)]
    [TestCase("VP9", 2)]
    [TestCase("VP9", 3)]
    public void Temporal_layers_drop_cleanly_down_to_the_base_layer(string name, int layers)
    {
        using var tool = ExternalTool.Create();
        const int frames = 90;
        var (originals, encoded, info) = EncodeLayered(name, layers, frames, keyFrameInterval: 40, requestKeyAt: 61);

        // The pattern, restarted by every keyframe: the first, the adapter's at 40, the requested one at 61 (which moves the next to 101).
        int[] pattern = layers == 2 ? [0, 1] : [0, 2, 1, 2];
        int slot = 0;
        for (int i = 0; i < frames; i++)
        {
            bool key = i is 0 or 40 or 61;
            slot = key ? 0 : slot;
            Assert.That(info[i].IsKeyFrame, Is.EqualTo(key), $"frame {i}");
            Assert.That(info[i].TemporalLayerId, Is.EqualTo(pattern[slot]), $"frame {i}");
            Assert.That(info[i].LayerSync, Is.EqualTo(!key && (pattern[slot] == 1 || (pattern[slot] == 2 && slot == 1))), $"frame {i}");
            slot = (slot + 1) % pattern.Length;
        }

        // All layers: full frame rate through someone else's decoder, and ours agrees.
        var full = DecodeWithLibvpx(tool, name, encoded, "all");
        Assert.That(full, Has.Count.EqualTo(frames));
        using (var ours = Codec(name).CreateDecoder())
        {
            for (int i = 0; i < frames; i++)
            {
                using var frame = ours.Decode(encoded[i], TimeSpan.FromMilliseconds(i * 33));
                Assert.That(frame, Is.Not.Null);
                Assert.That(I420Bytes(frame!), Is.EqualTo(full[i]), $"our decoder agrees with libvpx, frame {i}");
            }
        }

        // Each lower set of layers alone: what is kept decodes to exactly the pictures the full stream
        // gave (dropped frames were references to nobody kept), and looks like the source.
        for (int top = 0; top < layers - 1; top++)
        {
            var kept = Enumerable.Range(0, frames).Where(i => info[i].TemporalLayerId <= top).ToList();
            var decoded = DecodeWithLibvpx(tool, name, kept.Select(i => encoded[i]).ToList(), $"upto{top}");
            Assert.That(decoded, Has.Count.EqualTo(kept.Count));
            double worst = double.MaxValue;
            for (int k = 0; k < kept.Count; k++)
            {
                Assert.That(decoded[k], Is.EqualTo(full[kept[k]]), $"layers 0..{top}: frame {kept[k]} decodes as in the full stream");
                worst = Math.Min(worst, Psnr(originals[kept[k]], decoded[k]));
            }

            TestContext.Out.WriteLine($"{name} {layers} layers, layers 0..{top} only: {kept.Count}/{frames} frames, worst PSNR {worst:F1} dB");
            Assert.That(worst, Is.GreaterThanOrEqualTo(30));
        }

        var sizes = Enumerable.Range(0, layers).Select(l => Enumerable.Range(0, frames).Where(i => !info[i].IsKeyFrame && info[i].TemporalLayerId == l).Sum(i => encoded[i].Length)).ToList();
        TestContext.Out.WriteLine($"{name} {layers} layers: bytes per layer (keyframes apart) {string.Join(" / ", sizes)}");
    }

    [Test]
    public void H264_has_one_temporal_layer_whatever_is_asked()
    {
        using var encoder = FFmpegCodecs.H264.CreateEncoder(new VideoEncoderSettings { Width = 320, Height = 240, TemporalLayers = 3 });
        Assert.That(encoder.TemporalLayers, Is.EqualTo(1));
        using var frame = VideoSource.TestPattern(320, 240, 30).NextFrame();
        Assert.That(encoder.EncodeFrame(frame, new ArrayBufferWriter<byte>(), out var info), Is.True);
        Assert.That(info, Is.EqualTo(new EncodedVideoFrameInfo(true, 0, false)));
        Assert.Throws<ArgumentOutOfRangeException>(() => FFmpegCodecs.Vp8.CreateEncoder(new VideoEncoderSettings { Width = 320, Height = 240, TemporalLayers = 4 }));
    }

    [Test]
    public void Corrupt_input_gives_null_and_wrong_sizes_are_refused()
    {
        using var decoder = FFmpegCodecs.H264.CreateDecoder();
        Assert.That(decoder.Decode(new byte[] { 0, 0, 0, 1, 0x65, 0xFF, 0x13, 0x77 }, TimeSpan.Zero), Is.Null);
        Assert.That(decoder.Decode([], TimeSpan.Zero), Is.Null);
        using var vp8 = FFmpegCodecs.Vp8.CreateDecoder();
        Assert.That(vp8.Decode(new byte[100], TimeSpan.Zero), Is.Null);

        using var encoder = FFmpegCodecs.Vp8.CreateEncoder(new VideoEncoderSettings { Width = 320, Height = 240 });
        using var frame = VideoFrame.Create(640, 480);
        Assert.Throws<ArgumentException>(() => encoder.Encode(frame, new ArrayBufferWriter<byte>(), out _));
        Assert.Throws<ArgumentException>(() => FFmpegCodecs.Vp8.CreateEncoder(new VideoEncoderSettings { Width = 321, Height = 240 }));
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.Encode(frame, new ArrayBufferWriter<byte>(), out _));
    }

    [Test]
    public void Registry_gets_vp8_vp9_and_h264_with_browser_fmtp_and_feedback()
    {
        var registry = CodecRegistry.CreateDefault().AddFFmpegVideo();
        Assert.That(registry.Video.Select(c => c.RtpMap), Is.EqualTo(new[] { "VP8/90000", "VP9/90000", "H264/90000" }));
        Assert.That(registry.Find(CodecKind.Video, "H264", 90000)!.Fmtp, Is.EqualTo("profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1"));
        Assert.That(registry.Find(CodecKind.Video, "VP8", 90000)!.Feedback.Select(f => f.ToString()), Does.Contain("nack pli").And.Contain("ccm fir"));
    }
}
