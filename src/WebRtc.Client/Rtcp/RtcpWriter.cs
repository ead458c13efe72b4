using System.Buffers.Binary;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Rtcp;

/// <summary>
/// Writes RTCP packets into a caller's buffer without allocating. Each method writes one packet
/// (concatenate them for a compound) and returns false, writing nothing useful, when the
/// buffer is too small.
/// </summary>
public static class RtcpWriter
{
    /// <summary>Writes a Sender Report (RFC 3550 §6.4.1).</summary>
    public static bool TryWriteSenderReport(Span<byte> destination, uint ssrc, NtpTime ntpTime, uint rtpTimestamp, uint packetCount, uint octetCount,
        ReadOnlySpan<RtcpReportBlock> reports, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reports.Length, 31, nameof(reports));
        written = 4 + 4 + 20 + (reports.Length * RtcpReportBlock.Length);
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        RtcpPacket.WriteHeader(destination, reports.Length, RtcpPacketType.SenderReport, written);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ntpTime.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octetCount);
        for (int i = 0; i < reports.Length; i++)
        {
            reports[i].Write(destination[(28 + (i * RtcpReportBlock.Length))..]);
        }

        return true;
    }

    /// <summary>Writes a Receiver Report (RFC 3550 §6.4.2).</summary>
    public static bool TryWriteReceiverReport(Span<byte> destination, uint ssrc, ReadOnlySpan<RtcpReportBlock> reports, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reports.Length, 31, nameof(reports));
        written = 8 + (reports.Length * RtcpReportBlock.Length);
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        RtcpPacket.WriteHeader(destination, reports.Length, RtcpPacketType.ReceiverReport, written);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        for (int i = 0; i < reports.Length; i++)
        {
            reports[i].Write(destination[(8 + (i * RtcpReportBlock.Length))..]);
        }

        return true;
    }

    /// <summary>Writes an SDES packet with one chunk holding a CNAME (RFC 3550 §6.5.1).</summary>
    public static bool TryWriteSdesCname(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cname, out int written)
    {
        var sdes = new RtcpSdesWriter(destination);
        if (sdes.TryAddChunk(ssrc) && sdes.TryAddItem(RtcpSdesType.Cname, cname))
        {
            return sdes.TryFinish(out written);
        }

        return Fail(out written);
    }

    /// <summary>Writes a BYE for <paramref name="sources"/> with an optional reason (RFC 3550 §6.6).</summary>
    public static bool TryWriteBye(Span<byte> destination, ReadOnlySpan<uint> sources, ReadOnlySpan<byte> reason, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sources.Length, 31, nameof(sources));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reason.Length, 255, nameof(reason));
        int length = 4 + (sources.Length * 4) + (reason.IsEmpty ? 0 : 1 + reason.Length);
        written = (length + 3) & ~3;
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        destination[..written].Clear();
        RtcpPacket.WriteHeader(destination, sources.Length, RtcpPacketType.Bye, written);
        for (int i = 0; i < sources.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(4 + (i * 4))..], sources[i]);
        }

        if (!reason.IsEmpty)
        {
            int offset = 4 + (sources.Length * 4);
            destination[offset] = (byte)reason.Length;
            reason.CopyTo(destination[(offset + 1)..]);
        }

        return true;
    }

    /// <summary>Writes an APP packet; <paramref name="data"/> must be a multiple of 4 bytes (RFC 3550 §6.7).</summary>
    public static bool TryWriteApp(Span<byte> destination, int subtype, uint ssrc, ReadOnlySpan<byte> name, ReadOnlySpan<byte> data, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)subtype, 31u, nameof(subtype));
        if (name.Length != 4 || (data.Length & 3) != 0)
        {
            throw new ArgumentException("APP takes a 4-byte name and data in 32-bit words.", nameof(data));
        }

        written = 12 + data.Length;
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        RtcpPacket.WriteHeader(destination, subtype, RtcpPacketType.App, written);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        name.CopyTo(destination[8..]);
        data.CopyTo(destination[12..]);
        return true;
    }

    /// <summary>
    /// Writes a generic NACK (RFC 4585 §6.2.1) for <paramref name="lost"/> sequence numbers (in
    /// order, wrap-aware), packing each following 16 into one PID/BLP item.
    /// </summary>
    public static bool TryWriteNack(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost, out int written)
    {
        if (destination.Length < 12)
        {
            return Fail(out written);
        }

        int offset = 12;
        int i = 0;
        while (i < lost.Length)
        {
            if (destination.Length - offset < 4)
            {
                return Fail(out written);
            }

            ushort pid = lost[i++];
            ushort blp = 0;
            while (i < lost.Length)
            {
                int distance = (ushort)(lost[i] - pid);
                if (distance is < 1 or > 16)
                {
                    break;
                }

                blp |= (ushort)(1 << (distance - 1));
                i++;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
            offset += 4;
        }

        WriteFeedbackHeader(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.GenericNack, senderSsrc, mediaSsrc, offset);
        written = offset;
        return true;
    }

    /// <summary>Writes a Picture Loss Indication (RFC 4585 §6.3.1).</summary>
    public static bool TryWritePli(Span<byte> destination, uint senderSsrc, uint mediaSsrc, out int written)
    {
        written = 12;
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        WriteFeedbackHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.PictureLossIndication, senderSsrc, mediaSsrc, written);
        return true;
    }

    /// <summary>Writes a Full Intra Request (RFC 5104 §4.3.1); the media SSRC field is 0 as the RFC says.</summary>
    public static bool TryWriteFir(Span<byte> destination, uint senderSsrc, ReadOnlySpan<(uint Ssrc, byte SequenceNumber)> entries, out int written)
    {
        written = 12 + (entries.Length * 8);
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        WriteFeedbackHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.FullIntraRequest, senderSsrc, 0, written);
        for (int i = 0; i < entries.Length; i++)
        {
            var entry = destination[(12 + (i * 8))..];
            BinaryPrimitives.WriteUInt32BigEndian(entry, entries[i].Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(entry[4..], (uint)entries[i].SequenceNumber << 24);
        }

        return true;
    }

    /// <summary>Writes a REMB (draft-alvestrand-rmcat-remb-03) with the smallest exponent that holds the bitrate.</summary>
    public static bool TryWriteRemb(Span<byte> destination, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 255, nameof(ssrcs));
        written = 20 + (ssrcs.Length * 4);
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        int exponent = 0;
        while ((bitrate >> exponent) > 0x3FFFF && exponent < 63)
        {
            exponent++;
        }

        uint mantissa = (uint)(bitrate >> exponent);
        WriteFeedbackHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.ApplicationLayer, senderSsrc, 0, written);
        "REMB"u8.CopyTo(destination[12..]);
        destination[16] = (byte)ssrcs.Length;
        destination[17] = (byte)((exponent << 2) | (int)(mantissa >> 16));
        destination[18] = (byte)(mantissa >> 8);
        destination[19] = (byte)mantissa;
        for (int i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(20 + (i * 4))..], ssrcs[i]);
        }

        return true;
    }

    /// <summary>
    /// Writes transport-wide CC feedback for consecutive <paramref name="packets"/> (their
    /// sequence numbers follow the first). Runs of 7 or more equal statuses become run-length
    /// chunks, the rest 1-bit (no large deltas) or 2-bit status vectors; padded with the P bit as libwebrtc does.
    /// </summary>
    public static bool TryWriteTransportFeedback(Span<byte> destination, uint senderSsrc, uint mediaSsrc, int referenceTime, byte feedbackPacketCount,
        ReadOnlySpan<RtcpTwccPacket> packets, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packets.Length, ushort.MaxValue, nameof(packets));
        if (destination.Length < 20)
        {
            return Fail(out written);
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], packets.IsEmpty ? (ushort)0 : packets[0].SequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)packets.Length);
        destination[16] = (byte)(referenceTime >> 16);
        destination[17] = (byte)(referenceTime >> 8);
        destination[18] = (byte)referenceTime;
        destination[19] = feedbackPacketCount;
        int offset = 20;
        int i = 0;
        while (i < packets.Length)
        {
            if (destination.Length - offset < 2)
            {
                return Fail(out written);
            }

            var status = packets[i].Status;
            int run = 1;
            while (i + run < packets.Length && packets[i + run].Status == status && run < 0x1FFF)
            {
                run++;
            }

            ushort chunk;
            if (run >= 7)
            {
                chunk = (ushort)(((int)status << 13) | run);
                i += run;
            }
            else
            {
                int oneBit = Math.Min(14, packets.Length - i);
                bool fits = true;
                for (int k = 0; k < oneBit && fits; k++)
                {
                    fits = packets[i + k].Status != RtcpTwccStatus.LargeDelta;
                }

                if (fits)
                {
                    chunk = 0x8000;
                    for (int k = 0; k < oneBit; k++)
                    {
                        chunk |= (ushort)((int)packets[i + k].Status << (13 - k));
                    }

                    i += oneBit;
                }
                else
                {
                    int twoBit = Math.Min(7, packets.Length - i);
                    chunk = 0xC000;
                    for (int k = 0; k < twoBit; k++)
                    {
                        chunk |= (ushort)((int)packets[i + k].Status << (12 - (2 * k)));
                    }

                    i += twoBit;
                }
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], chunk);
            offset += 2;
        }

        foreach (var packet in packets)
        {
            int size = (int)packet.Status;
            if (destination.Length - offset < size)
            {
                return Fail(out written);
            }

            if (packet.Status == RtcpTwccStatus.SmallDelta)
            {
                if (packet.Delta is < 0 or > 255)
                {
                    throw new ArgumentException("A small delta is 0-255 ticks.", nameof(packets));
                }

                destination[offset] = (byte)packet.Delta;
            }
            else if (packet.Status == RtcpTwccStatus.LargeDelta)
            {
                BinaryPrimitives.WriteInt16BigEndian(destination[offset..], packet.Delta);
            }

            offset += size;
        }

        int padding = (4 - (offset & 3)) & 3;
        if (destination.Length - offset < padding)
        {
            return Fail(out written);
        }

        if (padding > 0)
        {
            destination.Slice(offset, padding - 1).Clear();
            destination[offset + padding - 1] = (byte)padding;
            offset += padding;
        }

        WriteFeedbackHeader(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.TransportWideCc, senderSsrc, mediaSsrc, offset);
        if (padding > 0)
        {
            destination[0] |= 0x20;
        }

        written = offset;
        return true;
    }

    /// <summary>Writes an XR with an optional RRTR block and an optional DLRR block (RFC 3611 §4.4, §4.5).</summary>
    public static bool TryWriteExtendedReport(Span<byte> destination, uint ssrc, NtpTime? receiverReferenceTime, ReadOnlySpan<RtcpDlrrItem> dlrr, out int written)
    {
        written = 8 + (receiverReferenceTime is null ? 0 : 12) + (dlrr.IsEmpty ? 0 : 4 + (dlrr.Length * 12));
        if (destination.Length < written)
        {
            return Fail(out written);
        }

        RtcpPacket.WriteHeader(destination, 0, RtcpPacketType.ExtendedReport, written);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        int offset = 8;
        if (receiverReferenceTime is NtpTime time)
        {
            destination[offset] = RtcpXrBlockType.ReceiverReferenceTime;
            destination[offset + 1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], 2);
            BinaryPrimitives.WriteUInt64BigEndian(destination[(offset + 4)..], time.Value);
            offset += 12;
        }

        if (!dlrr.IsEmpty)
        {
            destination[offset] = RtcpXrBlockType.Dlrr;
            destination[offset + 1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(dlrr.Length * 3));
            offset += 4;
            foreach (var item in dlrr)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], item.Ssrc);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], item.LastReceiverReport);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 8)..], item.DelaySinceLastReceiverReport);
                offset += 12;
            }
        }

        return true;
    }

    private static void WriteFeedbackHeader(Span<byte> destination, RtcpPacketType type, int format, uint senderSsrc, uint mediaSsrc, int length)
    {
        RtcpPacket.WriteHeader(destination, format, type, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
    }

    private static bool Fail(out int written)
    {
        written = 0;
        return false;
    }
}

/// <summary>Builds an SDES packet with any chunks and items (RFC 3550 §6.5) into a caller's buffer.</summary>
public ref struct RtcpSdesWriter
{
    private readonly Span<byte> _buffer;
    private int _offset;
    private int _chunks;
    private bool _inChunk;
    private bool _failed;

    /// <summary>Starts an SDES packet at the start of <paramref name="buffer"/>.</summary>
    public RtcpSdesWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _offset = RtcpPacket.HeaderLength;
        _chunks = 0;
        _inChunk = false;
        _failed = buffer.Length < RtcpPacket.HeaderLength;
    }

    /// <summary>Starts a chunk for <paramref name="ssrc"/>.</summary>
    public bool TryAddChunk(uint ssrc)
    {
        if (_chunks == 31)
        {
            throw new InvalidOperationException("An SDES packet holds at most 31 chunks.");
        }

        if (!EndChunk() || _buffer.Length - _offset < 4)
        {
            _failed = true;
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_offset..], ssrc);
        _offset += 4;
        _chunks++;
        _inChunk = true;
        return true;
    }

    /// <summary>Adds an item to the current chunk.</summary>
    public bool TryAddItem(RtcpSdesType type, ReadOnlySpan<byte> text)
    {
        if (!_inChunk || type == RtcpSdesType.End || text.Length > 255)
        {
            throw new InvalidOperationException("Items need a chunk, a type other than End and at most 255 bytes.");
        }

        if (_failed || _buffer.Length - _offset < 2 + text.Length)
        {
            _failed = true;
            return false;
        }

        _buffer[_offset] = (byte)type;
        _buffer[_offset + 1] = (byte)text.Length;
        text.CopyTo(_buffer[(_offset + 2)..]);
        _offset += 2 + text.Length;
        return true;
    }

    /// <summary>Ends the last chunk and writes the header; <paramref name="written"/> is the packet length.</summary>
    public bool TryFinish(out int written)
    {
        written = 0;
        if (!EndChunk())
        {
            return false;
        }

        RtcpPacket.WriteHeader(_buffer, _chunks, RtcpPacketType.SourceDescription, _offset);
        written = _offset;
        return true;
    }

    private bool EndChunk()
    {
        if (_failed)
        {
            return false;
        }

        if (_inChunk)
        {
            // RFC 3550 §6.5: one or more null octets end the item list and pad to 32 bits.
            int end = (_offset + 4) & ~3;
            if (end > _buffer.Length)
            {
                _failed = true;
                return false;
            }

            _buffer[_offset..end].Clear();
            _offset = end;
            _inChunk = false;
        }

        return true;
    }
}
