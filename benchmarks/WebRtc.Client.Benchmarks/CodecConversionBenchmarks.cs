using BenchmarkDotNet.Attributes;
using WebRtc.Client.Media;

namespace WebRtc.Client.Benchmarks;

/// <summary>NV12, RGBA and BGRA to I420 for one 1280x720 frame into a reused pooled frame.</summary>
[MemoryDiagnoser]
public class CodecConversionBenchmarks
{
    private const int Width = 1280, Height = 720;
    private readonly byte[] _nv12Y = new byte[Width * Height];
    private readonly byte[] _nv12Uv = new byte[Width * Height / 2];
    private readonly byte[] _rgba = new byte[Width * Height * 4];
    private VideoFrame? _frame;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_nv12Y);
        new Random(2).NextBytes(_nv12Uv);
        new Random(3).NextBytes(_rgba);
        _frame = VideoFrame.Create(Width, Height);
    }

    [GlobalCleanup]
    public void Cleanup() => _frame?.Dispose();

    [Benchmark]
    public void Nv12ToI420() => I420Converter.Nv12ToI420(_nv12Y, Width, _nv12Uv, Width, _frame!);

    [Benchmark]
    public void RgbaToI420() => I420Converter.RgbaToI420(_rgba, Width * 4, _frame!);

    [Benchmark]
    public void BgraToI420() => I420Converter.BgraToI420(_rgba, Width * 4, _frame!);

    [Benchmark]
    public void RentAndReturnFrame()
    {
        using var frame = VideoFrame.Create(Width, Height);
    }
}
