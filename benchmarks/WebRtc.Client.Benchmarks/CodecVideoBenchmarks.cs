using System.Buffers;
using BenchmarkDotNet.Attributes;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Media;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// Per-frame encode and decode through the FFmpeg adapter: 30 test-pattern frames (moving bars,
/// counter) played in a loop, so every call is one real-time frame with motion.
/// </summary>
[MemoryDiagnoser]
public class CodecVideoBenchmarks
{
    private const int Frames = 30;
    private VideoFrame[] _frames = [];
    private byte[][] _encoded = [];
    private IVideoEncoder? _encoder;
    private IVideoDecoder? _decoder;
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private int _encodeIndex;
    private int _decodeIndex;

    [Params("VP8", "VP9", "H264")]
    public string Codec { get; set; } = "VP8";

    [Params("640x480", "1280x720")]
    public string Size { get; set; } = "640x480";

    [GlobalSetup]
    public void Setup()
    {
        int width = int.Parse(Size.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(Size.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);
        FFmpegVideoCodec codec = Codec switch { "VP8" => FFmpegCodecs.Vp8, "VP9" => FFmpegCodecs.Vp9, _ => FFmpegCodecs.H264 };
        var source = VideoSource.TestPattern(width, height, 30);
        _frames = Enumerable.Range(0, Frames).Select(_ => source.NextFrame()).ToArray();
        var settings = new VideoEncoderSettings { Width = width, Height = height, Bitrate = width * height * 4 };
        using (var warm = codec.CreateEncoder(settings))
        {
            _encoded = _frames.Select(f =>
            {
                _output.ResetWrittenCount();
                warm.Encode(f, _output, out _);
                return _output.WrittenSpan.ToArray();
            }).ToArray();
        }

        _encoder = codec.CreateEncoder(settings);
        _decoder = codec.CreateDecoder();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder?.Dispose();
        _decoder?.Dispose();
        foreach (var frame in _frames)
        {
            frame.Dispose();
        }
    }

    [Benchmark]
    public int Encode()
    {
        _output.ResetWrittenCount();
        _encoder!.Encode(_frames[_encodeIndex++ % Frames], _output, out _);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Decode()
    {
        // Frame 0 is a keyframe, so looping back to it is a valid stream.
        int i = _decodeIndex++ % Frames;
        using var frame = _decoder!.Decode(_encoded[i], TimeSpan.Zero);
        return frame?.Width ?? 0;
    }
}
