namespace WebRtc.Client.Codecs;

/// <summary>G.711 decoder with repeat-and-fade concealment.</summary>
public sealed class G711Decoder : IAudioDecoder
{
    private readonly bool _muLaw;
    private readonly LastFrameConcealer _concealer = new();

    /// <summary>Creates a PCMU (<paramref name="muLaw"/>) or PCMA decoder.</summary>
    /// <param name="muLaw">μ-law when true, A-law when false.</param>
    /// <param name="channels">Must be 1.</param>
    public G711Decoder(bool muLaw, int channels = 1)
    {
        if (channels != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "G.711 is mono.");
        }

        _muLaw = muLaw;
    }

    /// <inheritdoc />
    public string CodecName => _muLaw ? "PCMU" : "PCMA";

    /// <inheritdoc />
    public int SampleRate => 8000;

    /// <inheritdoc />
    public int Channels => 1;

    /// <inheritdoc />
    public bool SupportsFec => false;

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        if (pcm.Length < payload.Length)
        {
            throw new ArgumentException($"Output holds {pcm.Length} samples; {payload.Length} needed.", nameof(pcm));
        }

        if (_muLaw)
        {
            G711.DecodeMuLaw(payload, pcm);
        }
        else
        {
            G711.DecodeALaw(payload, pcm);
        }

        _concealer.Remember(pcm.Slice(0, payload.Length));
        return payload.Length;
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
