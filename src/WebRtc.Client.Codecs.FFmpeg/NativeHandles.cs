using System.Runtime.InteropServices;

namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>Owns an AVCodecContext; releasing calls <c>avcodec_free_context</c>.</summary>
internal sealed unsafe class CodecContextHandle : SafeHandle
{
    private readonly FFmpegLibrary _lib;

    public CodecContextHandle(FFmpegLibrary lib, nint context)
        : base(0, ownsHandle: true)
    {
        _lib = lib;
        SetHandle(context);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        _lib.avcodec_free_context(&p);
        return true;
    }
}

/// <summary>Owns an AVFrame; releasing calls <c>av_frame_free</c> (which drops its buffers).</summary>
internal sealed unsafe class FrameHandle : SafeHandle
{
    private readonly FFmpegLibrary _lib;

    public FrameHandle(FFmpegLibrary lib)
        : base(0, ownsHandle: true)
    {
        _lib = lib;
        SetHandle(lib.av_frame_alloc());
        if (IsInvalid)
        {
            throw new OutOfMemoryException("av_frame_alloc failed");
        }
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        _lib.av_frame_free(&p);
        return true;
    }
}

/// <summary>Owns an AVPacket; releasing calls <c>av_packet_free</c>.</summary>
internal sealed unsafe class PacketHandle : SafeHandle
{
    private readonly FFmpegLibrary _lib;

    public PacketHandle(FFmpegLibrary lib)
        : base(0, ownsHandle: true)
    {
        _lib = lib;
        SetHandle(lib.av_packet_alloc());
        if (IsInvalid)
        {
            throw new OutOfMemoryException("av_packet_alloc failed");
        }
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        _lib.av_packet_free(&p);
        return true;
    }
}
