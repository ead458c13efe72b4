using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media.Stages;

/// <summary>
/// Receiver-side generic NACK logic (RFC 4585 §6.2.1) for one SSRC: records sequence-number holes,
/// decides which to NACK and when, and gives up on the hopeless ones. A sans-IO state machine over
/// preallocated slots (nothing allocates per packet): feed it every packet with
/// <see cref="OnPacket"/> and call <see cref="GetNacks"/> on each packet and on a short timer
/// (10–20 ms), then write the result with <c>RtcpWriter.TryWriteNack</c>. When holes fall out of
/// the window unrecovered, <see cref="KeyFrameRequestNeeded"/> tells the receiver to send a PLI.
/// Not thread-safe.
/// </summary>
public sealed class NackGenerator
{
    private readonly int _capacity;
    private readonly long[] _slotSequence; // extended seq of the hole in this slot, -1 when free
    private readonly TimeSpan[] _detected;
    private readonly TimeSpan[] _lastSent;
    private readonly byte[] _retries;

    private RtpSequenceUnwrapper _unwrapper;
    private long _highest = -1;
    private long _lowestHole = long.MaxValue;
    private long _lastKeyFrame = -1;
    private int _holeCount;
    private int _maxRetries = 10;

    /// <summary>Creates a generator that tracks holes among the last <paramref name="capacity"/> sequence numbers.</summary>
    /// <param name="capacity">Window size in sequence numbers (1–32768); older holes are dropped.</param>
    public NackGenerator(int capacity = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 0x8000);
        _capacity = capacity;
        _slotSequence = new long[capacity];
        _detected = new TimeSpan[capacity];
        _lastSent = new TimeSpan[capacity];
        _retries = new byte[capacity];
        _slotSequence.AsSpan().Fill(-1);
    }

    /// <summary>How long a hole waits for a reordered packet before its first NACK (default 10 ms).</summary>
    public TimeSpan ReorderDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// A hole is also NACKed at once when this many newer packets arrived after it (0, the
    /// default, disables the packet criterion).
    /// </summary>
    public int ReorderPacketThreshold { get; set; }

    /// <summary>The shortest time between two NACKs of one sequence number; the RTT is used when longer (default 20 ms).</summary>
    public TimeSpan MinRetryInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How many times one sequence number is NACKed before giving up (1–255, default 10).</summary>
    public int MaxRetries
    {
        get => _maxRetries;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, byte.MaxValue);
            _maxRetries = value;
        }
    }

    /// <summary>The window size.</summary>
    public int Capacity => _capacity;

    /// <summary>Holes currently tracked.</summary>
    public int MissingCount => _holeCount;

    /// <summary>Sequence numbers NACKed so far, each retry counted (nackCount in inbound-rtp stats counts NACK packets; this counts entries).</summary>
    public long NacksSent { get; private set; }

    /// <summary>Holes filled by a late or retransmitted packet.</summary>
    public long PacketsRecovered { get; private set; }

    /// <summary>Holes abandoned after <see cref="MaxRetries"/>.</summary>
    public long PacketsAbandoned { get; private set; }

    /// <summary>Holes dropped because they left the window (or the stream jumped past it).</summary>
    public long PacketsDroppedFromWindow { get; private set; }

    /// <summary>
    /// True when holes after the last key frame were dropped unrecovered: send a PLI, then call
    /// <see cref="ClearKeyFrameRequest"/>. A key frame packet clears it too.
    /// </summary>
    public bool KeyFrameRequestNeeded { get; private set; }

    /// <summary>The newest extended sequence number seen, -1 before the first packet.</summary>
    public long HighestSequence => _highest;

    /// <summary>Acknowledges <see cref="KeyFrameRequestNeeded"/> (the PLI went out).</summary>
    public void ClearKeyFrameRequest() => KeyFrameRequestNeeded = false;

    /// <summary>Accounts for one received packet (original or retransmission).</summary>
    /// <param name="sequenceNumber">Its sequence number (the original one for an RTX packet).</param>
    /// <param name="now">When it arrived.</param>
    /// <param name="isKeyFrame">True for the first packet of a key frame: older holes are then no longer worth a key frame request.</param>
    public void OnPacket(ushort sequenceNumber, TimeSpan now, bool isKeyFrame = false)
    {
        if (_highest < 0)
        {
            _highest = _unwrapper.Unwrap(sequenceNumber);
            MarkKeyFrame(isKeyFrame, _highest);
            return;
        }

        long extended = _unwrapper.Peek(sequenceNumber);
        if (extended <= _highest)
        {
            // Late, retransmitted or duplicate: fills a hole when it is one.
            if (_highest - extended < _capacity)
            {
                int slot = Slot(extended);
                if (_slotSequence[slot] == extended)
                {
                    RemoveHole(slot);
                    PacketsRecovered++;
                }
            }

            MarkKeyFrame(isKeyFrame, extended);
            return;
        }

        _unwrapper.Unwrap(sequenceNumber);
        long gapStart = _highest + 1;
        long newHighest = extended;
        long windowStart = newHighest - _capacity + 1;

        // Holes that leave the window are lost for good.
        if (_holeCount > 0 && _lowestHole < windowStart)
        {
            DropBefore(windowStart);
        }

        if (gapStart < windowStart)
        {
            // The stream jumped past the whole window: the skipped packets cannot be NACKed.
            long skipped = windowStart - gapStart;
            PacketsDroppedFromWindow += skipped;
            if (windowStart - 1 > _lastKeyFrame)
            {
                KeyFrameRequestNeeded = true;
            }

            gapStart = windowStart;
        }

        for (long s = gapStart; s < newHighest; s++)
        {
            int slot = Slot(s);
            _slotSequence[slot] = s;
            _detected[slot] = now;
            _lastSent[slot] = TimeSpan.MinValue;
            _retries[slot] = 0;
            _holeCount++;
            if (s < _lowestHole)
            {
                _lowestHole = s;
            }
        }

        // The new packet's own slot may still hold an old hole from a previous lap: it was dropped above.
        _highest = newHighest;
        MarkKeyFrame(isKeyFrame, extended);
    }

    /// <summary>
    /// Collects the sequence numbers to NACK at <paramref name="now"/>, oldest first, and marks them
    /// sent. A hole is NACKed first after <see cref="ReorderDelay"/>, then every max(RTT,
    /// <see cref="MinRetryInterval"/>), at most <see cref="MaxRetries"/> times; after that it is dropped.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="roundTripTime">The current RTT estimate (zero when unknown).</param>
    /// <param name="destination">Receives the sequence numbers; holes that do not fit wait for the next call.</param>
    /// <returns>How many were written.</returns>
    public int GetNacks(TimeSpan now, TimeSpan roundTripTime, Span<ushort> destination)
    {
        if (_holeCount == 0)
        {
            return 0;
        }

        TimeSpan retryInterval = roundTripTime > MinRetryInterval ? roundTripTime : MinRetryInterval;
        int count = 0;
        long newLowest = long.MaxValue;
        for (long s = _lowestHole; s < _highest; s++)
        {
            int slot = Slot(s);
            if (_slotSequence[slot] != s)
            {
                continue;
            }

            bool due;
            if (_retries[slot] == 0)
            {
                due = now - _detected[slot] >= ReorderDelay
                    || (ReorderPacketThreshold > 0 && _highest - s > ReorderPacketThreshold);
            }
            else
            {
                due = now - _lastSent[slot] >= retryInterval;
                if (due && _retries[slot] >= MaxRetries)
                {
                    // RFC 4585 §6.2.1 leaves the give-up rule to the implementation: MaxRetries tries, one RTT apart.
                    RemoveHole(slot);
                    PacketsAbandoned++;
                    continue;
                }
            }

            if (due && count < destination.Length)
            {
                destination[count++] = (ushort)s;
                _lastSent[slot] = now;
                _retries[slot]++;
                NacksSent++;
            }

            if (newLowest == long.MaxValue)
            {
                newLowest = s;
            }
        }

        _lowestHole = _holeCount == 0 ? long.MaxValue : newLowest;
        return count;
    }

    private int Slot(long extended)
    {
        // Late packets from before the first one can unwrap to negative values.
        int slot = (int)(extended % _capacity);
        return slot < 0 ? slot + _capacity : slot;
    }

    private void MarkKeyFrame(bool isKeyFrame, long extended)
    {
        if (!isKeyFrame)
        {
            return;
        }

        KeyFrameRequestNeeded = false;
        if (extended > _lastKeyFrame)
        {
            _lastKeyFrame = extended;
        }
    }

    private void RemoveHole(int slot)
    {
        _slotSequence[slot] = -1;
        _holeCount--;
        if (_holeCount == 0)
        {
            _lowestHole = long.MaxValue;
        }
    }

    private void DropBefore(long windowStart)
    {
        long end = Math.Min(windowStart, _highest);
        long newLowest = long.MaxValue;
        for (long s = _lowestHole; s < end; s++)
        {
            int slot = Slot(s);
            if (_slotSequence[slot] == s)
            {
                _slotSequence[slot] = -1;
                _holeCount--;
                PacketsDroppedFromWindow++;
                // A hole older than the last key frame does not stop decoding from that key frame on.
                if (s > _lastKeyFrame)
                {
                    KeyFrameRequestNeeded = true;
                }
            }
        }

        if (_holeCount > 0)
        {
            // The remaining holes are at or after windowStart.
            for (long s = Math.Max(end, _lowestHole); s < _highest; s++)
            {
                if (_slotSequence[Slot(s)] == s)
                {
                    newLowest = s;
                    break;
                }
            }
        }

        _lowestHole = newLowest;
    }
}
