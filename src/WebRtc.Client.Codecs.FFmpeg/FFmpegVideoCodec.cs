using WebRtc.Client.Codecs;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>One video codec as libavcodec provides it: encoder and decoder names and real-time options.</summary>
public sealed class FFmpegVideoCodec : IVideoCodecFactory
{
    private readonly Func<FFmpegLibrary> _library;

    internal FFmpegVideoCodec(string name, string encoderName, string decoderName, IReadOnlyList<(string Name, string Value)> privateOptions, bool liveBitrate, Func<FFmpegLibrary>? library = null)
    {
        LiveBitrate = liveBitrate;
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
    /// Whether the encoder takes a new bitrate while running. False for libvpx through FFmpeg 5.1,
    /// whose wrapper reads the bitrate only when opened: a change re-opens it, starting with a keyframe.
    /// </summary>
    public bool LiveBitrate { get; }

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
        new(Name, EncoderName, DecoderName, PrivateOptions, LiveBitrate, () => FFmpegLibrary.Load(avcodecCandidates, avutilCandidates));
}
