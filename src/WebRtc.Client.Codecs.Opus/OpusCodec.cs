using WebRtc.Client.Codecs;

namespace WebRtc.Client.Codecs.Opus;

/// <summary>Registers Opus with a <see cref="CodecRegistry"/>: <c>opus/48000/2</c>, <c>minptime=10;useinbandfec=1</c>, <c>transport-cc</c>.</summary>
public static class OpusCodec
{
    /// <summary>The default fmtp browsers offer (RFC 7587 §6.1).</summary>
    public const string DefaultFmtp = "minptime=10;useinbandfec=1";

    /// <summary>Factory for <see cref="OpusAudioEncoder"/> and <see cref="OpusAudioDecoder"/>.</summary>
    public static IAudioCodecFactory Factory { get; } = new OpusFactory();

    /// <summary>The registry entry; SDP always says 2 channels for Opus (RFC 7587 §7).</summary>
    public static CodecInfo Info { get; } = CodecInfo.Audio("opus", 48000, 2, Factory, DefaultFmtp, [RtcpFeedback.TransportCc]);

    /// <summary>Adds Opus as the most preferred audio codec.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The same registry.</returns>
    public static CodecRegistry AddOpus(this CodecRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register(Info, first: true);
        return registry;
    }

    private sealed class OpusFactory : IAudioCodecFactory
    {
        public IAudioEncoder CreateEncoder(AudioEncoderSettings settings) => new OpusAudioEncoder(settings);

        public IAudioDecoder CreateDecoder(int channels) => new OpusAudioDecoder(channels);
    }
}
