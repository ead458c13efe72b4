using WebRtc.Client.Codecs;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media;

/// <summary>What this library implements for RTP, whatever the codec registry holds.</summary>
internal static class MediaCapabilities
{
    /// <summary>The RTCP feedback the media path acts on: NACK (RFC 4585) with RTX, PLI, FIR (RFC 5104).</summary>
    public static bool IsSupportedFeedback(RtcpFeedback feedback) =>
        (feedback.Type, feedback.Parameter) is ("nack", null) or ("nack", "pli") or ("ccm", "fir");

    /// <summary>The header extensions it writes and reads.</summary>
    public static IReadOnlyList<string> HeaderExtensions(MediaKind kind) => kind == MediaKind.Audio
        ? [RtpHeaderExtensions.AudioLevelUri, RtpHeaderExtensions.AbsSendTimeUri, RtpHeaderExtensions.SdesMidUri]
        : [RtpHeaderExtensions.AbsSendTimeUri, RtpHeaderExtensions.SdesMidUri];

    public static RTCRtpCapabilities Get(MediaKind kind, CodecRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var codecs = (kind == MediaKind.Audio ? registry.Audio : registry.Video)
            .Select(c => new RTCRtpCodecCapability(MimeType(kind, c.Name), c.ClockRate, kind == MediaKind.Audio ? c.Channels : null, c.Fmtp))
            .ToList();
        if (kind == MediaKind.Video && codecs.Count > 0)
        {
            codecs.Add(new RTCRtpCodecCapability("video/rtx", 90000, null, null));
        }

        return new RTCRtpCapabilities(codecs, HeaderExtensions(kind));
    }

    public static string MimeType(MediaKind kind, string name) => (kind == MediaKind.Audio ? "audio/" : "video/") + name;
}
