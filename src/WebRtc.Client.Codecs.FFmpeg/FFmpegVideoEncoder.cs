using System.Buffers;
using System.Globalization;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>
/// A libavcodec video encoder (libvpx VP8/VP9, libx264) set up for real time: one packet out per
/// frame in, keyframes on request, bitrate and frame rate changeable while running. Not thread-safe:
/// call it from one thread at a time.
/// </summary>
public sealed unsafe class FFmpegVideoEncoder : IVideoEncoder
{
    private readonly FFmpegLibrary _lib;
    private readonly FFmpegVideoCodec _codec;
    private readonly nint _encoder;
    private readonly int _keyFrameInterval;
    private readonly int _threads;
    private CodecContextHandle? _context;
    private bool _reopen;
    private readonly FrameHandle _frame;
    private readonly PacketHandle _packet;
    private readonly double _configuredFrameRate;
    private int _targetBitrate;
    private double _frameRate;
    private long _pts;
    private bool _keyFrameRequested;

    internal FFmpegVideoEncoder(FFmpegLibrary lib, FFmpegVideoCodec codec, VideoEncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Height, 16);
        if (settings.Width % 2 != 0 || settings.Height % 2 != 0)
        {
            throw new ArgumentException("Encoders take even frame sizes (4:2:0 chroma).", nameof(settings));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Bitrate, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.KeyFrameInterval, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Threads, 1);
        if (!(settings.FrameRate is > 0 and <= 240))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.FrameRate, "Frame rate must be in (0, 240].");
        }

        _lib = lib;
        _codec = codec;
        Width = settings.Width;
        Height = settings.Height;
        _configuredFrameRate = settings.FrameRate;
        _frameRate = settings.FrameRate;
        _targetBitrate = settings.Bitrate;

        nint encoder;
        fixed (byte* name = FFmpegLibrary.Utf8(codec.EncoderName))
        {
            encoder = lib.avcodec_find_encoder_by_name(name);
        }

        if (encoder == 0)
        {
            throw new FFmpegException($"libavcodec {lib.CodecMajor} has no '{codec.EncoderName}' encoder. Debian's libavcodec{lib.CodecMajor} has it; builds without it cannot encode {codec.Name}.");
        }

        _encoder = encoder;
        _keyFrameInterval = settings.KeyFrameInterval;
        _threads = settings.Threads;
        _frame = new FrameHandle(lib);
        _packet = new PacketHandle(lib);
        try
        {
            _context = Open(settings.Bitrate);
            nint frame = _frame.DangerousGetHandle();
            *(int*)(frame + AVLayout.FrameWidth) = Width;
            *(int*)(frame + AVLayout.FrameHeight) = Height;
            *(int*)(frame + AVLayout.FrameFormat) = AVLayout.PixelFormatYuv420P;
            int rc = lib.av_frame_get_buffer(frame, 0);
            if (rc < 0)
            {
                throw new FFmpegException($"av_frame_get_buffer failed: {lib.ErrorText(rc)}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string CodecName => _codec.Name;

    /// <summary>Frame width the encoder was opened with.</summary>
    public int Width { get; }

    /// <summary>Frame height the encoder was opened with.</summary>
    public int Height { get; }

    /// <inheritdoc />
    public int TemporalLayers => 1;

    /// <inheritdoc />
    public int TargetBitrate
    {
        get => _targetBitrate;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 10_000);
            _targetBitrate = value;
            ApplyRate();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The encoders fix their time base when opened, so a new frame rate is applied by scaling the
    /// bitrate they are given: the per-frame budget becomes target / new rate.
    /// </remarks>
    public double FrameRate
    {
        get => _frameRate;
        set
        {
            if (!(value is > 0 and <= 240))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Frame rate must be in (0, 240].");
            }

            _frameRate = value;
            ApplyRate();
        }
    }

    /// <inheritdoc />
    public void RequestKeyFrame() => _keyFrameRequested = true;

    /// <inheritdoc />
    public bool Encode(VideoFrame frame, IBufferWriter<byte> output, out bool isKeyFrame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_context is null || _context.IsClosed, this);
        if (frame.Width != Width || frame.Height != Height)
        {
            throw new ArgumentException($"The encoder was opened for {Width}x{Height}, not {frame.Width}x{frame.Height}.", nameof(frame));
        }

        if (_reopen)
        {
            _reopen = false;
            var next = Open(EffectiveBitrate);
            _context.Dispose();
            _context = next;
        }

        nint ctx = _context.DangerousGetHandle();
        nint av = _frame.DangerousGetHandle();
        int rc = _lib.av_frame_make_writable(av);
        if (rc < 0)
        {
            throw new FFmpegException($"av_frame_make_writable failed: {_lib.ErrorText(rc)}");
        }

        CopyPlane(frame.Y, frame.StrideY, av, 0, Width, Height);
        CopyPlane(frame.U, frame.StrideU, av, 1, frame.ChromaWidth, frame.ChromaHeight);
        CopyPlane(frame.V, frame.StrideV, av, 2, frame.ChromaWidth, frame.ChromaHeight);
        *(long*)(av + AVLayout.FramePts) = _pts++;
        *(int*)(av + AVLayout.FramePictType) = _keyFrameRequested ? AVLayout.PictureTypeI : AVLayout.PictureTypeNone;
        _keyFrameRequested = false;

        rc = _lib.avcodec_send_frame(ctx, av);
        if (rc < 0)
        {
            throw new FFmpegException($"{_codec.EncoderName} refused a frame: {_lib.ErrorText(rc)}");
        }

        isKeyFrame = false;
        bool produced = false;
        nint packet = _packet.DangerousGetHandle();
        while ((rc = _lib.avcodec_receive_packet(ctx, packet)) >= 0)
        {
            byte* data = *(byte**)(packet + AVLayout.PacketData);
            int size = *(int*)(packet + AVLayout.PacketSize);
            isKeyFrame |= (*(int*)(packet + AVLayout.PacketFlags) & AVLayout.PacketFlagKey) != 0;
            new ReadOnlySpan<byte>(data, size).CopyTo(output.GetSpan(size));
            output.Advance(size);
            produced = true;
            _lib.av_packet_unref(packet);
        }

        if (rc != AVLayout.ErrorAgain && rc != AVLayout.ErrorEof)
        {
            throw new FFmpegException($"{_codec.EncoderName} failed: {_lib.ErrorText(rc)}");
        }

        return produced;
    }

    private void CopyPlane(ReadOnlySpan<byte> source, int sourceStride, nint av, int plane, int width, int height)
    {
        byte* dst = *(byte**)(av + AVLayout.FrameData + plane * sizeof(nint));
        int dstStride = *(int*)(av + AVLayout.FrameLinesize + plane * sizeof(int));
        for (int row = 0; row < height; row++)
        {
            source.Slice(row * sourceStride, width).CopyTo(new Span<byte>(dst + row * dstStride, width));
        }
    }

    // libx264 re-reads bit_rate before every frame and reconfigures itself, so for H.264 writing
    // the field is a live change. FFmpeg 5.1's libvpx wrapper reads it only when opened: VP8/VP9
    // re-open on the next frame, which starts with a keyframe.
    private void ApplyRate()
    {
        ObjectDisposedException.ThrowIf(_context is null || _context.IsClosed, this);
        if (!_codec.LiveBitrate)
        {
            _reopen = true;
            return;
        }

        nint ctx = _context.DangerousGetHandle();
        long bitrate = EffectiveBitrate;
        int rc = Math.Min(_lib.SetOption(ctx, "b", bitrate), Math.Min(_lib.SetOption(ctx, "maxrate", bitrate), _lib.SetOption(ctx, "bufsize", bitrate / 2)));
        if (rc < 0)
        {
            throw new FFmpegException($"Setting the bitrate failed: {_lib.ErrorText(rc)}");
        }
    }

    private long EffectiveBitrate => (long)Math.Round(_targetBitrate * _configuredFrameRate / _frameRate);

    private CodecContextHandle Open(long bitrate)
    {
        var handle = new CodecContextHandle(_lib, _lib.avcodec_alloc_context3(_encoder));
        try
        {
            nint ctx = handle.DangerousGetHandle();

            // libvpx counts each frame as one time_base tick, so the time base is the frame rate.
            int fps = (int)Math.Round(_configuredFrameRate);
            _lib.SetOption(ctx, "video_size", $"{Width}x{Height}", false);
            _lib.SetOption(ctx, "pixel_format", "yuv420p", false);
            _lib.SetOption(ctx, "time_base", $"1/{fps}", false);
            _lib.SetOption(ctx, "b", bitrate.ToString(CultureInfo.InvariantCulture), false);
            _lib.SetOption(ctx, "g", _keyFrameInterval.ToString(CultureInfo.InvariantCulture), false);
            _lib.SetOption(ctx, "threads", _threads.ToString(CultureInfo.InvariantCulture), false);
            _lib.SetOption(ctx, "bf", "0", false);
            if (_codec.LiveBitrate)
            {
                // A VBV of half a second keeps x264 near the target frame by frame, as a network
                // path needs, and makes a rate change show within a few frames.
                _lib.SetOption(ctx, "maxrate", bitrate.ToString(CultureInfo.InvariantCulture), false);
                _lib.SetOption(ctx, "bufsize", (bitrate / 2).ToString(CultureInfo.InvariantCulture), false);
            }

            foreach (var (name, value) in _codec.PrivateOptions)
            {
                _lib.SetOption(ctx, name, value, true);
            }

            int rc = _lib.avcodec_open2(ctx, _encoder, 0);
            if (rc < 0)
            {
                throw new FFmpegException($"Opening the {_codec.EncoderName} encoder at {Width}x{Height} failed: {_lib.ErrorText(rc)}");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Frees the codec context, frame and packet.</summary>
    public void Dispose()
    {
        _packet?.Dispose();
        _frame?.Dispose();
        _context?.Dispose();
    }
}
