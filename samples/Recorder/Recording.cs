using WebRtc.Client;
using WebRtc.Client.Media;

namespace Recorder;

/// <summary>
/// One call's files: VP8 frames go to an IVF file and Opus packets to an Ogg Opus file, byte for byte
/// as they arrived. Each file starts with the first packet it can start with (a VP8 keyframe, whose
/// header gives the IVF file its size); timestamps are the RTP timestamps from there on.
/// </summary>
internal sealed class Recording : IDisposable
{
    private readonly object _gate = new();
    private readonly string _videoPath;
    private readonly string _audioPath;
    private IvfWriter? _ivf;
    private OggOpusWriter? _ogg;
    private int _clockRate = 90000;
    private uint _lastVideoTimestamp;
    private long _videoTime;
    private long _videoFrames;
    private long _keyFrames;
    private long _videoBytes;
    private (int Width, int Height) _size;
    private readonly List<(int Width, int Height)> _sizes = [];
    private long _audioPackets;
    private long _audioSamples;
    private long _audioBytes;
    private long _skipped;
    private bool _disposed;

    public Recording(string videoPath, string audioPath)
    {
        _videoPath = videoPath;
        _audioPath = audioPath;
    }

    /// <summary>One line for the console while recording.</summary>
    public string Progress
    {
        get
        {
            lock (_gate)
            {
                return $"recording: {_videoFrames} VP8 frames ({_keyFrames} key) at {_size.Width}x{_size.Height}, {_audioPackets} Opus packets, {(_videoBytes + _audioBytes) / 1e6:0.00} MB";
            }
        }
    }

    /// <summary>The receivers' <see cref="RTCRtpReceiver.EncodedFrameReceived"/> handler.</summary>
    public void Write(RTCRtpReceiver receiver, in EncodedFrame frame)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (frame.CodecName.Equals("VP8", StringComparison.OrdinalIgnoreCase))
            {
                WriteVideo(frame);
            }
            else if (frame.CodecName.Equals("opus", StringComparison.OrdinalIgnoreCase))
            {
                WriteAudio(frame);
            }
            else
            {
                _skipped++;
            }
        }
    }

    private void WriteVideo(in EncodedFrame frame)
    {
        bool key = Vp8.TryReadKeyFrameSize(frame.Data, out int width, out int height);
        if (key && (width, height) != _size)
        {
            _size = (width, height);
            _sizes.Add(_size);
        }

        if (_ivf is null)
        {
            if (!key)
            {
                _skipped++; // nothing decodes before the first keyframe
                return;
            }

            _ivf = new IvfWriter(File.Create(_videoPath), "VP80", width, height, frame.ClockRate);
            _clockRate = frame.ClockRate;
            _lastVideoTimestamp = frame.RtpTimestamp;
        }

        // RTP timestamps wrap at 2^32; the signed difference unwraps them.
        _videoTime += (int)(frame.RtpTimestamp - _lastVideoTimestamp);
        _lastVideoTimestamp = frame.RtpTimestamp;
        _ivf.WriteFrame(frame.Data, _videoTime);
        _videoFrames++;
        _keyFrames += key ? 1 : 0;
        _videoBytes += frame.Data.Length;
    }

    private void WriteAudio(in EncodedFrame frame)
    {
        int samples = Opus.GetSamples48k(frame.Data);
        if (samples <= 0)
        {
            _skipped++; // empty or malformed: Ogg pages must hold packets that decode
            return;
        }

        _ogg ??= new OggOpusWriter(File.Create(_audioPath), Opus.IsStereo(frame.Data) ? 2 : 1);
        _ogg.WritePacket(frame.Data, samples);
        _audioPackets++;
        _audioSamples += samples;
        _audioBytes += frame.Data.Length;
    }

    /// <summary>What was written, one line a file.</summary>
    public IEnumerable<string> Summary()
    {
        lock (_gate)
        {
            string sizes = string.Join(" then ", _sizes.Select(s => $"{s.Width}x{s.Height}"));
            yield return _videoFrames == 0
                ? $"{_videoPath}: no VP8 keyframe arrived, nothing written"
                : $"{_videoPath}: {_videoFrames} VP8 frames ({_keyFrames} key), {sizes}, {_videoTime / (double)_clockRate:0.0} s, {_videoBytes} bytes";
            yield return _audioPackets == 0
                ? $"{_audioPath}: no Opus packet arrived, nothing written"
                : $"{_audioPath}: {_audioPackets} Opus packets, {_audioSamples / 48000.0:0.0} s, {_audioBytes} bytes";
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _ivf?.Dispose();
            _ogg?.Dispose();
        }
    }
}

/// <summary>The VP8 frame header (RFC 6386 §9.1).</summary>
internal static class Vp8
{
    /// <summary>Reads the size from a keyframe's header; false for an interframe or a damaged frame.</summary>
    public static bool TryReadKeyFrameSize(ReadOnlySpan<byte> frame, out int width, out int height)
    {
        width = height = 0;
        // 3-byte frame tag (bit 0 clear: keyframe), start code 9d 01 2a, then 14-bit width and height
        // (the top 2 bits of each are the upscaling mode).
        if (frame.Length < 10 || (frame[0] & 1) != 0 || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a)
        {
            return false;
        }

        width = (frame[6] | frame[7] << 8) & 0x3fff;
        height = (frame[8] | frame[9] << 8) & 0x3fff;
        return width > 0 && height > 0;
    }
}

/// <summary>The Opus packet's TOC byte (RFC 6716 §3.1).</summary>
internal static class Opus
{
    /// <summary>How many 48 kHz samples per channel the packet decodes to; 0 when it is not a valid packet.</summary>
    public static int GetSamples48k(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return 0;
        }

        int config = packet[0] >> 3;
        int frameSamples = config switch
        {
            < 12 => (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 }, // SILK: 10, 20, 40, 60 ms
            < 16 => (config & 1) == 0 ? 480 : 960,                                     // hybrid: 10, 20 ms
            _ => 120 << (config & 3),                                                  // CELT: 2.5, 5, 10, 20 ms
        };
        int frames = (packet[0] & 3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length > 1 ? packet[1] & 0x3f : 0,
        };
        int total = frameSamples * frames;
        return total <= 5760 ? total : 0; // at most 120 ms
    }

    /// <summary>The TOC's stereo flag.</summary>
    public static bool IsStereo(ReadOnlySpan<byte> packet) => !packet.IsEmpty && (packet[0] & 4) != 0;
}
