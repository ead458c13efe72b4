using BenchmarkDotNet.Attributes;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;

namespace WebRtc.Client.Benchmarks;

/// <summary>One 20 ms frame of a 440 Hz sine through Opus (48 kHz stereo, 64 kbit/s), G.722 and PCMU.</summary>
[MemoryDiagnoser]
public class CodecAudioBenchmarks
{
    private readonly short[] _stereo = new short[960 * 2];
    private readonly short[] _wideband = new short[320];
    private readonly short[] _narrowband = new short[160];
    private readonly short[] _pcm = new short[5760 * 2];
    private readonly byte[] _packet = new byte[OpusAudioEncoder.MaxPacketSize];
    private byte[] _opusPacket = [];
    private byte[] _g722Packet = [];
    private OpusAudioEncoder? _opusEncoder;
    private OpusAudioDecoder? _opusDecoder;
    private readonly G722Encoder _g722Encoder = new();
    private readonly G722Decoder _g722Decoder = new();

    [GlobalSetup]
    public void Setup()
    {
        AudioSource.Sine(440, 0.5, 48000, 2).Fill(_stereo);
        AudioSource.Sine(440, 0.5, 16000, 1).Fill(_wideband);
        AudioSource.Sine(440, 0.5, 8000, 1).Fill(_narrowband);
        _opusEncoder = new OpusAudioEncoder(new AudioEncoderSettings { Channels = 2, Voice = false, Bitrate = 64000 });
        _opusDecoder = new OpusAudioDecoder(2);
        _opusPacket = _packet.AsSpan(0, _opusEncoder.Encode(_stereo, _packet)).ToArray();
        _g722Packet = new byte[160];
        new G722Encoder().Encode(_wideband, _g722Packet);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _opusEncoder?.Dispose();
        _opusDecoder?.Dispose();
    }

    [Benchmark]
    public int OpusEncode20msStereo() => _opusEncoder!.Encode(_stereo, _packet);

    [Benchmark]
    public int OpusDecode20msStereo() => _opusDecoder!.Decode(_opusPacket, _pcm);

    [Benchmark]
    public int G722Encode20ms() => _g722Encoder.Encode(_wideband, _packet);

    [Benchmark]
    public int G722Decode20ms() => _g722Decoder.Decode(_g722Packet, _pcm);

    [Benchmark]
    public int PcmuEncode20ms()
    {
        G711.EncodeMuLaw(_narrowband, _packet);
        return 160;
    }
}
