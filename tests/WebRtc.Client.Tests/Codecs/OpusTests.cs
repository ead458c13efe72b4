using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;

namespace WebRtc.Client.Tests.Codecs;

public class OpusTests
{
    private static List<byte[]> EncodeSine(OpusAudioEncoder encoder, double hz, int frames)
    {
        var source = AudioSource.Sine(hz, 0.5, 48000, encoder.Channels, TimeSpan.FromMilliseconds(encoder.FrameSize / 48.0));
        var packets = new List<byte[]>();
        var buffer = new byte[OpusAudioEncoder.MaxPacketSize];
        for (int i = 0; i < frames; i++)
        {
            using var frame = source.NextFrame();
            int length = encoder.Encode(frame.Samples, buffer);
            Assert.That(length, Is.GreaterThan(0));
            packets.Add(buffer.AsSpan(0, length).ToArray());
        }

        return packets;
    }

    [TestCase(1, 10)]
    [TestCase(1, 20)]
    [TestCase(2, 20)]
    [TestCase(2, 40)]
    [TestCase(1, 60)]
    public void Sine_round_trips_with_frequency_and_level(int channels, int ms)
    {
        using var encoder = new OpusAudioEncoder(new AudioEncoderSettings { Channels = channels, FrameDuration = TimeSpan.FromMilliseconds(ms), Voice = false });
        using var decoder = new OpusAudioDecoder(channels);
        var packets = EncodeSine(encoder, 1000, 1000 / ms);
        var mono = new List<short>();
        var pcm = new short[OpusAudioDecoder.MaxFrameSize * channels];
        foreach (byte[] packet in packets)
        {
            int samples = decoder.Decode(packet, pcm);
            Assert.That(samples, Is.EqualTo(48 * ms));
            for (int i = 0; i < samples; i++)
            {
                mono.Add(pcm[i * channels]);
            }
        }

        short[] tail = mono.Skip(4800).ToArray();
        Assert.That(Signal.ToneFrequency(tail, 48000), Is.EqualTo(1000).Within(2));
        Assert.That(Signal.Rms(tail), Is.EqualTo(0.5 * 32767 / Math.Sqrt(2)).Within(0.5 * 32767 / Math.Sqrt(2) * 0.1));
    }

    [Test]
    public void Lost_packet_is_concealed_from_the_decoder_state()
    {
        using var encoder = new OpusAudioEncoder(new AudioEncoderSettings { Channels = 1, Bitrate = 24000, Fec = true });
        encoder.ExpectedLossPercent = 20;
        Assert.That(encoder.Fec, Is.True);
        Assert.That(encoder.ExpectedLossPercent, Is.EqualTo(20));
        var packets = EncodeSine(encoder, 440, 50);

        using var clean = new OpusAudioDecoder(1);
        using var lossy = new OpusAudioDecoder(1);
        var reference = new short[960];
        var concealed = new short[960];
        const int lost = 30;
        for (int i = 0; i < lost; i++)
        {
            clean.Decode(packets[i], reference);
            lossy.Decode(packets[i], concealed);
        }

        clean.Decode(packets[lost], reference);
        Assert.That(lossy.Conceal(960, concealed), Is.EqualTo(960));

        // PLC continues the tone: same pitch, comparable level, not a hole.
        Assert.That(Signal.Rms(concealed), Is.GreaterThan(Signal.Rms(reference) * 0.3));
        Assert.That(Signal.ToneFrequency(concealed, 48000), Is.EqualTo(440).Within(10));

        // Decoding resumes on the next packet.
        Assert.That(lossy.Decode(packets[lost + 1], concealed), Is.EqualTo(960));
        Assert.Throws<ArgumentOutOfRangeException>(() => lossy.Conceal(100, concealed));
    }

    [Test]
    public void Lost_packet_is_recovered_from_fec_in_the_next_packet_better_than_concealed()
    {
        using var encoder = new OpusAudioEncoder(new AudioEncoderSettings { Channels = 1, Bitrate = 32000, Fec = true }) { ExpectedLossPercent = 20 };
        var packets = new List<byte[]>();
        var buffer = new byte[OpusAudioEncoder.MaxPacketSize];
        for (int i = 0; i < 50; i++)
        {
            packets.Add(buffer.AsSpan(0, encoder.Encode(Signal.SpeechLike(48000, i * 960, 960), buffer)).ToArray());
        }

        using var clean = new OpusAudioDecoder(1);
        using var plc = new OpusAudioDecoder(1);
        using var fec = new OpusAudioDecoder(1);
        var reference = new short[960];
        var concealed = new short[960];
        var recovered = new short[960];
        const int lost = 30;
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
        Assert.That(fecSnr, Is.GreaterThan(plcSnr + 5));
        Assert.That(fecSnr, Is.GreaterThan(8));
    }

    [Test]
    public void Dtx_shrinks_silence_and_bitrate_changes_packet_size_while_running()
    {
        using var encoder = new OpusAudioEncoder(new AudioEncoderSettings { Dtx = true });
        var silence = new short[960];
        var buffer = new byte[OpusAudioEncoder.MaxPacketSize];
        int last = 0;
        for (int i = 0; i < 30; i++)
        {
            last = encoder.Encode(silence, buffer);
        }

        Assert.That(last, Is.LessThanOrEqualTo(3), "DTX sends (near) empty frames in silence");

        encoder.Dtx = false;
        encoder.Bitrate = 16000;
        int low = EncodeSine(encoder, 440, 25).Skip(10).Sum(p => p.Length);
        encoder.Bitrate = 64000;
        int high = EncodeSine(encoder, 440, 25).Skip(10).Sum(p => p.Length);
        Assert.That(high, Is.GreaterThan(low * 2));
    }

    [Test]
    public void Registry_entry_matches_what_browsers_offer()
    {
        var registry = CodecRegistry.CreateDefault().AddOpus();
        var opus = registry.Audio[0];
        Assert.That(opus.RtpMap, Is.EqualTo("opus/48000/2"));
        Assert.That(opus.Fmtp, Is.EqualTo("minptime=10;useinbandfec=1"));
        Assert.That(opus.Feedback, Is.EqualTo(new[] { RtcpFeedback.TransportCc }));
        using var encoder = opus.AudioFactory!.CreateEncoder(new AudioEncoderSettings { Channels = 2 });
        Assert.That(encoder.FrameSize, Is.EqualTo(960));
    }

    [Test]
    public void Bad_input_is_refused_or_reported()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new OpusAudioEncoder(new AudioEncoderSettings { FrameDuration = TimeSpan.FromMilliseconds(30) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new OpusAudioDecoder(3));
        using var encoder = new OpusAudioEncoder();
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[100], new byte[1500]));
        using var decoder = new OpusAudioDecoder(1);
        Assert.That(decoder.Decode([0xFF, 0xFF, 0xFF], new short[5760]), Is.EqualTo(-1));
        Assert.That(decoder.Decode([], new short[5760]), Is.EqualTo(-1));
    }
}
