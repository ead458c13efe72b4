using System.Buffers;
using System.Buffers.Binary;

namespace WebRtc.Client.Net;

/// <summary>What <see cref="TcpFrameReader.TryReadFrame"/> found.</summary>
internal enum TcpFrameStatus
{
    /// <summary>A whole frame is available.</summary>
    Frame,

    /// <summary>No whole frame yet: read more bytes into <see cref="TcpFrameReader.GetReadBuffer"/>.</summary>
    NeedMore,

    /// <summary>The stream cannot be framed (sticky): the connection must be closed.</summary>
    Corrupt,
}

/// <summary>
/// Sans-IO framer of a TCP byte stream (RFC 4571 or STUN/ChannelData, see <see cref="TcpFraming"/>).
/// The driver reads straight into <see cref="GetReadBuffer"/>, reports the count with
/// <see cref="Advance"/> and takes frames out with <see cref="TryReadFrame"/>; a frame is a view
/// of the reader's buffer, so nothing is copied or allocated per frame. Not thread-safe: one
/// reader per stream, used by one loop. Never throws on stream content, whatever it is.
/// </summary>
internal sealed class TcpFrameReader : IDisposable
{
    /// <summary>Largest frame on the stream: a STUN header plus the largest 16-bit length.</summary>
    public const int MaxStreamFrameLength = StunHeaderLength + ushort.MaxValue;

    private const int StunHeaderLength = 20;
    private const int ChannelDataHeaderLength = 4;

    /// <summary>
    /// Twice the largest frame rounded up to the pool's bucket: after compaction at most one
    /// partial frame remains, which still leaves room for large reads.
    /// </summary>
    private const int BufferSize = 128 * 1024;

    /// <summary>Below this much free room at the end, unconsumed bytes move to the front first.</summary>
    private const int MinReadSize = 16 * 1024;

    private readonly TcpFraming _framing;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _corrupt;

    /// <summary>Creates a reader for <paramref name="framing"/> with a pooled buffer.</summary>
    public TcpFrameReader(TcpFraming framing)
    {
        if (framing is not (TcpFraming.Rfc4571 or TcpFraming.Stun))
        {
            throw new ArgumentOutOfRangeException(nameof(framing), framing, "Unknown TCP framing.");
        }

        _framing = framing;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>Bytes received and not yet returned as frames (a partial frame).</summary>
    public int Buffered => _end - _start;

    /// <summary>After <see cref="TcpFrameStatus.Corrupt"/>: the first byte that could not start a frame.</summary>
    public byte CorruptByte { get; private set; }

    /// <summary>
    /// Where the next bytes of the stream go; never empty. May move buffered bytes, so any frame
    /// returned before becomes invalid.
    /// </summary>
    public Memory<byte> GetReadBuffer()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(TcpFrameReader));
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (buffer.Length - _end < MinReadSize && _start > 0)
        {
            buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
            _end -= _start;
            _start = 0;
        }

        // Never empty: unconsumed bytes are less than one whole frame, far below the buffer size.
        return buffer.AsMemory(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were written into <see cref="GetReadBuffer"/>.</summary>
    public void Advance(int count)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(TcpFrameReader));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - _end);
        _end += count;
    }

    /// <summary>
    /// Takes the next whole frame out of the buffered bytes. <paramref name="frame"/> is valid
    /// until the next <see cref="GetReadBuffer"/> or <see cref="Dispose"/>.
    /// </summary>
    public TcpFrameStatus TryReadFrame(out ReadOnlySpan<byte> frame)
    {
        frame = default;
        if (_corrupt)
        {
            return TcpFrameStatus.Corrupt;
        }

        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(TcpFrameReader));
        while (true)
        {
            var data = buffer.AsSpan(_start, _end - _start);
            int frameOffset;
            int frameLength;
            int streamLength;
            if (_framing == TcpFraming.Rfc4571)
            {
                if (data.Length < 2)
                {
                    return TcpFrameStatus.NeedMore;
                }

                frameOffset = 2;
                frameLength = BinaryPrimitives.ReadUInt16BigEndian(data);
                streamLength = 2 + frameLength;
            }
            else
            {
                if (data.Length < 1)
                {
                    return TcpFrameStatus.NeedMore;
                }

                // The first byte alone tells a corrupt stream, so it is closed without waiting.
                byte first = data[0];
                bool stun = first < 0x40;
                if (!stun && first > 0x7F)
                {
                    CorruptByte = first;
                    _corrupt = true;
                    return TcpFrameStatus.Corrupt;
                }

                if (data.Length < 4)
                {
                    return TcpFrameStatus.NeedMore;
                }

                int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
                frameOffset = 0;
                if (stun)
                {
                    // RFC 8489 §5: the length excludes the 20-byte header.
                    frameLength = StunHeaderLength + length;
                    streamLength = frameLength;
                }
                else
                {
                    // RFC 8656 §12.5: over TCP, ChannelData is padded to a multiple of 4 bytes;
                    // the whole padded message is awaited so the next frame starts aligned.
                    frameLength = ChannelDataHeaderLength + length;
                    streamLength = (frameLength + 3) & ~3;
                }
            }

            if (data.Length < streamLength)
            {
                return TcpFrameStatus.NeedMore;
            }

            _start += streamLength;
            if (frameLength == 0)
            {
                continue; // RFC 4571 zero-length frame: nothing to deliver
            }

            frame = data.Slice(frameOffset, frameLength);
            return TcpFrameStatus.Frame;
        }
    }

    /// <summary>Returns the buffer to the pool; frames handed out become invalid.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
