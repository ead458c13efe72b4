using System.Buffers.Binary;

namespace WebRtc.Client.Media;

/// <summary>
/// Writes VP8 or VP9 frames to an IVF file (libvpx's container: a 32-byte header, then each frame
/// with a 12-byte size and timestamp header). The frame count is patched on dispose when the
/// stream can seek.
/// </summary>
public sealed class IvfWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _start;
    private readonly byte[] _frameHeader = new byte[12];
    private uint _frames;
    private bool _disposed;

    /// <summary>Writes the file header.</summary>
    /// <param name="stream">Destination.</param>
    /// <param name="fourCc"><c>VP80</c> or <c>VP90</c>.</param>
    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <param name="timebaseDenominator">Timestamps count 1/<paramref name="timebaseDenominator"/> s (the frame rate for frame numbers).</param>
    /// <param name="leaveOpen">Keep <paramref name="stream"/> open on dispose.</param>
    public IvfWriter(Stream stream, string fourCc, int width, int height, int timebaseDenominator, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (fourCc is not ("VP80" or "VP90"))
        {
            throw new ArgumentException("IVF here carries VP80 or VP90.", nameof(fourCc));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(timebaseDenominator, 1);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _start = stream.CanSeek ? stream.Position : 0;

        var header = new byte[32];
        "DKIF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 32);
        System.Text.Encoding.ASCII.GetBytes(fourCc).CopyTo(header, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), (ushort)height);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)timebaseDenominator);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        stream.Write(header);
    }

    /// <summary>Appends one encoded frame.</summary>
    /// <param name="frame">The VP8/VP9 frame.</param>
    /// <param name="timestamp">Presentation time in timebase units.</param>
    public void WriteFrame(ReadOnlySpan<byte> frame, long timestamp)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        BinaryPrimitives.WriteUInt32LittleEndian(_frameHeader, (uint)frame.Length);
        BinaryPrimitives.WriteInt64LittleEndian(_frameHeader.AsSpan(4), timestamp);
        _stream.Write(_frameHeader);
        _stream.Write(frame);
        _frames++;
    }

    /// <summary>Patches the frame count and closes the stream unless told otherwise.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_stream.CanSeek)
        {
            long end = _stream.Position;
            _stream.Position = _start + 24;
            Span<byte> count = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(count, _frames);
            _stream.Write(count);
            _stream.Position = end;
        }

        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
