using System.Buffers.Binary;

namespace WebRtc.Client.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2).</summary>
public enum RtcpPacketType : byte
{
    /// <summary>Sender report.</summary>
    SenderReport = 200,
    /// <summary>Receiver report.</summary>
    ReceiverReport = 201,
    /// <summary>Source description.</summary>
    SourceDescription = 202,
    /// <summary>Goodbye.</summary>
    Bye = 203,
    /// <summary>Application-defined.</summary>
    App = 204,
    /// <summary>Transport-layer feedback (generic NACK, transport-wide CC).</summary>
    TransportFeedback = 205,
    /// <summary>Payload-specific feedback (PLI, FIR, REMB).</summary>
    PayloadFeedback = 206,
    /// <summary>Extended report (RFC 3611).</summary>
    ExtendedReport = 207,
}

/// <summary>Why an RTCP packet or compound was refused.</summary>
public enum RtcpParseError
{
    /// <summary>Parsed.</summary>
    None = 0,
    /// <summary>Shorter than a 4-byte header, or than the packet type requires.</summary>
    TooShort,
    /// <summary>The version is not 2.</summary>
    BadVersion,
    /// <summary>The length field runs past the data.</summary>
    BadLength,
    /// <summary>The padding count is zero or larger than the packet, or padding on a packet that is not last.</summary>
    BadPadding,
    /// <summary>The packet is not of the type asked for.</summary>
    WrongType,
    /// <summary>A count (reports, chunks, items, statuses) does not fit in the packet.</summary>
    BadCount,
    /// <summary>The packet's contents are malformed (items, chunks, identifiers).</summary>
    Malformed,
}

/// <summary>One RTCP packet inside a compound: the common header (RFC 3550 §6.4.1) and its body.</summary>
public readonly ref struct RtcpPacket
{
    /// <summary>The common header size.</summary>
    public const int HeaderLength = 4;

    private RtcpPacket(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> body)
    {
        Raw = raw;
        Body = body;
    }

    /// <summary>The whole packet as on the wire, padding included.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The bytes after the 4-byte header, padding excluded.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>The 5-bit count field: report count, source count, FMT or APP subtype.</summary>
    public int Count => Raw.IsEmpty ? 0 : Raw[0] & 0x1F;

    /// <summary>The packet type.</summary>
    public RtcpPacketType Type => Raw.IsEmpty ? 0 : (RtcpPacketType)Raw[1];

    /// <summary>True when the P bit is set.</summary>
    public bool HasPadding => !Raw.IsEmpty && (Raw[0] & 0x20) != 0;

    /// <summary>Quick RFC 5761 demultiplexing test: version 2 and a packet type 192–223.</summary>
    public static bool IsRtcp(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderLength && (datagram[0] >> 6) == 2 && datagram[1] is >= 192 and <= 223;

    /// <summary>Reads the first packet of <paramref name="data"/>; <paramref name="length"/> is its size on the wire.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RtcpPacket packet, out int length, out RtcpParseError error)
    {
        packet = default;
        length = 0;
        if (data.Length < HeaderLength)
        {
            error = RtcpParseError.TooShort;
            return false;
        }

        if ((data[0] >> 6) != 2)
        {
            error = RtcpParseError.BadVersion;
            return false;
        }

        int total = (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + 1) * 4;
        if (total > data.Length)
        {
            error = RtcpParseError.BadLength;
            return false;
        }

        int bodyLength = total - HeaderLength;
        if ((data[0] & 0x20) != 0)
        {
            int padding = data[total - 1];
            if (padding == 0 || padding > bodyLength)
            {
                error = RtcpParseError.BadPadding;
                return false;
            }

            bodyLength -= padding;
        }

        packet = new RtcpPacket(data[..total], data.Slice(HeaderLength, bodyLength));
        length = total;
        error = RtcpParseError.None;
        return true;
    }

    /// <summary>Writes a common header (length from <paramref name="totalLength"/>, a multiple of 4).</summary>
    internal static void WriteHeader(Span<byte> destination, int count, RtcpPacketType type, int totalLength)
    {
        destination[0] = (byte)(0x80 | count);
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((totalLength / 4) - 1));
    }
}

/// <summary>
/// Walks the packets of a compound (or reduced-size, RFC 5506) RTCP datagram without allocating.
/// Stops at the first malformed packet; <see cref="Error"/> then says why.
/// </summary>
public ref struct RtcpCompoundEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;
    private RtcpPacket _current;

    /// <summary>Enumerates the packets in <paramref name="data"/>.</summary>
    public RtcpCompoundEnumerator(ReadOnlySpan<byte> data)
    {
        _data = data;
        _offset = 0;
        _current = default;
        Error = RtcpParseError.None;
    }

    /// <summary>The current packet.</summary>
    public readonly RtcpPacket Current => _current;

    /// <summary>Why enumeration stopped early, or None.</summary>
    public RtcpParseError Error { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly RtcpCompoundEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next packet.</summary>
    public bool MoveNext()
    {
        if (_offset >= _data.Length || Error != RtcpParseError.None)
        {
            return false;
        }

        if (!RtcpPacket.TryParse(_data[_offset..], out _current, out int length, out var error))
        {
            Error = error;
            return false;
        }

        // RFC 3550 §6.4.1 pads only the last packet, but libwebrtc pads transport-cc feedback in
        // the middle of compounds too; the length field is exact either way, so accept it.
        _offset += length;
        return true;
    }

    /// <summary>True when every packet of <paramref name="data"/> has a valid header and length.</summary>
    public static bool Validate(ReadOnlySpan<byte> data, out RtcpParseError error)
    {
        var e = new RtcpCompoundEnumerator(data);
        int count = 0;
        while (e.MoveNext())
        {
            count++;
        }

        error = count == 0 && e.Error == RtcpParseError.None ? RtcpParseError.TooShort : e.Error;
        return error == RtcpParseError.None;
    }
}
