namespace WebRtc.Client.Codecs;

/// <summary>PCMU (μ-law) and PCMA (A-law) as <see cref="IAudioEncoder"/>/<see cref="IAudioDecoder"/>: 8 kHz mono, 64 kbit/s.</summary>
public static class G711Codec
{
    /// <summary>Factory for PCMU (static payload type 0).</summary>
    public static IAudioCodecFactory PcmuFactory { get; } = new Factory(muLaw: true);

    /// <summary>Factory for PCMA (static payload type 8).</summary>
    public static IAudioCodecFactory PcmaFactory { get; } = new Factory(muLaw: false);

    private sealed class Factory(bool muLaw) : IAudioCodecFactory
    {
        public IAudioEncoder CreateEncoder(AudioEncoderSettings settings) => new G711Encoder(muLaw, settings);

        public IAudioDecoder CreateDecoder(int channels) => new G711Decoder(muLaw, channels);
    }
}
