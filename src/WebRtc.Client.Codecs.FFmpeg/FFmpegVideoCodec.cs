using WebRtc.Client.Codecs;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>One video codec as libavcodec provides it: encoder and decoder names and real-time options.</summary>
public sealed class FFmpegVideoCodec : IVideoCodecFactory
{
    private readonly Func<FFmpegLibrary> _library;

    internal FFmpegVideoCodec(string name, string encoderName, string decoderName, IReadOnlyList<(string Name, string Value)> privateOptions, bool libvpx, Func<FFmpegLibrary>? library = null)
    {
        UsesLibvpx = libvpx;
        Name = name;
        EncoderName = encoderName;
        DecoderName = decoderName;
        PrivateOptions = privateOptions;
        _library = library ?? (() => FFmpegLibrary.Instance);
    }

    /// <summary>The SDP encoding name.</summary>
    public string Name { get; }

    /// <summary>The libavcodec encoder, e.g. <c>libvpx</c>.</summary>
    public string EncoderName { get; }

    /// <summary>The libavcodec decoder, e.g. <c>vp8</c>.</summary>
    public string DecoderName { get; }

    internal IReadOnlyList<(string Name, string Value)> PrivateOptions { get; }

    /// <summary>
    /// Whether the encoder takes a new bitrate (and frame rate) while running, without a keyframe.
    /// x264 reconfigures itself. FFmpeg 5.1's libvpx wrapper reads the bitrate only when opened, so
    /// for VP8/VP9 the adapter sets it on libvpx directly (<c>vpx_codec_enc_config_set</c>), which needs
    /// a libvpx whose configuration layout it knows (1.12, Debian 12's <c>libvpx7</c>). Without one this
    /// is false and a change re-opens the encoder, starting with a keyframe.
    /// </summary>
    public bool LiveBitrate => !UsesLibvpx || LibVpx.Instance is not null;

    /// <summary>Most temporal layers the encoder makes: 3 for VP8 and VP9 (libvpx), 1 for H.264.</summary>
    public int MaxTemporalLayers => UsesLibvpx ? 3 : 1;

    internal bool UsesLibvpx { get; }

    /// <inheritdoc />
    /// <exception cref="FFmpegNotFoundException">libavcodec or libavutil is not installed.</exception>
    public IVideoEncoder CreateEncoder(VideoEncoderSettings settings) => new FFmpegVideoEncoder(_library(), this, settings);

    /// <inheritdoc />
    /// <exception cref="FFmpegNotFoundException">libavcodec or libavutil is not installed.</exception>
    public IVideoDecoder CreateDecoder() => new FFmpegVideoDecoder(_library(), this);

    /// <summary>The same codec loading libavcodec/libavutil from the given candidates (tests, unusual installs).</summary>
    /// <param name="avcodecCandidates">File names or paths tried for libavcodec.</param>
    /// <param name="avutilCandidates">File names or paths tried for libavutil.</param>
    public FFmpegVideoCodec WithLibraryPaths(IReadOnlyList<string> avcodecCandidates, IReadOnlyList<string> avutilCandidates) =>
        new(Name, EncoderName, DecoderName, PrivateOptions, UsesLibvpx, () => FFmpegLibrary.Load(avcodecCandidates, avutilCandidates));
}
