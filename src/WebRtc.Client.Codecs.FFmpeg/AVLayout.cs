namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>
/// Byte offsets of the AVFrame and AVPacket fields we read and write (x86-64/arm64 LP64). They
/// are the leading fields of both structs and have not moved from FFmpeg 4 to 7; a test compiles
/// a C program against libavcodec-dev that prints offsetof for each and compares. Everything on
/// AVCodecContext goes through AVOptions, except <c>priv_data</c> (its seventh field, also
/// unmoved since FFmpeg 4), which leads to libvpx's context for in-place rate changes.
/// </summary>
internal static class AVLayout
{
    public const int FrameData = 0;
    public const int FrameLinesize = 64;
    public const int FrameWidth = 104;
    public const int FrameHeight = 108;
    public const int FrameFormat = 116;
    public const int FramePictType = 124;
    public const int FramePts = 136;

    public const int CodecContextPrivData = 32;

    public const int PacketPts = 8;
    public const int PacketData = 24;
    public const int PacketSize = 32;
    public const int PacketFlags = 40;

    public const int PixelFormatYuv420P = 0;
    public const int PixelFormatYuvJ420P = 12;
    public const int PictureTypeNone = 0;
    public const int PictureTypeI = 1;
    public const int PacketFlagKey = 1;

    public const int ErrorEof = -541478725;
    public const int ErrorAgain = -11;
    public const int OptSearchChildren = 1;
    public const int LogQuiet = -8;
}
