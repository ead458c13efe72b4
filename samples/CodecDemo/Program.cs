using System.Buffers;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;

// Encodes 5 s of the test pattern (VP8, VP9 to IVF; H.264 to Annex-B) and of a 440 Hz sine (Ogg
// Opus) so a person can look at and listen to what the adapters make: ffprobe/ffplay/mpv read them.
string directory = args.Length > 0 ? args[0] : Path.Combine(Environment.CurrentDirectory, "codec-demo");
Directory.CreateDirectory(directory);
const int Width = 640, Height = 480, Fps = 30, Seconds = 5;

void EncodeVideo(FFmpegVideoCodec codec, string file)
{
    string path = Path.Combine(directory, file);
    var source = VideoSource.TestPattern(Width, Height, Fps);
    using var encoder = codec.CreateEncoder(new VideoEncoderSettings { Width = Width, Height = Height, FrameRate = Fps, Bitrate = 1_500_000 });
    var output = new ArrayBufferWriter<byte>();
    using var stream = File.Create(path);
    using var ivf = codec.Name == "H264" ? null : new IvfWriter(stream, codec.Name == "VP8" ? "VP80" : "VP90", Width, Height, Fps, leaveOpen: true);
    int keyFrames = 0;
    for (int i = 0; i < Fps * Seconds; i++)
    {
        if (i == Fps * 2)
        {
            encoder.RequestKeyFrame(); // as a PLI would, so the file shows one mid-stream
        }

        using var frame = source.NextFrame();
        output.ResetWrittenCount();
        if (!encoder.Encode(frame, output, out bool key))
        {
            continue;
        }

        keyFrames += key ? 1 : 0;
        if (ivf is null)
        {
            stream.Write(output.WrittenSpan); // Annex-B access units concatenate into a .h264 stream
        }
        else
        {
            ivf.WriteFrame(output.WrittenSpan, i);
        }
    }

    ivf?.Dispose();
    Console.WriteLine($"{path}: {codec.Name} {Width}x{Height} {Fps} fps, {stream.Length} bytes, {keyFrames} keyframes");
}

EncodeVideo(FFmpegCodecs.Vp8, "test-pattern-vp8.ivf");
EncodeVideo(FFmpegCodecs.Vp9, "test-pattern-vp9.ivf");
EncodeVideo(FFmpegCodecs.H264, "test-pattern.h264");

string opusPath = Path.Combine(directory, "sine-440hz.opus");
using (var encoder = new OpusAudioEncoder(new AudioEncoderSettings { Channels = 2, Voice = false, Bitrate = 64000 }))
using (var ogg = new OggOpusWriter(File.Create(opusPath), channels: 2))
{
    var sine = AudioSource.Sine(440, amplitude: 0.3, sampleRate: 48000, channels: 2);
    var packet = new byte[OpusAudioEncoder.MaxPacketSize];
    for (int i = 0; i < Seconds * 50; i++)
    {
        using var frame = sine.NextFrame();
        ogg.WritePacket(packet.AsSpan(0, encoder.Encode(frame.Samples, packet)), frame.SamplesPerChannel);
    }
}

Console.WriteLine($"{opusPath}: Opus 48 kHz stereo, 440 Hz, {new FileInfo(opusPath).Length} bytes");
Console.WriteLine($"Check: ffprobe -hide_banner {Path.Combine(directory, "test-pattern.h264")}   Play: ffplay {opusPath}");
