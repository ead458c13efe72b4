using WebRtc.Client.Codecs;

namespace WebRtc.Client.Tests.Codecs;

public class G711Tests
{
    private static short Decode(byte code, bool muLaw)
    {
        Span<short> pcm = stackalloc short[1];
        if (muLaw)
        {
            G711.DecodeMuLaw([code], pcm);
        }
        else
        {
            G711.DecodeALaw([code], pcm);
        }

        return pcm[0];
    }

    private static byte Encode(short sample, bool muLaw)
    {
        Span<byte> code = stackalloc byte[1];
        if (muLaw)
        {
            G711.EncodeMuLaw([sample], code);
        }
        else
        {
            G711.EncodeALaw([sample], code);
        }

        return code[0];
    }

    [TestCase(0xFF, 0)]
    [TestCase(0x7F, 0)]
    [TestCase(0x80, 32124)]
    [TestCase(0x00, -32124)]
    [TestCase(0xFE, 8)]
    [TestCase(0xEF, 132)]
    public void MuLaw_decodes_the_G711_table_values(int code, int expected) =>
        Assert.That(Decode((byte)code, muLaw: true), Is.EqualTo(expected));

    [TestCase(0xD5, 8)]
    [TestCase(0x55, -8)]
    [TestCase(0xAA, 32256)]
    [TestCase(0x2A, -32256)]
    [TestCase(0xD4, 24)]
    public void ALaw_decodes_the_G711_table_values(int code, int expected) =>
        Assert.That(Decode((byte)code, muLaw: false), Is.EqualTo(expected));

    [TestCase(true)]
    [TestCase(false)]
    public void Every_code_survives_decode_then_encode(bool muLaw)
    {
        for (int code = 0; code < 256; code++)
        {
            if (muLaw && code == 0x7F)
            {
                continue; // μ-law has a negative zero that decodes to 0 like 0xFF.
            }

            Assert.That(Encode(Decode((byte)code, muLaw), muLaw), Is.EqualTo((byte)code), $"code 0x{code:X2}");
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Encoding_error_stays_within_one_quantization_step(bool muLaw)
    {
        for (int x = short.MinValue; x <= short.MaxValue; x++)
        {
            byte code = Encode((short)x, muLaw);
            int decoded = Decode(code, muLaw);
            // The step of the code's segment bounds the error (plus clipping above the top level).
            int magnitude = Math.Min(Math.Abs(x), muLaw ? 32124 : 32256);
            int step = muLaw ? Math.Max(8, magnitude / 16) : Math.Max(16, magnitude / 16);
            Assert.That(Math.Abs(decoded - x), Is.LessThanOrEqualTo(step + Math.Abs(x) - magnitude), $"x={x}");
        }
    }

    [Test]
    public void Encoder_and_decoder_work_in_20_ms_frames_with_concealment()
    {
        using var encoder = (G711Encoder)G711Codec.PcmuFactory.CreateEncoder(new AudioEncoderSettings());
        using var decoder = G711Codec.PcmuFactory.CreateDecoder(1);
        short[] pcm = Signal.Sine(1000, 8000, 160, 0.5);
        var payload = new byte[160];
        var decoded = new short[160];
        Assert.That(encoder.FrameSize, Is.EqualTo(160));
        Assert.That(encoder.Encode(pcm, payload), Is.EqualTo(160));
        Assert.That(decoder.Decode(payload, decoded), Is.EqualTo(160));
        Assert.That(Signal.BestSnr(pcm, decoded, 0).Snr, Is.GreaterThan(30));

        var concealed = new short[160];
        Assert.That(decoder.Conceal(160, concealed), Is.EqualTo(160));
        Assert.That(Signal.Rms(concealed), Is.EqualTo(Signal.Rms(decoded) / 2).Within(2));
        Assert.That(decoder.SupportsFec, Is.False);
    }

    [Test]
    public void Fixed_rate_codec_refuses_other_bitrates_and_fec()
    {
        using var encoder = new G711Encoder(muLaw: false);
        Assert.That(encoder.CodecName, Is.EqualTo("PCMA"));
        Assert.Throws<NotSupportedException>(() => encoder.Bitrate = 32000);
        Assert.Throws<NotSupportedException>(() => encoder.Fec = true);
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[100], new byte[160]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new G711Encoder(true, new AudioEncoderSettings { Channels = 2 }));
    }
}
