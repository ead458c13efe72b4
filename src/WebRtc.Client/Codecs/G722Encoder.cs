using static WebRtc.Client.Codecs.G722Tables;

namespace WebRtc.Client.Codecs;

/// <summary>
/// ITU-T G.722 encoder at 64 kbit/s: a QMF splits 16 kHz audio into two 8 kHz sub-bands, coded
/// with 6-bit (low) and 2-bit (high) ADPCM into one byte per input sample pair. RTP quirk
/// (RFC 3551 §4.5.2): SDP and RTP timestamps say 8000 Hz although the codec samples at 16 kHz,
/// so a 20 ms frame is 320 samples in, 160 bytes out, and advances the RTP timestamp by 160.
/// </summary>
public sealed class G722Encoder : IAudioEncoder
{
    private readonly G722Band _low = new(high: false);
    private readonly G722Band _high = new(high: true);
    private readonly int[] _x = new int[24];

    /// <summary>Creates an encoder.</summary>
    /// <param name="settings">Mono only; the frame duration sets <see cref="FrameSize"/> (20 ms: 320 samples).</param>
    public G722Encoder(AudioEncoderSettings? settings = null)
    {
        settings ??= new AudioEncoderSettings();
        FixedRateCodec.Check(settings, 16000, 64000);
        FrameSize = FixedRateCodec.FrameSize(settings, 16000);
        if (FrameSize % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.FrameDuration, "G.722 frames hold an even number of 16 kHz samples.");
        }
    }

    /// <inheritdoc />
    public string CodecName => "G722";

    /// <inheritdoc />
    public int SampleRate => 16000;

    /// <inheritdoc />
    public int Channels => 1;

    /// <inheritdoc />
    public int FrameSize { get; }

    /// <inheritdoc />
    public int Bitrate
    {
        get => 64000;
        set => FixedRateCodec.SetBitrate(value, 64000, CodecName);
    }

    /// <inheritdoc />
    public bool Fec
    {
        get => false;
        set => FixedRateCodec.Unsupported(value, "FEC", CodecName);
    }

    /// <inheritdoc />
    public bool Dtx
    {
        get => false;
        set => FixedRateCodec.Unsupported(value, "DTX", CodecName);
    }

    /// <inheritdoc />
    public int ExpectedLossPercent { get; set; }

    /// <inheritdoc />
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> output)
    {
        if (pcm.Length != FrameSize)
        {
            throw new ArgumentException($"G722 encodes frames of {FrameSize} samples, not {pcm.Length}.", nameof(pcm));
        }

        return EncodeSamples(pcm, output);
    }

    /// <summary>Encodes any even number of samples (one byte per pair), for files and tests.</summary>
    /// <param name="pcm">16 kHz samples, an even count.</param>
    /// <param name="output">At least half as many bytes.</param>
    /// <returns>Bytes written.</returns>
    public int EncodeSamples(ReadOnlySpan<short> pcm, Span<byte> output)
    {
        if (pcm.Length % 2 != 0 || output.Length < pcm.Length / 2)
        {
            throw new ArgumentException($"G.722 needs an even sample count and {pcm.Length / 2} output bytes.", nameof(pcm));
        }

        int[] x = _x;
        for (int j = 0, n = 0; j < pcm.Length; j += 2, n++)
        {
            // Transmit QMF: shift in two samples, keep one output of each sub-band.
            Array.Copy(x, 2, x, 0, 22);
            x[22] = pcm[j];
            x[23] = pcm[j + 1];
            int sumOdd = 0, sumEven = 0;
            for (int i = 0; i < 12; i++)
            {
                sumOdd += x[2 * i] * Qmf[i];
                sumEven += x[2 * i + 1] * Qmf[11 - i];
            }

            // >> 14: QMF DC gain 4096, two filters summed, and the codec's 15-bit input.
            int xLow = (sumEven + sumOdd) >> 14;
            int xHigh = (sumEven - sumOdd) >> 14;
            int iLow = EncodeLow(xLow);
            int iHigh = EncodeHigh(xHigh);
            output[n] = (byte)((iHigh << 6) | iLow);
        }

        return pcm.Length / 2;
    }

    // Blocks 1L-4L: SUBTRA, QUANTL (6 bits), INVQAL (4 bits), scale adaptation, prediction.
    private int EncodeLow(int xLow)
    {
        int el = G722Band.Saturate(xLow - _low.S);
        int wd = el >= 0 ? el : -(el + 1);
        int i = 1;
        for (; i < 30; i++)
        {
            if (wd < (Q6[i] * _low.Det) >> 12)
            {
                break;
            }
        }

        int iLow = el < 0 ? Iln[i] : Ilp[i];
        int ril = iLow >> 2;
        int dLow = (_low.Det * Qm4[ril]) >> 15;
        _low.AdaptScale(Wl[Rl42[ril]]);
        _low.Predict(dLow);
        return iLow;
    }

    // Blocks 1H-4H: SUBTRA, QUANTH (2 bits), INVQAH, scale adaptation, prediction.
    private int EncodeHigh(int xHigh)
    {
        int eh = G722Band.Saturate(xHigh - _high.S);
        int wd = eh >= 0 ? eh : -(eh + 1);
        int mih = wd >= (564 * _high.Det) >> 12 ? 2 : 1;
        int iHigh = eh < 0 ? Ihn[mih] : Ihp[mih];
        int dHigh = (_high.Det * Qm2[iHigh]) >> 15;
        _high.AdaptScale(Wh[Rh2[iHigh]]);
        _high.Predict(dHigh);
        return iHigh;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
