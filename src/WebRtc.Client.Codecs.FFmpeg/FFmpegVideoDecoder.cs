using WebRtc.Client.Codecs;
using WebRtc.Client.Media;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>
/// A libavcodec video decoder (FFmpeg's own vp8, vp9, h264) producing pooled I420 frames. Corrupt
/// input yields null, never an exception. Not thread-safe.
/// </summary>
public sealed unsafe class FFmpegVideoDecoder : IVideoDecoder
{
    private readonly FFmpegLibrary _lib;
    private readonly FFmpegVideoCodec _codec;
    private readonly CodecContextHandle _context;
    private readonly FrameHandle _frame;
    private readonly PacketHandle _packet;

    internal FFmpegVideoDecoder(FFmpegLibrary lib, FFmpegVideoCodec codec, int threads = 1)
    {
        _lib = lib;
        _codec = codec;
        nint decoder;
        fixed (byte* name = FFmpegLibrary.Utf8(codec.DecoderName))
        {
            decoder = lib.avcodec_find_decoder_by_name(name);
        }

        if (decoder == 0)
        {
            throw new FFmpegException($"libavcodec {lib.CodecMajor} has no '{codec.DecoderName}' decoder.");
        }

        _context = new CodecContextHandle(lib, lib.avcodec_alloc_context3(decoder));
        _frame = new FrameHandle(lib);
        _packet = new PacketHandle(lib);
        try
        {
            nint ctx = _context.DangerousGetHandle();
            lib.SetOption(ctx, "threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), false);
            int rc = lib.avcodec_open2(ctx, decoder, 0);
            if (rc < 0)
            {
                throw new FFmpegException($"Opening the {codec.DecoderName} decoder failed: {lib.ErrorText(rc)}");
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

    /// <inheritdoc />
    public VideoFrame? Decode(ReadOnlySpan<byte> encodedFrame, TimeSpan timestamp)
    {
        ObjectDisposedException.ThrowIf(_context.IsClosed, this);
        if (encodedFrame.IsEmpty)
        {
            return null;
        }

        nint ctx = _context.DangerousGetHandle();
        nint packet = _packet.DangerousGetHandle();

        // av_new_packet adds the zeroed padding FFmpeg's bitstream readers may overread into.
        if (_lib.av_new_packet(packet, encodedFrame.Length) < 0)
        {
            return null;
        }

        encodedFrame.CopyTo(new Span<byte>(*(byte**)(packet + AVLayout.PacketData), encodedFrame.Length));
        *(long*)(packet + AVLayout.PacketPts) = timestamp.Ticks;
        int rc = _lib.avcodec_send_packet(ctx, packet);
        _lib.av_packet_unref(packet);
        if (rc < 0 && rc != AVLayout.ErrorAgain)
        {
            return null;
        }

        VideoFrame? result = null;
        nint av = _frame.DangerousGetHandle();
        while (_lib.avcodec_receive_frame(ctx, av) >= 0)
        {
            // Real-time streams give one picture per packet; keep the newest if a decoder gives more.
            result?.Dispose();
            result = CopyOut(av, timestamp);
            _lib.av_frame_unref(av);
        }

        return result;
    }

    private static VideoFrame? CopyOut(nint av, TimeSpan timestamp)
    {
        int format = *(int*)(av + AVLayout.FrameFormat);
        int width = *(int*)(av + AVLayout.FrameWidth);
        int height = *(int*)(av + AVLayout.FrameHeight);
        if (format is not (AVLayout.PixelFormatYuv420P or AVLayout.PixelFormatYuvJ420P) || width < 1 || height < 1)
        {
            return null;
        }

        var frame = VideoFrame.Create(width, height, timestamp);
        CopyPlane(av, 0, frame.Y, frame.StrideY, width, height);
        CopyPlane(av, 1, frame.U, frame.StrideU, frame.ChromaWidth, frame.ChromaHeight);
        CopyPlane(av, 2, frame.V, frame.StrideV, frame.ChromaWidth, frame.ChromaHeight);
        return frame;
    }

    private static void CopyPlane(nint av, int plane, Span<byte> destination, int destinationStride, int width, int height)
    {
        byte* src = *(byte**)(av + AVLayout.FrameData + plane * sizeof(nint));
        int srcStride = *(int*)(av + AVLayout.FrameLinesize + plane * sizeof(int));
        for (int row = 0; row < height; row++)
        {
            new ReadOnlySpan<byte>(src + (long)row * srcStride, width).CopyTo(destination.Slice(row * destinationStride, width));
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
