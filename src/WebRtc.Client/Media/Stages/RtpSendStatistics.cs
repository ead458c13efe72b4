using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media.Stages;

/// <summary>
/// Send statistics for one local SSRC: the packet and octet counts of the Sender Report (RFC 3550
/// §6.4.1), the SR's RTP timestamp extrapolated from the last sent packet, and what the remote
/// reports about us (round-trip time, loss, jitter) for remote-inbound-rtp stats. A sans-IO state
/// machine: times are <see cref="TimeSpan"/>s on one monotonic clock; nothing allocates after
/// construction. Not thread-safe.
/// </summary>
public sealed class RtpSendStatistics
{
    private bool _hasMedia;
    private uint _lastTimestamp;
    private TimeSpan _lastTimestampTime;
    private uint _packetCount;
    private uint _octetCount;

    /// <summary>Creates the statistics for <paramref name="ssrc"/>.</summary>
    /// <param name="ssrc">The local SSRC.</param>
    /// <param name="clockRate">The RTP clock rate in Hz, used for the SR timestamp and the remote jitter in seconds.</param>
    public RtpSendStatistics(uint ssrc, int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        Ssrc = ssrc;
        ClockRate = clockRate;
    }

    /// <summary>The local SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The RTP clock rate in Hz.</summary>
    public int ClockRate { get; }

    /// <summary>RTP packets sent, retransmissions included.</summary>
    public long PacketsSent { get; private set; }

    /// <summary>Payload bytes sent, retransmissions included.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Retransmitted packets sent on this SSRC.</summary>
    public long RetransmittedPacketsSent { get; private set; }

    /// <summary>Payload bytes of the retransmissions.</summary>
    public long RetransmittedBytesSent { get; private set; }

    /// <summary>Sender Reports written.</summary>
    public long SenderReportsSent { get; private set; }

    /// <summary>True once a non-retransmitted packet was sent (an SR can be written).</summary>
    public bool HasSentMedia => _hasMedia;

    /// <summary>The latest round-trip time computed from a report block, null before the first (RFC 3550 §6.4.1).</summary>
    public TimeSpan? RoundTripTime { get; private set; }

    /// <summary>Sum of all round-trip times measured (remote-inbound-rtp totalRoundTripTime).</summary>
    public TimeSpan TotalRoundTripTime { get; private set; }

    /// <summary>Number of round-trip times measured (remote-inbound-rtp roundTripTimeMeasurements).</summary>
    public long RoundTripTimeMeasurements { get; private set; }

    /// <summary>The fraction lost of the last report block, 0–1 (remote-inbound-rtp fractionLost).</summary>
    public double RemoteFractionLost { get; private set; }

    /// <summary>The cumulative packets lost of the last report block.</summary>
    public int RemotePacketsLost { get; private set; }

    /// <summary>The remote's jitter in seconds from the last report block.</summary>
    public double RemoteJitter { get; private set; }

    /// <summary>The extended highest sequence number the remote reported.</summary>
    public uint RemoteHighestSequence { get; private set; }

    /// <summary>Report blocks about this SSRC received.</summary>
    public long ReportBlocksReceived { get; private set; }

    /// <summary>Accounts for one sent RTP packet.</summary>
    /// <param name="rtpTimestamp">Its RTP timestamp.</param>
    /// <param name="sampleTime">
    /// When <paramref name="rtpTimestamp"/> was sampled on the same clock as <c>now</c> elsewhere:
    /// the capture time when known, the send time otherwise.
    /// </param>
    /// <param name="payloadBytes">Payload length (without header and padding).</param>
    /// <param name="retransmission">True for a retransmission (its old timestamp is kept out of the SR extrapolation).</param>
    public void OnPacketSent(uint rtpTimestamp, TimeSpan sampleTime, int payloadBytes, bool retransmission = false)
    {
        int bytes = Math.Max(0, payloadBytes);
        PacketsSent++;
        BytesSent += bytes;
        _packetCount++;
        _octetCount = unchecked(_octetCount + (uint)bytes);
        if (retransmission)
        {
            RetransmittedPacketsSent++;
            RetransmittedBytesSent += bytes;
            return;
        }

        _hasMedia = true;
        _lastTimestamp = rtpTimestamp;
        _lastTimestampTime = sampleTime;
    }

    /// <summary>
    /// The RTP timestamp that corresponds to <paramref name="now"/>: the last sent packet's timestamp
    /// advanced by the time since it was sampled (RFC 3550 §6.4.1: the same clock as the RTP
    /// timestamps, not necessarily a packet's).
    /// </summary>
    public uint GetRtpTimestamp(TimeSpan now)
    {
        long ticks = (now - _lastTimestampTime).Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        long units = (seconds * ClockRate) + (remainder * ClockRate / TimeSpan.TicksPerSecond);
        return unchecked(_lastTimestamp + (uint)units);
    }

    /// <summary>Writes a Sender Report without report blocks.</summary>
    /// <inheritdoc cref="TryWriteSenderReport(Span{byte}, TimeSpan, NtpTime, ReadOnlySpan{RtcpReportBlock}, out int)"/>
    public bool TryWriteSenderReport(Span<byte> destination, TimeSpan now, NtpTime nowNtp, out int written) =>
        TryWriteSenderReport(destination, now, nowNtp, default, out written);

    /// <summary>
    /// Writes a Sender Report (RFC 3550 §6.4.1) for this SSRC: NTP time <paramref name="nowNtp"/>,
    /// the extrapolated RTP timestamp, and the packet and octet counts (modulo 2^32).
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="now">The monotonic time that <paramref name="nowNtp"/> stands for.</param>
    /// <param name="nowNtp">The wallclock time of the report.</param>
    /// <param name="reports">Reception report blocks to include (up to 31).</param>
    /// <param name="written">Bytes written.</param>
    /// <returns>False when the buffer is too small or no media was sent yet (send an RR then).</returns>
    public bool TryWriteSenderReport(Span<byte> destination, TimeSpan now, NtpTime nowNtp, ReadOnlySpan<RtcpReportBlock> reports, out int written)
    {
        if (!_hasMedia)
        {
            written = 0;
            return false;
        }

        if (!RtcpWriter.TryWriteSenderReport(destination, Ssrc, nowNtp, GetRtpTimestamp(now), _packetCount, _octetCount, reports, out written))
        {
            return false;
        }

        SenderReportsSent++;
        return true;
    }

    /// <summary>
    /// Takes a report block from an SR or RR. Blocks about other SSRCs are ignored. The RTT is
    /// A − LSR − DLSR (RFC 3550 §6.4.1) when the block echoes an SR.
    /// </summary>
    /// <param name="block">The block.</param>
    /// <param name="arrival">The wallclock (NTP) time the report arrived.</param>
    /// <returns>True when the block was about this SSRC.</returns>
    public bool OnReportBlock(in RtcpReportBlock block, NtpTime arrival)
    {
        if (block.Ssrc != Ssrc)
        {
            return false;
        }

        ReportBlocksReceived++;
        RemoteFractionLost = block.FractionLost / 256.0;
        RemotePacketsLost = block.CumulativeLost;
        RemoteJitter = (double)block.Jitter / ClockRate;
        RemoteHighestSequence = block.ExtendedHighestSequence;
        if (block.GetRoundTripTime(arrival.Compact) is TimeSpan rtt)
        {
            RoundTripTime = rtt;
            TotalRoundTripTime += rtt;
            RoundTripTimeMeasurements++;
        }

        return true;
    }
}
