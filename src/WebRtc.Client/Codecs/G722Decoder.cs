using static WebRtc.Client.Codecs.G722Tables;

namespace WebRtc.Client.Codecs;

/// <summary>
/// ITU-T G.722 decoder at 64 kbit/s: each byte gives two 16 kHz samples. Lost packets are
/// concealed by repeating and fading the last decoded audio.
/// </summary>
public sealed class G722Decoder : IAudioDecoder
{
    private readonly G722Band _low = new(high: false);
    private readonly G722Band _high = new(high: true);
    private readonly int[] _x = new int[24];
    private readonly LastFrameConcealer _concealer = new();

    /// <summary>Creates a decoder.</summary>
    /// <param name="channels">Must be 1.</param>
    public G722Decoder(int channels = 1)
    {
        if (channels != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "G.722 is mono.");
        }
    }

    /// <inheritdoc />
    public string CodecName => "G722";

    /// <inheritdoc />
    public int SampleRate => 16000;

    /// <inheritdoc />
    public int Channels => 1;

    /// <inheritdoc />
    public bool SupportsFec => false;

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        if (pcm.Length < payload.Length * 2)
        {
            throw new ArgumentException($"Output holds {pcm.Length} samples; {payload.Length * 2} needed.", nameof(pcm));
        }

        int[] x = _x;
        for (int j = 0; j < payload.Length; j++)
        {
            int code = payload[j];
            int iLow6 = code & 0x3F;
            int iHigh = (code >> 6) & 0x03;

            // Low band: 6-bit inverse quantizer for the output, 4-bit for the predictor.
            int rLow = Math.Clamp(_low.S + ((_low.Det * Qm6[iLow6]) >> 15), -16384, 16383);
            int ril = iLow6 >> 2;
            int dLow = (_low.Det * Qm4[ril]) >> 15;
            _low.AdaptScale(Wl[Rl42[ril]]);
            _low.Predict(dLow);

            int dHigh = (_high.Det * Qm2[iHigh]) >> 15;
            int rHigh = Math.Clamp(dHigh + _high.S, -16384, 16383);
            _high.AdaptScale(Wh[Rh2[iHigh]]);
            _high.Predict(dHigh);

            // Receive QMF: two sub-band samples in, two 16 kHz samples out.
            Array.Copy(x, 2, x, 0, 22);
            x[22] = rLow + rHigh;
            x[23] = rLow - rHigh;
            int out1 = 0, out2 = 0;
            for (int i = 0; i < 12; i++)
            {
                out2 += x[2 * i] * Qmf[i];
                out1 += x[2 * i + 1] * Qmf[11 - i];
            }

            pcm[2 * j] = (short)G722Band.Saturate(out1 >> 11);
            pcm[2 * j + 1] = (short)G722Band.Saturate(out2 >> 11);
        }

        _concealer.Remember(pcm.Slice(0, payload.Length * 2));
        return payload.Length * 2;
    }

    /// <inheritdoc />
    public int Conceal(int samplesPerChannel, Span<short> pcm)
    {
        _concealer.Conceal(pcm.Slice(0, samplesPerChannel));
        return samplesPerChannel;
    }

    /// <inheritdoc />
    public int DecodeFec(ReadOnlySpan<byte> nextPayload, int samplesPerChannel, Span<short> pcm) => Conceal(samplesPerChannel, pcm);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
