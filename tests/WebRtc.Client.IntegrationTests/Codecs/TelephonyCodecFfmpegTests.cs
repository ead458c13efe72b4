using WebRtc.Client.Tests.Codecs;
using WebRtc.Client.Codecs;

namespace WebRtc.Client.IntegrationTests.Codecs;

/// <summary>G.711 and G.722 against FFmpeg's pcm_mulaw, pcm_alaw and g722, in both directions.</summary>
public class TelephonyCodecFfmpegTests
{
    // Speech-like test signal: two tones, a sweep and a little noise, so every segment is used.
    private static short[] TestSignal(int sampleRate, int count)
    {
        var random = new Random(42);
        var samples = new short[count];
        for (int i = 0; i < count; i++)
        {
            double t = (double)i / sampleRate;
            double v = 0.3 * Math.Sin(2 * Math.PI * 440 * t) + 0.2 * Math.Sin(2 * Math.PI * (200 + 1500 * t) * t)
                + 0.02 * (random.NextDouble() - 0.5);
            samples[i] = (short)Math.Round(v * 32767 * (0.2 + 0.8 * (i % sampleRate) / sampleRate));
        }

        return samples;
    }

    private static short[] AllSamples()
    {
        var samples = new short[65536];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(i - 32768);
        }

        return samples;
    }

    [TestCase("mulaw")]
    [TestCase("alaw")]
    public void G711_our_encoding_decodes_sample_exact_in_ffmpeg(string format)
    {
        using var tool = ExternalTool.Create();
        short[] input = [.. AllSamples(), .. TestSignal(8000, 16000)];
        var encoded = new byte[input.Length];
        var ours = new short[input.Length];
        if (format == "mulaw")
        {
            G711.EncodeMuLaw(input, encoded);
            G711.DecodeMuLaw(encoded, ours);
        }
        else
        {
            G711.EncodeALaw(input, encoded);
            G711.DecodeALaw(encoded, ours);
        }

        File.WriteAllBytes(tool.PathOf("in.g711"), encoded);
        tool.RunFfmpeg("-f", format, "-ar", "8000", "-ac", "1", "-i", "in.g711", "-f", "s16le", "out.raw");
        short[] theirs = ExternalTool.ReadPcm(tool.PathOf("out.raw"));
        Assert.That(theirs, Is.EqualTo(ours));
    }

    [TestCase("mulaw")]
    [TestCase("alaw")]
    public void G711_ffmpeg_encoding_decodes_sample_exact_in_ours(string format)
    {
        using var tool = ExternalTool.Create();
        short[] input = [.. AllSamples(), .. TestSignal(8000, 16000)];
        ExternalTool.WritePcm(tool.PathOf("in.raw"), input);
        tool.RunFfmpeg("-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "in.raw", "-c:a", "pcm_" + format, "-f", format, "out.g711");
        tool.RunFfmpeg("-f", format, "-ar", "8000", "-ac", "1", "-i", "out.g711", "-f", "s16le", "back.raw");
        byte[] encoded = File.ReadAllBytes(tool.PathOf("out.g711"));
        short[] theirs = ExternalTool.ReadPcm(tool.PathOf("back.raw"));
        var ours = new short[encoded.Length];
        var ourCodes = new byte[input.Length];
        if (format == "mulaw")
        {
            G711.DecodeMuLaw(encoded, ours);
            G711.EncodeMuLaw(input, ourCodes);
        }
        else
        {
            G711.DecodeALaw(encoded, ours);
            G711.EncodeALaw(input, ourCodes);
        }

        Assert.That(ours, Is.EqualTo(theirs));

        // FFmpeg's encoder puts decision levels halfway between output levels where the G.191
        // reference truncates at segment edges: where they differ, they pick neighbouring levels.
        var ourLevels = new short[input.Length];
        if (format == "mulaw")
        {
            G711.DecodeMuLaw(ourCodes, ourLevels);
        }
        else
        {
            G711.DecodeALaw(ourCodes, ourLevels);
        }

        int differ = 0;
        for (int i = 0; i < input.Length; i++)
        {
            if (encoded[i] != ourCodes[i])
            {
                differ++;
                Assert.That(Math.Abs(ourLevels[i] - ours[i]), Is.LessThanOrEqualTo(Math.Max(16, Math.Abs(input[i]) / 8)), $"sample {input[i]}");
            }
        }

        TestContext.Out.WriteLine($"{format}: {differ} of {input.Length} codes differ from FFmpeg's encoder");
        Assert.That(differ, Is.LessThan(input.Length / 50));
    }

    [Test]
    public void G722_our_encoding_decodes_in_ffmpeg_with_high_snr()
    {
        using var tool = ExternalTool.Create();
        short[] input = TestSignal(16000, 48000);
        using var encoder = new G722Encoder();
        var encoded = new byte[input.Length / 2];
        encoder.EncodeSamples(input, encoded);
        File.WriteAllBytes(tool.PathOf("in.g722"), encoded);
        tool.RunFfmpeg("-f", "g722", "-i", "in.g722", "-f", "s16le", "-ar", "16000", "out.raw");
        short[] theirs = ExternalTool.ReadPcm(tool.PathOf("out.raw"));

        using var decoder = new G722Decoder();
        var ours = new short[input.Length];
        decoder.Decode(encoded, ours);
        var (snr, delay) = Signal.BestSnr(input, theirs, 64, skip: 1600);
        TestContext.Out.WriteLine($"G.722 ours->ffmpeg: SNR {snr:F1} dB at delay {delay}");
        Assert.That(snr, Is.GreaterThan(25));

        // Both decoders implement the same fixed-point algorithm, so they agree sample for sample.
        Assert.That(ours, Is.EqualTo(theirs));
    }

    [Test]
    public void G722_ffmpeg_encoding_decodes_in_ours_with_high_snr()
    {
        using var tool = ExternalTool.Create();
        short[] input = TestSignal(16000, 48000);
        ExternalTool.WritePcm(tool.PathOf("in.raw"), input);
        tool.RunFfmpeg("-f", "s16le", "-ar", "16000", "-ac", "1", "-i", "in.raw", "-c:a", "g722", "-f", "g722", "out.g722");
        byte[] encoded = File.ReadAllBytes(tool.PathOf("out.g722"));
        Assert.That(encoded, Has.Length.EqualTo(input.Length / 2));

        using var decoder = new G722Decoder();
        var ours = new short[encoded.Length * 2];
        for (int i = 0; i + 160 <= encoded.Length; i += 160)
        {
            Assert.That(decoder.Decode(encoded.AsSpan(i, 160), ours.AsSpan(2 * i)), Is.EqualTo(320));
        }

        tool.RunFfmpeg("-f", "g722", "-i", "out.g722", "-f", "s16le", "-ar", "16000", "back.raw");
        Assert.That(ours, Is.EqualTo(ExternalTool.ReadPcm(tool.PathOf("back.raw"))));

        // And our encoder, fed the same input, produces FFmpeg's bitstream byte for byte.
        using var encoder = new G722Encoder();
        var ourEncoded = new byte[encoded.Length];
        encoder.EncodeSamples(input, ourEncoded);
        Assert.That(ourEncoded, Is.EqualTo(encoded));

        var (snr, delay) = Signal.BestSnr(input, ours, 64, skip: 1600);
        TestContext.Out.WriteLine($"G.722 ffmpeg->ours: SNR {snr:F1} dB at delay {delay}");
        Assert.That(snr, Is.GreaterThan(25));
    }
}
