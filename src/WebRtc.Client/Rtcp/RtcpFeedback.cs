using System.Buffers.Binary;

namespace WebRtc.Client.Rtcp;

/// <summary>Feedback message types (FMT) in RTPFB and PSFB packets (RFC 4585 §6, RFC 5104 §4.3).</summary>
public static class RtcpFeedbackFormat
{
    /// <summary>RTPFB generic NACK.</summary>
    public const int GenericNack = 1;
    /// <summary>RTPFB transport-wide congestion control feedback.</summary>
    public const int TransportWideCc = 15;
    /// <summary>PSFB picture loss indication.</summary>
    public const int PictureLossIndication = 1;
    /// <summary>PSFB full intra request.</summary>
    public const int FullIntraRequest = 4;
    /// <summary>PSFB application layer feedback (REMB).</summary>
    public const int ApplicationLayer = 15;
}

/// <summary>The common part of an RTPFB/PSFB packet (RFC 4585 §6.1): FMT, sender and media SSRCs, FCI.</summary>
public readonly ref struct RtcpFeedback
{
    private RtcpFeedback(RtcpPacketType type, int format, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        Type = type;
        Format = format;
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        Fci = fci;
    }

    /// <summary>Transport or payload-specific feedback.</summary>
    public RtcpPacketType Type { get; }

    /// <summary>The feedback message type.</summary>
    public int Format { get; }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>SSRC of the media source.</summary>
    public uint MediaSsrc { get; }

    /// <summary>Feedback control information.</summary>
    public ReadOnlySpan<byte> Fci { get; }

    /// <summary>True for a PLI.</summary>
    public bool IsPictureLossIndication => Type == RtcpPacketType.PayloadFeedback && Format == RtcpFeedbackFormat.PictureLossIndication;

    /// <summary>Parses the common feedback header.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpFeedback feedback, out RtcpParseError error)
    {
        feedback = default;
        if (packet.Type is not (RtcpPacketType.TransportFeedback or RtcpPacketType.PayloadFeedback))
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        if (packet.Body.Length < 8)
        {
            error = RtcpParseError.TooShort;
            return false;
        }

        feedback = new RtcpFeedback(packet.Type, packet.Count, BinaryPrimitives.ReadUInt32BigEndian(packet.Body),
            BinaryPrimitives.ReadUInt32BigEndian(packet.Body[4..]), packet.Body[8..]);
        error = RtcpParseError.None;
        return true;
    }

    /// <summary>Number of generic NACK items (PID + BLP) in the FCI.</summary>
    public int NackItemCount => Type == RtcpPacketType.TransportFeedback && Format == RtcpFeedbackFormat.GenericNack ? Fci.Length / 4 : 0;

    /// <summary>Reads NACK item <paramref name="index"/> (RFC 4585 §6.2.1).</summary>
    public (ushort PacketId, ushort LostBitmask) GetNackItem(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)NackItemCount, nameof(index));
        return (BinaryPrimitives.ReadUInt16BigEndian(Fci[(index * 4)..]), BinaryPrimitives.ReadUInt16BigEndian(Fci[((index * 4) + 2)..]));
    }

    /// <summary>Every lost sequence number the NACK items name, in order.</summary>
    public NackEnumerator LostSequenceNumbers => new(NackItemCount == 0 ? default : Fci[..(NackItemCount * 4)]);

    /// <summary>Number of FIR entries (RFC 5104 §4.3.1).</summary>
    public int FirEntryCount => Type == RtcpPacketType.PayloadFeedback && Format == RtcpFeedbackFormat.FullIntraRequest ? Fci.Length / 8 : 0;

    /// <summary>Reads FIR entry <paramref name="index"/>: the target SSRC and the command sequence number.</summary>
    public (uint Ssrc, byte SequenceNumber) GetFirEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)FirEntryCount, nameof(index));
        return (BinaryPrimitives.ReadUInt32BigEndian(Fci[(index * 8)..]), Fci[(index * 8) + 4]);
    }

    /// <summary>
    /// Reads a REMB (draft-alvestrand-rmcat-remb-03): bitrate in bps and the SSRCs it applies to
    /// (as raw big-endian bytes, 4 per SSRC). False when this is not a well-formed REMB.
    /// </summary>
    public bool TryGetRemb(out ulong bitrate, out ReadOnlySpan<byte> ssrcs)
    {
        bitrate = 0;
        ssrcs = default;
        if (Type != RtcpPacketType.PayloadFeedback || Format != RtcpFeedbackFormat.ApplicationLayer
            || Fci.Length < 8 || !Fci[..4].SequenceEqual("REMB"u8))
        {
            return false;
        }

        int count = Fci[4];
        if (Fci.Length < 8 + (count * 4))
        {
            return false;
        }

        int exponent = Fci[5] >> 2;
        ulong mantissa = (ulong)(((Fci[5] & 0x03) << 16) | (Fci[6] << 8) | Fci[7]);
        bitrate = exponent > 46 ? ulong.MaxValue : mantissa << exponent;
        ssrcs = Fci.Slice(8, count * 4);
        return true;
    }

    /// <summary>Expands NACK items into sequence numbers.</summary>
    public ref struct NackEnumerator
    {
        private readonly ReadOnlySpan<byte> _items;
        private int _item;
        private int _bit;

        internal NackEnumerator(ReadOnlySpan<byte> items)
        {
            _items = items;
            _item = 0;
            _bit = -1;
            Current = 0;
        }

        /// <summary>The current lost sequence number.</summary>
        public ushort Current { get; private set; }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly NackEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next lost sequence number.</summary>
        public bool MoveNext()
        {
            while (_item * 4 < _items.Length)
            {
                ushort pid = BinaryPrimitives.ReadUInt16BigEndian(_items[(_item * 4)..]);
                ushort blp = BinaryPrimitives.ReadUInt16BigEndian(_items[((_item * 4) + 2)..]);
                if (_bit < 0)
                {
                    _bit = 0;
                    Current = pid;
                    return true;
                }

                while (_bit < 16)
                {
                    int bit = _bit++;
                    if ((blp & (1 << bit)) != 0)
                    {
                        Current = (ushort)(pid + bit + 1);
                        return true;
                    }
                }

                _item++;
                _bit = -1;
            }

            return false;
        }
    }
}
