using WebRtc.Client.Codecs;

namespace WebRtc.Client.Tests.Codecs;

public class G722Tests
{
    [TestCase(300)]
    [TestCase(1000)]
    [TestCase(3000)]
    [TestCase(6000)]
    public void Tone_survives_encode_and_decode(double hz)
    {
        short[] input = Signal.Sine(hz, 16000, 16000, 0.4);
        using var encoder = new G722Encoder();
        using var decoder = new G722Decoder();
        var encoded = new byte[input.Length / 2];
        var decoded = new short[input.Length];
        for (int i = 0; i < input.Length; i += 320)
        {
            Assert.That(encoder.Encode(input.AsSpan(i, 320), encoded.AsSpan(i / 2)), Is.EqualTo(160));
            Assert.That(decoder.Decode(encoded.AsSpan(i / 2, 160), decoded.AsSpan(i)), Is.EqualTo(320));
        }

        // The QMF analysis plus synthesis pair delays the signal; search the alignment.
        var (snr, _) = Signal.BestSnr(input, decoded, 40, skip: 1600);
        Assert.That(snr, Is.GreaterThan(hz > 4000 ? 20 : 30), $"SNR {snr:F1} dB");
        Assert.That(Signal.ToneFrequency(decoded.AsSpan(1600), 16000), Is.EqualTo(hz).Within(hz * 0.005));
    }

    [Test]
    public void Frame_of_20_ms_is_320_samples_and_160_bytes_on_an_8000_hz_rtp_clock()
    {
        using var encoder = (G722Encoder)G722Codec.Factory.CreateEncoder(new AudioEncoderSettings());
        Assert.That(encoder.FrameSize, Is.EqualTo(320));
        Assert.That(encoder.SampleRate, Is.EqualTo(16000));
        Assert.That(encoder.Encode(new short[320], new byte[160]), Is.EqualTo(160));
        var info = CodecRegistry.CreateDefault().Find(CodecKind.Audio, "g722", 8000);
        Assert.That(info, Is.Not.Null);
        Assert.That(info!.StaticPayloadType, Is.EqualTo(9));
        Assert.Throws<ArgumentException>(() => encoder.EncodeSamples(new short[3], new byte[2]));
    }

    [Test]
    public void Silence_stays_silent()
    {
        using var encoder = new G722Encoder();
        using var decoder = new G722Decoder();
        var encoded = new byte[160];
        var decoded = new short[320];
        for (int i = 0; i < 10; i++)
        {
            encoder.Encode(new short[320], encoded);
            decoder.Decode(encoded, decoded);
        }

        Assert.That(Signal.Rms(decoded), Is.LessThan(4));
    }

    [Test]
    public void Lost_packet_is_concealed_with_the_faded_last_frame()
    {
        short[] input = Signal.Sine(440, 16000, 640, 0.5);
        using var encoder = new G722Encoder();
        using var decoder = new G722Decoder();
        var encoded = new byte[160];
        var decoded = new short[320];
        encoder.Encode(input.AsSpan(0, 320), encoded);
        decoder.Decode(encoded, decoded);
        encoder.Encode(input.AsSpan(320, 320), encoded);
        decoder.Decode(encoded, decoded);
        var concealed = new short[320];
        Assert.That(decoder.DecodeFec(encoded, 320, concealed), Is.EqualTo(320));
        Assert.That(Signal.Rms(concealed), Is.EqualTo(Signal.Rms(decoded) / 2).Within(Signal.Rms(decoded) * 0.02));
    }
}
