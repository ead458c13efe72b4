using System.Buffers.Binary;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Rtcp;

/// <summary>A Sender Report (RFC 3550 §6.4.1).</summary>
public readonly ref struct RtcpSenderReport
{
    private const int SenderInfoLength = 20;
    private readonly ReadOnlySpan<byte> _body;

    private RtcpSenderReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    /// <summary>The sender's SSRC.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>The wallclock time of the report.</summary>
    public NtpTime NtpTime => new(BinaryPrimitives.ReadUInt64BigEndian(_body[4..]));

    /// <summary>The RTP timestamp corresponding to <see cref="NtpTime"/>.</summary>
    public uint RtpTimestamp => BinaryPrimitives.ReadUInt32BigEndian(_body[12..]);

    /// <summary>Packets sent.</summary>
    public uint PacketCount => BinaryPrimitives.ReadUInt32BigEndian(_body[16..]);

    /// <summary>Payload octets sent.</summary>
    public uint OctetCount => BinaryPrimitives.ReadUInt32BigEndian(_body[20..]);

    /// <summary>Number of report blocks.</summary>
    public int ReportCount { get; }

    /// <summary>Reads report block <paramref name="index"/>.</summary>
    public RtcpReportBlock GetReport(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)ReportCount, nameof(index));
        return RtcpReportBlock.Read(_body[(4 + SenderInfoLength + (index * RtcpReportBlock.Length))..]);
    }

    /// <summary>Parses an SR; profile-specific extensions after the blocks are ignored.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpSenderReport report, out RtcpParseError error)
    {
        report = default;
        if (packet.Type != RtcpPacketType.SenderReport)
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        if (packet.Body.Length < 4 + SenderInfoLength + (packet.Count * RtcpReportBlock.Length))
        {
            error = packet.Body.Length < 4 + SenderInfoLength ? RtcpParseError.TooShort : RtcpParseError.BadCount;
            return false;
        }

        report = new RtcpSenderReport(packet.Body, packet.Count);
        error = RtcpParseError.None;
        return true;
    }
}

/// <summary>A Receiver Report (RFC 3550 §6.4.2).</summary>
public readonly ref struct RtcpReceiverReport
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpReceiverReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    /// <summary>The reporter's SSRC.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>Number of report blocks.</summary>
    public int ReportCount { get; }

    /// <summary>Reads report block <paramref name="index"/>.</summary>
    public RtcpReportBlock GetReport(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)ReportCount, nameof(index));
        return RtcpReportBlock.Read(_body[(4 + (index * RtcpReportBlock.Length))..]);
    }

    /// <summary>Parses an RR.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpReceiverReport report, out RtcpParseError error)
    {
        report = default;
        if (packet.Type != RtcpPacketType.ReceiverReport)
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        if (packet.Body.Length < 4 + (packet.Count * RtcpReportBlock.Length))
        {
            error = packet.Body.Length < 4 ? RtcpParseError.TooShort : RtcpParseError.BadCount;
            return false;
        }

        report = new RtcpReceiverReport(packet.Body, packet.Count);
        error = RtcpParseError.None;
        return true;
    }
}

/// <summary>A BYE packet (RFC 3550 §6.6).</summary>
public readonly ref struct RtcpBye
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpBye(ReadOnlySpan<byte> body, int count, ReadOnlySpan<byte> reason)
    {
        _body = body;
        SourceCount = count;
        Reason = reason;
    }

    /// <summary>Number of SSRC/CSRCs leaving.</summary>
    public int SourceCount { get; }

    /// <summary>The optional reason for leaving (UTF-8), empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    /// <summary>Reads source <paramref name="index"/>.</summary>
    public uint GetSource(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)SourceCount, nameof(index));
        return BinaryPrimitives.ReadUInt32BigEndian(_body[(index * 4)..]);
    }

    /// <summary>Parses a BYE.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpBye bye, out RtcpParseError error)
    {
        bye = default;
        if (packet.Type != RtcpPacketType.Bye)
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        var body = packet.Body;
        int sources = packet.Count * 4;
        if (body.Length < sources)
        {
            error = RtcpParseError.BadCount;
            return false;
        }

        ReadOnlySpan<byte> reason = default;
        if (body.Length > sources)
        {
            int length = body[sources];
            if (length > body.Length - sources - 1)
            {
                error = RtcpParseError.Malformed;
                return false;
            }

            reason = body.Slice(sources + 1, length);
        }

        bye = new RtcpBye(body, packet.Count, reason);
        error = RtcpParseError.None;
        return true;
    }
}

/// <summary>An APP packet (RFC 3550 §6.7).</summary>
public readonly ref struct RtcpApp
{
    private RtcpApp(int subtype, uint ssrc, ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        Subtype = subtype;
        Ssrc = ssrc;
        Name = name;
        Data = data;
    }

    /// <summary>The 5-bit subtype.</summary>
    public int Subtype { get; }

    /// <summary>The sender's SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The four ASCII name bytes.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>Application-dependent data (a multiple of 4 bytes).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Parses an APP packet.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpApp app, out RtcpParseError error)
    {
        app = default;
        if (packet.Type != RtcpPacketType.App)
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        if (packet.Body.Length < 8)
        {
            error = RtcpParseError.TooShort;
            return false;
        }

        app = new RtcpApp(packet.Count, BinaryPrimitives.ReadUInt32BigEndian(packet.Body), packet.Body.Slice(4, 4), packet.Body[8..]);
        error = RtcpParseError.None;
        return true;
    }
}
