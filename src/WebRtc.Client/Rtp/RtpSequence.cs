namespace WebRtc.Client.Rtp;

/// <summary>Wrap-around arithmetic on 16-bit RTP sequence numbers and 32-bit timestamps (RFC 3550 App. A.1).</summary>
public static class RtpSequence
{
    /// <summary>True when <paramref name="a"/> is newer than <paramref name="b"/> (forward distance under half the space).</summary>
    public static bool IsNewer(ushort a, ushort b)
    {
        ushort forward = (ushort)(a - b);
        // Exactly half way is ambiguous; break the tie by value so that exactly one of (a, b), (b, a) is newer.
        return forward == 0x8000 ? a > b : forward is > 0 and < 0x8000;
    }

    /// <summary>True when timestamp <paramref name="a"/> is newer than <paramref name="b"/>.</summary>
    public static bool IsNewerTimestamp(uint a, uint b)
    {
        uint forward = a - b;
        return forward == 0x80000000 ? a > b : forward is > 0 and < 0x80000000;
    }

    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/> (-32768..32767).</summary>
    public static int Distance(ushort from, ushort to) => (short)(ushort)(to - from);
}

/// <summary>Turns 16-bit sequence numbers into a monotonic 64-bit extended sequence (RFC 3550 App. A.1).</summary>
public struct RtpSequenceUnwrapper
{
    private long _last;
    private bool _started;

    /// <summary>The extended sequence number of the newest packet seen, -1 before the first.</summary>
    public readonly long Highest => _started ? _last : -1;

    /// <summary>Extends <paramref name="sequenceNumber"/> relative to the last value returned.</summary>
    public long Unwrap(ushort sequenceNumber)
    {
        if (!_started)
        {
            _started = true;
            _last = sequenceNumber;
            return _last;
        }

        long value = _last + RtpSequence.Distance((ushort)_last, sequenceNumber);
        if (value > _last)
        {
            _last = value;
        }

        return value;
    }

    /// <summary>Extends without moving the reference point (for peeking at a packet before accepting it).</summary>
    public readonly long Peek(ushort sequenceNumber) =>
        _started ? _last + RtpSequence.Distance((ushort)_last, sequenceNumber) : sequenceNumber;
}

/// <summary>Turns 32-bit RTP timestamps into a monotonic 64-bit timeline.</summary>
public struct RtpTimestampUnwrapper
{
    private long _last;
    private bool _started;

    /// <summary>Extends <paramref name="timestamp"/> relative to the last value returned.</summary>
    public long Unwrap(uint timestamp)
    {
        if (!_started)
        {
            _started = true;
            _last = timestamp;
            return _last;
        }

        long value = _last + (int)(timestamp - (uint)_last);
        if (value > _last)
        {
            _last = value;
        }

        return value;
    }
}
