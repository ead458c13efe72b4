namespace WebRtc.Client.Codecs;

/// <summary>G.722 as a registry codec: SDP <c>G722/8000</c>, static payload type 9, 16 kHz audio (RFC 3551 §4.5.2).</summary>
public static class G722Codec
{
    /// <summary>Factory for <see cref="G722Encoder"/> and <see cref="G722Decoder"/>.</summary>
    public static IAudioCodecFactory Factory { get; } = new G722Factory();

    private sealed class G722Factory : IAudioCodecFactory
    {
        public IAudioEncoder CreateEncoder(AudioEncoderSettings settings) => new G722Encoder(settings);

        public IAudioDecoder CreateDecoder(int channels) => new G722Decoder(channels);
    }
}
