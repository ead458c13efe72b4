using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media.Stages;

/// <summary>
/// Reception statistics for one remote SSRC (RFC 3550 §6.4.1 and Appendix A.1, A.3, A.8): the
/// extended highest sequence number, packets and bytes received, cumulative and fractional loss,
/// interarrival jitter, and the LSR/DLSR pair for the next report block. A sans-IO state machine:
/// every input carries its arrival time (the same monotonic clock for all calls, e.g.
/// <see cref="TimeProvider.GetElapsedTime(long)"/> since a fixed start), and nothing allocates after
/// construction. Not thread-safe: feed it from the receive loop.
/// </summary>
public sealed class RtpReceiveStatistics
{
    // RFC 3550 A.1 constants.
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int SequenceModulo = 1 << 16;

    private readonly int _minSequential;

    private bool _started;
    private ushort _maxSeq;
    private uint _cycles;
    private uint _baseSeq;
    private uint _badSeq;
    private int _probation;
    private long _received; // A.1 "received": packets accepted into the sequence space
    private long _expectedPrior;
    private long _receivedPrior;

    private bool _hasTransit;
    private int _transit;
    private uint _jitterQ4; // A.8 integer form: jitter in timestamp units × 16

    private uint _lastSenderReport;
    private TimeSpan _lastSenderReportArrival;
    private bool _hasSenderReport;

    /// <summary>Creates the statistics for <paramref name="ssrc"/>.</summary>
    /// <param name="ssrc">The remote source these statistics describe (the report block's SSRC).</param>
    /// <param name="clockRate">The RTP clock rate of the stream in Hz (e.g. 90000 for video, 48000 for Opus).</param>
    /// <param name="minSequential">
    /// RFC 3550 A.1 MIN_SEQUENTIAL: how many packets in sequence make a source valid. 1 (the
    /// default, like libwebrtc) accepts the first packet; 2 is the RFC's example value.
    /// </param>
    public RtpReceiveStatistics(uint ssrc, int clockRate, int minSequential = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minSequential);
        Ssrc = ssrc;
        ClockRate = clockRate;
        _minSequential = minSequential;
    }

    /// <summary>The remote SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The RTP clock rate in Hz.</summary>
    public int ClockRate { get; }

    /// <summary>Packets accepted (including retransmissions and duplicates, as RFC 3550 A.3 counts them).</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>Payload bytes of the accepted packets (no headers, no padding).</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Accepted packets marked as retransmissions.</summary>
    public long RetransmittedPacketsReceived { get; private set; }

    /// <summary>Payload bytes of the accepted retransmissions.</summary>
    public long RetransmittedBytesReceived { get; private set; }

    /// <summary>Packets refused while the source was on probation or after an unexplained jump (A.1).</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>Arrival time of the last accepted packet, null before the first.</summary>
    public TimeSpan? LastPacketArrival { get; private set; }

    /// <summary>True once a packet has been accepted (the source left probation).</summary>
    public bool IsValid => _started && _probation == 0;

    /// <summary>Extended highest sequence number received: cycles in the high 16 bits (RFC 3550 §6.4.1).</summary>
    public uint HighestSequence => _cycles + _maxSeq;

    /// <summary>Expected packets since the base sequence number (A.3), 0 before the first accepted packet.</summary>
    public long PacketsExpected => IsValid ? (long)HighestSequence - _baseSeq + 1 : 0;

    /// <summary>Cumulative packets lost: expected minus received (A.3); negative when duplicates arrived.</summary>
    public long PacketsLost => IsValid ? PacketsExpected - _received : 0;

    /// <summary>Interarrival jitter in RTP timestamp units (A.8).</summary>
    public uint JitterTimestampUnits => _jitterQ4 >> 4;

    /// <summary>Interarrival jitter in seconds (for getStats).</summary>
    public double Jitter => (double)_jitterQ4 / 16 / ClockRate;

    /// <summary>The fraction lost (in 1/256) carried by the last report block created.</summary>
    public byte LastFractionLost { get; private set; }

    /// <summary>
    /// Accounts for one RTP packet of this SSRC.
    /// </summary>
    /// <param name="sequenceNumber">Its sequence number.</param>
    /// <param name="rtpTimestamp">Its RTP timestamp.</param>
    /// <param name="arrival">When it arrived.</param>
    /// <param name="payloadBytes">Its payload length (without header and padding).</param>
    /// <param name="isRetransmission">True for a packet recovered from RTX: counted, but kept out of the jitter (its transit time says nothing about the network).</param>
    /// <returns>False when A.1 refused it (probation, or a large jump not yet confirmed).</returns>
    public bool OnPacket(ushort sequenceNumber, uint rtpTimestamp, TimeSpan arrival, int payloadBytes, bool isRetransmission = false)
    {
        if (!_started)
        {
            // RFC 3550 A.1: init_seq, then max_seq = seq - 1 and probation = MIN_SEQUENTIAL.
            _started = true;
            InitSequence(sequenceNumber);
            _maxSeq = (ushort)(sequenceNumber - 1);
            _probation = _minSequential;
        }

        if (!UpdateSequence(sequenceNumber))
        {
            PacketsDiscarded++;
            return false;
        }

        PacketsReceived++;
        BytesReceived += Math.Max(0, payloadBytes);
        LastPacketArrival = arrival;
        if (isRetransmission)
        {
            RetransmittedPacketsReceived++;
            RetransmittedBytesReceived += Math.Max(0, payloadBytes);
            return true;
        }

        // RFC 3550 A.8: transit = arrival (in timestamp units) - timestamp; J += (|D| - J) / 16.
        int transit = unchecked((int)(ToTimestampUnits(arrival) - rtpTimestamp));
        if (_hasTransit)
        {
            int d = unchecked(transit - _transit);
            long absolute = Math.Abs((long)d);
            // Saturate instead of wrapping when a hostile timestamp makes |D| huge.
            _jitterQ4 = (uint)Math.Min(uint.MaxValue, _jitterQ4 + absolute - ((_jitterQ4 + 8) >> 4));
        }

        _transit = transit;
        _hasTransit = true;
        return true;
    }

    /// <summary>Remembers the last Sender Report of this source for LSR/DLSR (RFC 3550 §6.4.1).</summary>
    /// <param name="ntpTime">The SR's NTP timestamp.</param>
    /// <param name="arrival">When the SR arrived (same clock as every other call).</param>
    public void OnSenderReport(NtpTime ntpTime, TimeSpan arrival)
    {
        _lastSenderReport = ntpTime.Compact;
        _lastSenderReportArrival = arrival;
        _hasSenderReport = true;
    }

    /// <summary>
    /// Creates the report block for this source and starts a new reporting interval (the fraction
    /// lost is computed since the previous call, RFC 3550 A.3).
    /// </summary>
    /// <param name="now">When the report is sent; DLSR is measured up to it.</param>
    public RtcpReportBlock CreateReportBlock(TimeSpan now)
    {
        long expected = PacketsExpected;
        long received = IsValid ? _received : 0;

        // RFC 3550 A.3: fraction = (lost_interval << 8) / expected_interval, 0 when nothing was lost.
        long expectedInterval = expected - _expectedPrior;
        long receivedInterval = received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        LastFractionLost = fraction;

        // RFC 3550 §6.4.1: cumulative lost is a signed 24-bit number, clamped rather than wrapped.
        int cumulative = (int)Math.Clamp(expected - received, -0x800000, 0x7FFFFF);

        uint lsr = 0, dlsr = 0;
        if (_hasSenderReport)
        {
            lsr = _lastSenderReport;
            // RFC 3550 §6.4.1: DLSR in units of 1/65536 seconds.
            dlsr = NtpTime.TimeSpanToCompact(now - _lastSenderReportArrival);
        }

        return new RtcpReportBlock(Ssrc, fraction, cumulative, HighestSequence, JitterTimestampUnits, lsr, dlsr);
    }

    private void InitSequence(ushort sequenceNumber)
    {
        _baseSeq = sequenceNumber;
        _maxSeq = sequenceNumber;
        _badSeq = SequenceModulo + 1; // so seq == bad_seq is false
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
    }

    // RFC 3550 A.1 update_seq.
    private bool UpdateSequence(ushort sequenceNumber)
    {
        ushort delta = unchecked((ushort)(sequenceNumber - _maxSeq));
        if (_probation > 0)
        {
            // Packets must be in sequence while on probation.
            if (sequenceNumber == (ushort)(_maxSeq + 1))
            {
                _probation--;
                _maxSeq = sequenceNumber;
                if (_probation == 0)
                {
                    InitSequence(sequenceNumber);
                    _received++;
                    return true;
                }
            }
            else
            {
                _probation = _minSequential - 1;
                _maxSeq = sequenceNumber;
            }

            return false;
        }

        if (delta < MaxDropout)
        {
            // In order, with a permissible gap.
            if (sequenceNumber < _maxSeq)
            {
                _cycles += SequenceModulo; // wrapped: count another 64K cycle
            }

            _maxSeq = sequenceNumber;
        }
        else if (delta <= SequenceModulo - MaxMisorder)
        {
            // The sequence number made a very large jump.
            if (sequenceNumber == _badSeq)
            {
                // Two sequential packets: assume the other side restarted without telling us.
                InitSequence(sequenceNumber);
            }
            else
            {
                _badSeq = (uint)((sequenceNumber + 1) & (SequenceModulo - 1));
                return false;
            }
        }

        // Otherwise a duplicate or a reordered packet: counted, max_seq unchanged.
        _received++;
        return true;
    }

    private long ToTimestampUnits(TimeSpan time)
    {
        // Split to avoid overflow on long uptimes: whole seconds × rate + the remainder scaled.
        long ticks = time.Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        return unchecked((seconds * ClockRate) + (remainder * ClockRate / TimeSpan.TicksPerSecond));
    }
}
