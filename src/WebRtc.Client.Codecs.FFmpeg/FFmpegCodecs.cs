using WebRtc.Client.Codecs;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>The VP8, VP9 and H.264 codecs through libavcodec, and their registry entries.</summary>
public static class FFmpegCodecs
{
    /// <summary>H.264 as browsers offer it: constrained baseline 3.1, non-interleaved packetization.</summary>
    public const string H264Fmtp = "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1";

    /// <summary>VP8: libvpx encoder, FFmpeg's vp8 decoder.</summary>
    public static FFmpegVideoCodec Vp8 { get; } = new("VP8", "libvpx", "vp8",
        [("deadline", "realtime"), ("cpu-used", "8"), ("lag-in-frames", "0"), ("error-resilient", "1")], libvpx: true);

    /// <summary>VP9 profile 0: libvpx-vp9 encoder, FFmpeg's vp9 decoder.</summary>
    public static FFmpegVideoCodec Vp9 { get; } = new("VP9", "libvpx-vp9", "vp9",
        [("deadline", "realtime"), ("cpu-used", "8"), ("lag-in-frames", "0"), ("error-resilient", "1")], libvpx: true);

    /// <summary>H.264 constrained baseline: libx264 (Annex-B, SPS/PPS before each IDR), FFmpeg's h264 decoder.</summary>
    public static FFmpegVideoCodec H264 { get; } = new("H264", "libx264", "h264",
        [("preset", "veryfast"), ("tune", "zerolatency"), ("profile", "baseline"), ("forced-idr", "1"), ("x264-params", "level=3.1:scenecut=0")], libvpx: false);

    /// <summary>Adds VP8, VP9 (<c>profile-id=0</c>) and H.264 with the browsers' RTCP feedback, after the codecs already there.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The same registry.</returns>
    public static CodecRegistry AddFFmpegVideo(this CodecRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register(CodecInfo.Video("VP8", Vp8, feedback: CodecRegistry.VideoFeedback));
        registry.Register(CodecInfo.Video("VP9", Vp9, "profile-id=0", CodecRegistry.VideoFeedback));
        registry.Register(CodecInfo.Video("H264", H264, H264Fmtp, CodecRegistry.VideoFeedback));
        return registry;
    }
}
