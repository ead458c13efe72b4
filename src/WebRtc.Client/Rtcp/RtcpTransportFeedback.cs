using System.Buffers.Binary;

namespace WebRtc.Client.Rtcp;

/// <summary>Packet status symbols of transport-wide CC feedback.</summary>
public enum RtcpTwccStatus : byte
{
    /// <summary>Not received.</summary>
    NotReceived = 0,
    /// <summary>Received, delta 0–63.75 ms (one byte).</summary>
    SmallDelta = 1,
    /// <summary>Received, negative or large delta (two bytes).</summary>
    LargeDelta = 2,
}

/// <summary>One packet's status in transport-wide CC feedback.</summary>
/// <param name="SequenceNumber">Its transport-wide sequence number.</param>
/// <param name="Status">Received or not, and the delta size.</param>
/// <param name="Delta">Arrival delta from the previous received packet (or the reference time) in 250 µs ticks.</param>
public readonly record struct RtcpTwccPacket(ushort SequenceNumber, RtcpTwccStatus Status, short Delta);

/// <summary>
/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §3.1): run-length and status-vector chunks, then receive deltas. Read without allocating.
/// </summary>
public readonly ref struct RtcpTransportFeedback
{
    /// <summary>Delta resolution.</summary>
    public static readonly TimeSpan DeltaTick = TimeSpan.FromTicks(2500);

    private readonly ReadOnlySpan<byte> _fci;
    private readonly int _deltaOffset;

    private RtcpTransportFeedback(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci, int deltaOffset)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _fci = fci;
        _deltaOffset = deltaOffset;
    }

    /// <summary>SSRC of the feedback sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>SSRC of the media source (often 0 or the first media SSRC).</summary>
    public uint MediaSsrc { get; }

    /// <summary>First transport sequence number reported.</summary>
    public ushort BaseSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_fci);

    /// <summary>Number of packets reported.</summary>
    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_fci[2..]);

    /// <summary>Reference time in multiples of 64 ms (signed 24 bits).</summary>
    public int ReferenceTime => ((_fci[4] << 24) | (_fci[5] << 16) | (_fci[6] << 8)) >> 8;

    /// <summary>Feedback packet count, to detect lost feedback.</summary>
    public byte FeedbackPacketCount => _fci[7];

    /// <summary>Every reported packet in order, with status and delta.</summary>
    public Enumerator Packets => new(_fci, _deltaOffset);

    /// <summary>Parses and checks the chunks and deltas of a transport-cc feedback packet.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpTransportFeedback feedback, out RtcpParseError error)
    {
        feedback = default;
        if (!RtcpFeedback.TryParse(packet, out var fb, out error))
        {
            return false;
        }

        if (fb.Type != RtcpPacketType.TransportFeedback || fb.Format != RtcpFeedbackFormat.TransportWideCc)
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        var fci = fb.Fci;
        if (fci.Length < 8)
        {
            error = RtcpParseError.TooShort;
            return false;
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
        int offset = 8, seen = 0, deltaBytes = 0;
        while (seen < count)
        {
            if (fci.Length - offset < 2)
            {
                error = RtcpParseError.BadCount;
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(fci[offset..]);
            offset += 2;
            if ((chunk & 0x8000) == 0)
            {
                int symbol = (chunk >> 13) & 3;
                int run = Math.Min(chunk & 0x1FFF, count - seen);
                if (symbol == 3 || run == 0)
                {
                    error = RtcpParseError.Malformed;
                    return false;
                }

                deltaBytes += run * symbol;
                seen += run;
            }
            else
            {
                bool twoBit = (chunk & 0x4000) != 0;
                int symbols = Math.Min(twoBit ? 7 : 14, count - seen);
                for (int i = 0; i < symbols; i++)
                {
                    int symbol = twoBit ? (chunk >> (12 - (2 * i))) & 3 : (chunk >> (13 - i)) & 1;
                    if (symbol == 3)
                    {
                        error = RtcpParseError.Malformed;
                        return false;
                    }

                    deltaBytes += symbol;
                }

                seen += symbols;
            }
        }

        if (deltaBytes > fci.Length - offset)
        {
            error = RtcpParseError.BadCount;
            return false;
        }

        feedback = new RtcpTransportFeedback(fb.SenderSsrc, fb.MediaSsrc, fci, offset);
        error = RtcpParseError.None;
        return true;
    }

    /// <summary>
    /// Turns arrival times (microseconds on the receiver's clock, negative for not received) of
    /// consecutive transport sequence numbers into statuses and deltas, with the reference time
    /// (in 64 ms units) to write beside them. False when a delta does not fit in 16 bits.
    /// </summary>
    public static bool TryComputeDeltas(ushort baseSequenceNumber, ReadOnlySpan<long> arrivalMicros, Span<RtcpTwccPacket> destination, out int referenceTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, arrivalMicros.Length, nameof(destination));
        referenceTime = 0;
        long previousTick = -1;
        for (int i = 0; i < arrivalMicros.Length; i++)
        {
            ushort seq = (ushort)(baseSequenceNumber + i);
            if (arrivalMicros[i] < 0)
            {
                destination[i] = new RtcpTwccPacket(seq, RtcpTwccStatus.NotReceived, 0);
                continue;
            }

            long tick = arrivalMicros[i] / 250;
            if (previousTick < 0)
            {
                referenceTime = (int)(arrivalMicros[i] / 64_000 & 0x7FFFFF);
                previousTick = (arrivalMicros[i] / 64_000) * 256;
            }

            long delta = tick - previousTick;
            if (delta is < short.MinValue or > short.MaxValue)
            {
                return false;
            }

            destination[i] = new RtcpTwccPacket(seq, delta is >= 0 and <= 255 ? RtcpTwccStatus.SmallDelta : RtcpTwccStatus.LargeDelta, (short)delta);
            previousTick = tick;
        }

        return true;
    }

    /// <summary>Walks the reported packets.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _fci;
        private int _chunkOffset;
        private int _deltaOffset;
        private int _index;
        private int _inChunk;
        private readonly int _count;

        internal Enumerator(ReadOnlySpan<byte> fci, int deltaOffset)
        {
            _fci = fci;
            _chunkOffset = 8;
            _deltaOffset = deltaOffset;
            _index = 0;
            _inChunk = 0;
            _count = fci.IsEmpty ? 0 : BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
            Current = default;
        }

        /// <summary>The current packet.</summary>
        public RtcpTwccPacket Current { get; private set; }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly Enumerator GetEnumerator() => this;

        /// <summary>Moves to the next packet.</summary>
        public bool MoveNext()
        {
            if (_index >= _count)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(_fci[_chunkOffset..]);
            int symbol, capacity;
            if ((chunk & 0x8000) == 0)
            {
                symbol = (chunk >> 13) & 3;
                capacity = chunk & 0x1FFF;
            }
            else if ((chunk & 0x4000) != 0)
            {
                symbol = (chunk >> (12 - (2 * _inChunk))) & 3;
                capacity = 7;
            }
            else
            {
                symbol = (chunk >> (13 - _inChunk)) & 1;
                capacity = 14;
            }

            short delta = 0;
            if (symbol == 1)
            {
                delta = _fci[_deltaOffset++];
            }
            else if (symbol == 2)
            {
                delta = BinaryPrimitives.ReadInt16BigEndian(_fci[_deltaOffset..]);
                _deltaOffset += 2;
            }

            Current = new RtcpTwccPacket((ushort)(BinaryPrimitives.ReadUInt16BigEndian(_fci) + _index), (RtcpTwccStatus)symbol, delta);
            _index++;
            if (++_inChunk >= capacity)
            {
                _inChunk = 0;
                _chunkOffset += 2;
            }

            return true;
        }
    }
}
