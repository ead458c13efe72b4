namespace WebRtc.Client.Codecs;

/// <summary>
/// What SDP says about a codec (<c>a=rtpmap</c>, <c>a=fmtp</c>, <c>a=rtcp-fb</c>) and the factory
/// that makes its encoder and decoder. Exactly one factory is set, matching <see cref="Kind"/>.
/// </summary>
public sealed class CodecInfo
{
    private CodecInfo(CodecKind kind, string name, int clockRate, int channels, string? fmtp, IReadOnlyList<RtcpFeedback>? feedback, int? staticPayloadType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(clockRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, kind == CodecKind.Audio ? 1 : 0);
        if (staticPayloadType is < 0 or > 95)
        {
            throw new ArgumentOutOfRangeException(nameof(staticPayloadType), staticPayloadType, "Static payload types are 0 to 95.");
        }

        Kind = kind;
        Name = name;
        ClockRate = clockRate;
        Channels = channels;
        Fmtp = string.IsNullOrEmpty(fmtp) ? null : fmtp;
        Feedback = feedback?.ToArray() ?? [];
        StaticPayloadType = staticPayloadType;
    }

    /// <summary>Audio or video.</summary>
    public CodecKind Kind { get; }

    /// <summary>The encoding name in <c>a=rtpmap</c>, e.g. <c>opus</c>, <c>VP8</c>, <c>H264</c>.</summary>
    public string Name { get; }

    /// <summary>The RTP clock rate in <c>a=rtpmap</c> (G.722 says 8000 though it samples at 16 kHz, RFC 3551 §4.5.2).</summary>
    public int ClockRate { get; }

    /// <summary>Audio channels in <c>a=rtpmap</c> (Opus always says 2, RFC 7587); 0 for video.</summary>
    public int Channels { get; }

    /// <summary>The default <c>a=fmtp</c> parameters, or null.</summary>
    public string? Fmtp { get; }

    /// <summary>The <c>a=rtcp-fb</c> values to offer.</summary>
    public IReadOnlyList<RtcpFeedback> Feedback { get; }

    /// <summary>The static RTP payload type (PCMU 0, PCMA 8, G722 9), or null for a dynamic one.</summary>
    public int? StaticPayloadType { get; }

    /// <summary>The factory for an audio codec, else null.</summary>
    public IAudioCodecFactory? AudioFactory { get; private init; }

    /// <summary>The factory for a video codec, else null.</summary>
    public IVideoCodecFactory? VideoFactory { get; private init; }

    /// <summary>Describes an audio codec.</summary>
    /// <param name="name">Encoding name.</param>
    /// <param name="clockRate">RTP clock rate.</param>
    /// <param name="channels">Channels in <c>a=rtpmap</c>.</param>
    /// <param name="factory">Makes its encoder and decoder.</param>
    /// <param name="fmtp">Default fmtp, or null.</param>
    /// <param name="feedback">RTCP feedback to offer, or null.</param>
    /// <param name="staticPayloadType">Static payload type, or null.</param>
    public static CodecInfo Audio(string name, int clockRate, int channels, IAudioCodecFactory factory, string? fmtp = null, IReadOnlyList<RtcpFeedback>? feedback = null, int? staticPayloadType = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new CodecInfo(CodecKind.Audio, name, clockRate, channels, fmtp, feedback, staticPayloadType) { AudioFactory = factory };
    }

    /// <summary>Describes a video codec (90 kHz clock unless told otherwise).</summary>
    /// <param name="name">Encoding name.</param>
    /// <param name="factory">Makes its encoder and decoder.</param>
    /// <param name="fmtp">Default fmtp, or null.</param>
    /// <param name="feedback">RTCP feedback to offer, or null.</param>
    /// <param name="clockRate">RTP clock rate.</param>
    public static CodecInfo Video(string name, IVideoCodecFactory factory, string? fmtp = null, IReadOnlyList<RtcpFeedback>? feedback = null, int clockRate = 90000)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new CodecInfo(CodecKind.Video, name, clockRate, 0, fmtp, feedback, null) { VideoFactory = factory };
    }

    /// <summary>The <c>a=rtpmap</c> value after the payload type, e.g. <c>opus/48000/2</c>.</summary>
    public string RtpMap => Kind == CodecKind.Audio && Channels > 1 ? $"{Name}/{ClockRate}/{Channels}" : $"{Name}/{ClockRate}";

    /// <summary>The rtpmap form.</summary>
    public override string ToString() => RtpMap;
}
