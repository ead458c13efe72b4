using System.Buffers.Binary;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media.Stages;

/// <summary>
/// Sender-side packet history for NACK responses: the last <see cref="Capacity"/> sent RTP packets
/// of one SSRC (plain RTP, before SRTP), each in a preallocated slot chosen by its extended
/// sequence number, with its send time. Nothing allocates after construction. A packet is handed
/// out for retransmission at most once per RTT. Not thread-safe.
/// </summary>
public sealed class RtpSendHistory
{
    private readonly byte[] _buffer;
    private readonly int _maxPacketSize;
    private readonly long[] _sequence; // extended seq, -1 when empty
    private readonly int[] _length;
    private readonly TimeSpan[] _sentAt;
    private readonly TimeSpan[] _resentAt;
    private readonly int[] _timesResent;
    private RtpSequenceUnwrapper _unwrapper;

    /// <summary>Creates a history of <paramref name="capacity"/> packets of up to <paramref name="maxPacketSize"/> bytes.</summary>
    /// <param name="capacity">Packets kept (default 600, about 2 s of 2.5 Mbit/s video).</param>
    /// <param name="maxPacketSize">Largest packet stored; bigger ones are refused.</param>
    public RtpSendHistory(int capacity = 600, int maxPacketSize = 1500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 0x8000);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketSize, RtpPacket.FixedHeaderLength);
        Capacity = capacity;
        _maxPacketSize = maxPacketSize;
        _buffer = new byte[checked(capacity * maxPacketSize)];
        _sequence = new long[capacity];
        _length = new int[capacity];
        _sentAt = new TimeSpan[capacity];
        _resentAt = new TimeSpan[capacity];
        _timesResent = new int[capacity];
        _sequence.AsSpan().Fill(-1);
    }

    /// <summary>Packets kept.</summary>
    public int Capacity { get; }

    /// <summary>Packets handed out by <see cref="TryGetForRetransmission"/>.</summary>
    public long RetransmissionsServed { get; private set; }

    /// <summary>Requests refused because the packet was resent less than an RTT ago.</summary>
    public long RetransmissionsThrottled { get; private set; }

    /// <summary>Requests for packets no longer (or never) in the history.</summary>
    public long RetransmissionsMissed { get; private set; }

    /// <summary>
    /// Stores a copy of a sent packet, replacing whatever occupied its slot.
    /// </summary>
    /// <param name="rtpPacket">The plain RTP packet as sent (its sequence number is read from bytes 2–3).</param>
    /// <param name="now">When it was sent.</param>
    /// <returns>False when it is shorter than an RTP header or longer than the slot size.</returns>
    public bool Store(ReadOnlySpan<byte> rtpPacket, TimeSpan now)
    {
        if (rtpPacket.Length < RtpPacket.FixedHeaderLength || rtpPacket.Length > _maxPacketSize)
        {
            return false;
        }

        long extended = _unwrapper.Unwrap(BinaryPrimitives.ReadUInt16BigEndian(rtpPacket[2..]));
        int slot = Slot(extended);
        rtpPacket.CopyTo(_buffer.AsSpan(slot * _maxPacketSize, _maxPacketSize));
        _sequence[slot] = extended;
        _length[slot] = rtpPacket.Length;
        _sentAt[slot] = now;
        _timesResent[slot] = 0;
        return true;
    }

    /// <summary>Finds a stored packet by sequence number.</summary>
    /// <param name="sequenceNumber">The sequence number.</param>
    /// <param name="packet">The stored bytes (valid until the slot is reused).</param>
    public bool TryGet(ushort sequenceNumber, out ReadOnlySpan<byte> packet) => TryGet(sequenceNumber, out packet, out _);

    /// <summary>Finds a stored packet and the time it was first sent.</summary>
    public bool TryGet(ushort sequenceNumber, out ReadOnlySpan<byte> packet, out TimeSpan sentAt)
    {
        if (!TryFind(sequenceNumber, out int slot))
        {
            packet = default;
            sentAt = default;
            return false;
        }

        packet = _buffer.AsSpan(slot * _maxPacketSize, _length[slot]);
        sentAt = _sentAt[slot];
        return true;
    }

    /// <summary>
    /// Finds a packet to answer a NACK and marks it resent at <paramref name="now"/>; refuses when it
    /// was already resent less than <paramref name="roundTripTime"/> ago (the earlier copy may still
    /// be on its way).
    /// </summary>
    /// <param name="sequenceNumber">The NACKed sequence number.</param>
    /// <param name="now">The current time.</param>
    /// <param name="roundTripTime">The current RTT estimate.</param>
    /// <param name="packet">The stored bytes (valid until the slot is reused).</param>
    public bool TryGetForRetransmission(ushort sequenceNumber, TimeSpan now, TimeSpan roundTripTime, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        if (!TryFind(sequenceNumber, out int slot))
        {
            RetransmissionsMissed++;
            return false;
        }

        if (_timesResent[slot] > 0 && now - _resentAt[slot] < roundTripTime)
        {
            RetransmissionsThrottled++;
            return false;
        }

        _timesResent[slot]++;
        _resentAt[slot] = now;
        RetransmissionsServed++;
        packet = _buffer.AsSpan(slot * _maxPacketSize, _length[slot]);
        return true;
    }

    /// <summary>Forgets every packet.</summary>
    public void Clear()
    {
        _sequence.AsSpan().Fill(-1);
        _unwrapper = default;
    }

    private bool TryFind(ushort sequenceNumber, out int slot)
    {
        slot = 0;
        if (_unwrapper.Highest < 0)
        {
            return false;
        }

        long extended = _unwrapper.Peek(sequenceNumber);
        slot = Slot(extended);
        return _sequence[slot] == extended;
    }

    private int Slot(long extended)
    {
        int slot = (int)(extended % Capacity);
        return slot < 0 ? slot + Capacity : slot;
    }
}
