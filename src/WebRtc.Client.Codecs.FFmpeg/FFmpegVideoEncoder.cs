using System.Buffers;
using System.Globalization;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>
/// A libavcodec video encoder (libvpx VP8/VP9, libx264) set up for real time: one packet out per
/// frame in, keyframes on request, bitrate and frame rate changeable while running without a
/// keyframe, and for VP8/VP9 up to three temporal layers. Not thread-safe: call it from one thread
/// at a time.
/// </summary>
/// <remarks>
/// Temporal layers use FFmpeg's libvpx presets (<c>ts-parameters</c> <c>ts_layering_mode</c>): two
/// layers alternate 0,1 (layer-1 frames reference the last base frame and update nothing); three
/// layers run 0,2,1,2 (layer 1 references the last base frame and keeps the golden reference, the
/// second layer-2 frame references it). FFmpeg does not report a packet's layer, but it follows the
/// pattern one step per frame and restarts it on a forced keyframe, so the adapter tracks the same
/// index. Keyframes are then only forced ones: the adapter makes them itself every
/// <see cref="VideoEncoderSettings.KeyFrameInterval"/> frames, so they always start the pattern.
/// </remarks>
public sealed unsafe class FFmpegVideoEncoder : IVideoEncoder
{
    private readonly FFmpegLibrary _lib;
    private readonly FFmpegVideoCodec _codec;
    private readonly nint _encoder;
    private readonly int _keyFrameInterval;
    private readonly int _threads;
    private CodecContextHandle? _context;
    private bool _reopen;
    private bool _rateChanged;
    private nint _vpxEncoder;
    private readonly LayerPattern _pattern;
    private int _patternIndex;
    private long _framesSinceKey;
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
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.TemporalLayers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.TemporalLayers, 3);
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
        _pattern = LayerPattern.For(Math.Min(settings.TemporalLayers, codec.MaxTemporalLayers));
        _frame = new FrameHandle(lib);
        _packet = new PacketHandle(lib);
        try
        {
            _context = Open(settings.Bitrate);
            AttachLibvpx();
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
    public int TemporalLayers => _pattern.Layers;

    /// <inheritdoc />
    public int TargetBitrate
    {
        get => _targetBitrate;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 10_000);
            ObjectDisposedException.ThrowIf(_context is null || _context.IsClosed, this);
            _targetBitrate = value;
            _rateChanged = true;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The encoders fix their time base when opened, so a new frame rate is applied by scaling the
    /// bitrate they are given (in place, like a bitrate change): the per-frame budget becomes target / new rate.
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

            ObjectDisposedException.ThrowIf(_context is null || _context.IsClosed, this);
            _frameRate = value;
            _rateChanged = true;
        }
    }

    /// <inheritdoc />
    public void RequestKeyFrame() => _keyFrameRequested = true;

    /// <inheritdoc />
    public bool Encode(VideoFrame frame, IBufferWriter<byte> output, out bool isKeyFrame)
    {
        bool written = EncodeFrame(frame, output, out EncodedVideoFrameInfo info);
        isKeyFrame = info.IsKeyFrame;
        return written;
    }

    /// <inheritdoc />
    public bool EncodeFrame(VideoFrame frame, IBufferWriter<byte> output, out EncodedVideoFrameInfo info)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_context is null || _context.IsClosed, this);
        if (frame.Width != Width || frame.Height != Height)
        {
            throw new ArgumentException($"The encoder was opened for {Width}x{Height}, not {frame.Width}x{frame.Height}.", nameof(frame));
        }

        if (_rateChanged)
        {
            _rateChanged = false;
            ApplyRate();
        }

        if (_reopen)
        {
            _reopen = false;
            var next = Open(EffectiveBitrate);
            _context.Dispose();
            _context = next;
            AttachLibvpx();

            // A new context starts with a keyframe and its layer pattern from the top.
            _patternIndex = 0;
            _framesSinceKey = 0;
        }

        // With temporal layers the adapter places keyframes itself, so each restarts the pattern.
        bool forceKey = _keyFrameRequested || (_pattern.Layers > 1 && _framesSinceKey >= _keyFrameInterval);
        _keyFrameRequested = false;
        if (forceKey)
        {
            _patternIndex = 0;
        }

        int layer = _pattern.LayerIds[_patternIndex];
        bool sync = _pattern.Sync[_patternIndex];
        _patternIndex = (_patternIndex + 1) % _pattern.LayerIds.Length;

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
        *(int*)(av + AVLayout.FramePictType) = forceKey ? AVLayout.PictureTypeI : AVLayout.PictureTypeNone;

        rc = _lib.avcodec_send_frame(ctx, av);
        if (rc < 0)
        {
            throw new FFmpegException($"{_codec.EncoderName} refused a frame: {_lib.ErrorText(rc)}");
        }

        bool isKeyFrame = false;
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

        _framesSinceKey = isKeyFrame ? 1 : _framesSinceKey + 1;

        // Every keyframe refreshes all references, so the base layer depends on it whatever its slot.
        info = isKeyFrame ? new EncodedVideoFrameInfo(true, 0, false) : new EncodedVideoFrameInfo(false, layer, sync);
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
    // the field is a live change. FFmpeg 5.1's libvpx wrapper reads it only when opened (per frame
    // it re-applies qmax alone), so VP8/VP9 get the new target through libvpx itself; only when
    // that is unavailable do they re-open, starting with a keyframe.
    private void ApplyRate()
    {
        nint ctx = _context!.DangerousGetHandle();
        long bitrate = EffectiveBitrate;
        if (!_codec.UsesLibvpx)
        {
            int rc = Math.Min(_lib.SetOption(ctx, "b", bitrate), Math.Min(_lib.SetOption(ctx, "maxrate", bitrate), _lib.SetOption(ctx, "bufsize", bitrate / 2)));
            if (rc < 0)
            {
                throw new FFmpegException($"Setting the bitrate failed: {_lib.ErrorText(rc)}");
            }

            return;
        }

        var vpx = LibVpx.Instance;
        int kbps = Kbps(bitrate);
        if (vpx is null || _vpxEncoder == 0)
        {
            _reopen = true;
            return;
        }

        string? error = vpx.SetTargetBitrate(_vpxEncoder, kbps, _pattern.CumulativeShares);
        if (error is not null)
        {
            throw new FFmpegException($"Changing the {_codec.EncoderName} bitrate to {kbps} kbit/s failed: {error}");
        }

        // libvpx keeps the configuration it accepted; reading our value back confirms the layout.
        if (LibVpx.TargetKbps(_vpxEncoder) != kbps)
        {
            _vpxEncoder = 0;
            _reopen = true;
        }

        // Keep FFmpeg's own field in step (it is what a re-open would use).
        _lib.SetOption(ctx, "b", bitrate);
    }

    private void AttachLibvpx()
    {
        _vpxEncoder = 0;
        var vpx = LibVpx.Instance;
        if (_codec.UsesLibvpx && vpx is not null)
        {
            nint encoder = vpx.FindEncoder(_context!.DangerousGetHandle(), _codec.Name == "VP9", Width, Height);
            if (encoder != 0 && Math.Max(1, LibVpx.TemporalLayers(encoder)) != _pattern.Layers)
            {
                throw new FFmpegException($"{_codec.EncoderName} runs {LibVpx.TemporalLayers(encoder)} temporal layers, not the {_pattern.Layers} asked for.");
            }

            _vpxEncoder = encoder;
        }
    }

    private static int Kbps(long bitrate) => (int)Math.Max(1, (bitrate + 500) / 1000);

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
            // With temporal layers keyframes are forced by Encode, so libvpx must not place its own.
            int gop = _pattern.Layers > 1 ? int.MaxValue : _keyFrameInterval;
            _lib.SetOption(ctx, "g", gop.ToString(CultureInfo.InvariantCulture), false);
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

            if (_pattern.Layers > 1)
            {
                // Per-layer targets (cumulative kbit/s), then the preset; ts_layering_mode must come last.
                int kbps = Kbps(bitrate);
                string targets = string.Join(',', _pattern.CumulativeShares.Select(share => Math.Max(1, (int)Math.Round(kbps * share)).ToString(CultureInfo.InvariantCulture)));
                _lib.SetOption(ctx, "ts-parameters", $"ts_target_bitrate={targets}:ts_layering_mode={_pattern.FFmpegMode}", true);
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

    /// <summary>A temporal layer structure: FFmpeg's libvpx preset and what each slot of it is.</summary>
    private sealed record LayerPattern(int Layers, int FFmpegMode, int[] LayerIds, bool[] Sync, double[] CumulativeShares)
    {
        private static readonly LayerPattern One = new(1, 0, [0], [false], [1.0]);

        // ts_layering_mode=2: slots 0,1; layer 1 references LAST (the base frame) and updates nothing.
        private static readonly LayerPattern Two = new(2, 2, [0, 1], [false, true], [0.6, 1.0]);

        // ts_layering_mode=3: slots 0,2,1,2; slot 1 and slot 2 reference LAST only, slot 2 (layer 1)
        // refreshes GOLDEN, slot 3 references GOLDEN only. Rate split 40/20/40 as libwebrtc does.
        private static readonly LayerPattern Three = new(3, 3, [0, 2, 1, 2], [false, true, true, false], [0.4, 0.6, 1.0]);

        public static LayerPattern For(int layers) => layers switch { 2 => Two, 3 => Three, _ => One };
    }

    /// <summary>Frees the codec context, frame and packet.</summary>
    public void Dispose()
    {
        _vpxEncoder = 0;
        _packet?.Dispose();
        _frame?.Dispose();
        _context?.Dispose();
    }
}
