using WebRtc.Client.Tests.Codecs;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;

namespace WebRtc.Client.IntegrationTests.Codecs;

/// <summary>Opus through Concentus against FFmpeg's native opus decoder, GStreamer's opusdec, and libopus as encoder.</summary>
public class OpusInteropTests
{
    private const double Level = 0.5 * 32767 / 1.4142135623730951;

    private static void WriteSineOgg(string path, int channels, double hz, int seconds)
    {
        using var encoder = new OpusAudioEncoder(new AudioEncoderSettings { Channels = channels, Voice = false, Bitrate = 64000 });
        var source = AudioSource.Sine(hz, 0.5, 48000, channels);
        var buffer = new byte[OpusAudioEncoder.MaxPacketSize];
        using var writer = new OggOpusWriter(File.Create(path), channels);
        for (int i = 0; i < seconds * 50; i++)
        {
            using var frame = source.NextFrame();
            writer.WritePacket(buffer.AsSpan(0, encoder.Encode(frame.Samples, buffer)), 960);
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Our_ogg_opus_decodes_in_ffmpeg_native_decoder_with_the_tone_intact(int channels)
    {
        using var tool = ExternalTool.Create();
        WriteSineOgg(tool.PathOf("sine.opus"), channels, 1000, 2);
        string probe = tool.Run(ExternalTool.Ffprobe, "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels:format=duration", "-of", "default=nw=1", "sine.opus");
        Assert.That(probe, Does.Contain("codec_name=opus").And.Contain("sample_rate=48000").And.Contain($"channels={channels}"));
        Assert.That(probe, Does.Contain("duration=1.99").Or.Contain("duration=2.0"));

        // -c:a opus picks FFmpeg's own decoder, not libopus.
        tool.RunFfmpeg("-c:a", "opus", "-i", "sine.opus", "-f", "s16le", "-ac", "1", "-ar", "48000", "out.raw");
        short[] pcm = ExternalTool.ReadPcm(tool.PathOf("out.raw"));
        Assert.That(pcm.Length, Is.EqualTo(96000 - 312).Within(960));
        short[] middle = pcm.AsSpan(9600, 48000).ToArray();
        Assert.That(Signal.ToneFrequency(middle, 48000), Is.EqualTo(1000).Within(1));
        Assert.That(Signal.Rms(middle), Is.EqualTo(Level).Within(Level * 0.1));
    }

    [Test]
    public void Our_ogg_opus_decodes_in_gstreamer_opusdec()
    {
        using var tool = ExternalTool.Create();
        WriteSineOgg(tool.PathOf("sine.opus"), 1, 440, 2);
        tool.Run(ExternalTool.GstLaunch, "-q", "filesrc", "location=sine.opus", "!", "oggdemux", "!", "opusdec", "!", "audioconvert", "!",
            "audio/x-raw,format=S16LE,channels=1,rate=48000", "!", "filesink", "location=out.raw");
        short[] pcm = ExternalTool.ReadPcm(tool.PathOf("out.raw"));
        short[] middle = pcm.AsSpan(9600, 48000).ToArray();
        Assert.That(Signal.ToneFrequency(middle, 48000), Is.EqualTo(440).Within(1));
        Assert.That(Signal.Rms(middle), Is.EqualTo(Level).Within(Level * 0.1));
    }

    private static List<byte[]> LibopusPackets(ExternalTool tool)
    {
        tool.RunFfmpeg("-f", "lavfi", "-i", "sine=frequency=700:sample_rate=48000:duration=2", "-af", "volume=0.5",
            "-c:a", "libopus", "-b:a", "24000", "-application", "voip", "-frame_duration", "20", "libopus.opus");
        var packets = OggReader.ReadPackets(File.ReadAllBytes(tool.PathOf("libopus.opus")));
        Assert.That(packets[0].AsSpan(0, 8).SequenceEqual("OpusHead"u8), Is.True);
        return packets.Skip(2).ToList();
    }

    [Test]
    public void Libopus_packets_decode_through_concentus()
    {
        using var tool = ExternalTool.Create();
        var packets = LibopusPackets(tool);
        using var decoder = new OpusAudioDecoder(1);
        var all = new List<short>();
        var pcm = new short[OpusAudioDecoder.MaxFrameSize];
        foreach (byte[] packet in packets)
        {
            int n = decoder.Decode(packet, pcm);
            Assert.That(n, Is.EqualTo(960));
            all.AddRange(pcm.AsSpan(0, n).ToArray());
        }

        // lavfi's sine source has amplitude 1/8 of full scale; volume=0.5 halves it.
        double level = 32767 / 8.0 * 0.5 / Math.Sqrt(2);
        short[] middle = all.Skip(9600).Take(48000).ToArray();
        Assert.That(Signal.ToneFrequency(middle, 48000), Is.EqualTo(700).Within(1));
        Assert.That(Signal.Rms(middle), Is.EqualTo(level).Within(level * 0.15));
    }

    [Test]
    public void Lost_libopus_packet_is_recovered_from_fec_better_than_concealed()
    {
        using var tool = ExternalTool.Create();
        // SILK codes FEC only for frames its voice detector calls speech: feed it a speech-like signal.
        ExternalTool.WritePcm(tool.PathOf("speech.raw"), Signal.SpeechLike(48000, 0, 96000));
        tool.RunFfmpeg("-f", "s16le", "-ar", "48000", "-ac", "1", "-i", "speech.raw", "-c:a", "libopus", "-b:a", "32000",
            "-application", "voip", "-frame_duration", "20", "-fec", "1", "-packet_loss", "20", "libopus.opus");
        var packets = OggReader.ReadPackets(File.ReadAllBytes(tool.PathOf("libopus.opus"))).Skip(2).ToList();
        using var clean = new OpusAudioDecoder(1);
        using var plc = new OpusAudioDecoder(1);
        using var fec = new OpusAudioDecoder(1);
        var reference = new short[960];
        var concealed = new short[960];
        var recovered = new short[960];
        const int lost = 40;
        for (int i = 0; i < lost; i++)
        {
            clean.Decode(packets[i], reference);
            plc.Decode(packets[i], concealed);
            fec.Decode(packets[i], recovered);
        }

        clean.Decode(packets[lost], reference);
        plc.Conceal(960, concealed);
        Assert.That(fec.DecodeFec(packets[lost + 1], 960, recovered), Is.EqualTo(960));
        double plcSnr = Signal.BestSnr(reference, concealed, 0).Snr;
        double fecSnr = Signal.BestSnr(reference, recovered, 0).Snr;
        TestContext.Out.WriteLine($"against the clean decode: PLC {plcSnr:F1} dB, FEC {fecSnr:F1} dB");
        Assert.That(fecSnr, Is.GreaterThan(plcSnr + 3));
        Assert.That(fec.Decode(packets[lost + 1], recovered), Is.EqualTo(960));
    }
}
