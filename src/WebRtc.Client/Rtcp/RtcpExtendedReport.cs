using System.Buffers.Binary;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Rtcp;

/// <summary>XR report block types used here (RFC 3611 §4).</summary>
public static class RtcpXrBlockType
{
    /// <summary>Receiver Reference Time report block.</summary>
    public const byte ReceiverReferenceTime = 4;
    /// <summary>DLRR report block.</summary>
    public const byte Dlrr = 5;
}

/// <summary>One XR report block: type, type-specific byte and contents.</summary>
public readonly ref struct RtcpXrBlock
{
    /// <summary>Creates a block view.</summary>
    public RtcpXrBlock(byte type, byte typeSpecific, ReadOnlySpan<byte> content)
    {
        Type = type;
        TypeSpecific = typeSpecific;
        Content = content;
    }

    /// <summary>Block type (BT).</summary>
    public byte Type { get; }

    /// <summary>The type-specific byte.</summary>
    public byte TypeSpecific { get; }

    /// <summary>The block contents after its 4-byte header.</summary>
    public ReadOnlySpan<byte> Content { get; }

    /// <summary>Reads a Receiver Reference Time block (RFC 3611 §4.4).</summary>
    public bool TryGetReceiverReferenceTime(out NtpTime time)
    {
        time = default;
        if (Type != RtcpXrBlockType.ReceiverReferenceTime || Content.Length != 8)
        {
            return false;
        }

        time = new NtpTime(BinaryPrimitives.ReadUInt64BigEndian(Content));
        return true;
    }

    /// <summary>Number of DLRR sub-blocks (RFC 3611 §4.5), 0 for another block type.</summary>
    public int DlrrCount => Type == RtcpXrBlockType.Dlrr ? Content.Length / 12 : 0;

    /// <summary>Reads DLRR sub-block <paramref name="index"/>.</summary>
    public RtcpDlrrItem GetDlrr(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)DlrrCount, nameof(index));
        var item = Content[(index * 12)..];
        return new RtcpDlrrItem(BinaryPrimitives.ReadUInt32BigEndian(item), BinaryPrimitives.ReadUInt32BigEndian(item[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(item[8..]));
    }
}

/// <summary>A DLRR sub-block (RFC 3611 §4.5).</summary>
/// <param name="Ssrc">The receiver the sub-block answers.</param>
/// <param name="LastReceiverReport">The compact NTP time of its last RRTR (LRR).</param>
/// <param name="DelaySinceLastReceiverReport">Delay since then in 1/65536 s (DLRR).</param>
public readonly record struct RtcpDlrrItem(uint Ssrc, uint LastReceiverReport, uint DelaySinceLastReceiverReport)
{
    /// <summary>Round-trip time (RFC 3611 §4.5: A - LRR - DLRR) given the arrival compact NTP time; null without an RRTR.</summary>
    public TimeSpan? GetRoundTripTime(uint arrivalCompactNtp) =>
        RtcpReportBlock.RoundTrip(arrivalCompactNtp, LastReceiverReport, DelaySinceLastReceiverReport);
}

/// <summary>An Extended Report packet (RFC 3611 §2).</summary>
public readonly ref struct RtcpExtendedReport
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpExtendedReport(ReadOnlySpan<byte> body) => _body = body;

    /// <summary>The reporter's SSRC.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>The report blocks in order.</summary>
    public Enumerator Blocks => new(_body.IsEmpty ? default : _body[4..]);

    /// <summary>Parses an XR packet, checking every block's length.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpExtendedReport report, out RtcpParseError error)
    {
        report = default;
        if (packet.Type != RtcpPacketType.ExtendedReport)
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        if (packet.Body.Length < 4)
        {
            error = RtcpParseError.TooShort;
            return false;
        }

        var blocks = packet.Body[4..];
        int offset = 0;
        while (offset < blocks.Length)
        {
            if (blocks.Length - offset < 4 || (BinaryPrimitives.ReadUInt16BigEndian(blocks[(offset + 2)..]) * 4) > blocks.Length - offset - 4)
            {
                error = RtcpParseError.Malformed;
                return false;
            }

            offset += 4 + (BinaryPrimitives.ReadUInt16BigEndian(blocks[(offset + 2)..]) * 4);
        }

        report = new RtcpExtendedReport(packet.Body);
        error = RtcpParseError.None;
        return true;
    }

    /// <summary>Walks XR blocks.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _blocks;
        private int _offset;

        internal Enumerator(ReadOnlySpan<byte> blocks)
        {
            _blocks = blocks;
            _offset = 0;
            Current = default;
        }

        /// <summary>The current block.</summary>
        public RtcpXrBlock Current { get; private set; }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly Enumerator GetEnumerator() => this;

        /// <summary>Moves to the next block.</summary>
        public bool MoveNext()
        {
            if (_blocks.Length - _offset < 4)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(_blocks[(_offset + 2)..]) * 4;
            if (length > _blocks.Length - _offset - 4)
            {
                return false;
            }

            Current = new RtcpXrBlock(_blocks[_offset], _blocks[_offset + 1], _blocks.Slice(_offset + 4, length));
            _offset += 4 + length;
            return true;
        }
    }
}
