namespace WebRtc.Client.Codecs;

/// <summary>G.711 encoder: one byte per sample.</summary>
public sealed class G711Encoder : IAudioEncoder
{
    private readonly bool _muLaw;

    /// <summary>Creates a PCMU (<paramref name="muLaw"/>) or PCMA encoder.</summary>
    /// <param name="muLaw">μ-law when true, A-law when false.</param>
    /// <param name="settings">Mono only; the frame duration sets <see cref="FrameSize"/>.</param>
    public G711Encoder(bool muLaw, AudioEncoderSettings? settings = null)
    {
        settings ??= new AudioEncoderSettings();
        FixedRateCodec.Check(settings, 8000, 64000);
        _muLaw = muLaw;
        FrameSize = FixedRateCodec.FrameSize(settings, 8000);
    }

    /// <inheritdoc />
    public string CodecName => _muLaw ? "PCMU" : "PCMA";

    /// <inheritdoc />
    public int SampleRate => 8000;

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
            throw new ArgumentException($"{CodecName} encodes frames of {FrameSize} samples, not {pcm.Length}.", nameof(pcm));
        }

        if (_muLaw)
        {
            G711.EncodeMuLaw(pcm, output);
        }
        else
        {
            G711.EncodeALaw(pcm, output);
        }

        return pcm.Length;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
