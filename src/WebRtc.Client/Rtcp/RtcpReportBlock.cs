using System.Buffers.Binary;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Rtcp;

/// <summary>One reception report block of an SR or RR (RFC 3550 §6.4.1).</summary>
/// <param name="Ssrc">The source this block is about.</param>
/// <param name="FractionLost">Loss since the last report, in 1/256.</param>
/// <param name="CumulativeLost">Packets lost since the start (signed 24 bits; duplicates can make it negative).</param>
/// <param name="ExtendedHighestSequence">Cycles in the high 16 bits, highest sequence number in the low.</param>
/// <param name="Jitter">Interarrival jitter in timestamp units.</param>
/// <param name="LastSenderReport">The middle 32 bits of the last SR's NTP time (LSR), 0 when none.</param>
/// <param name="DelaySinceLastSenderReport">Delay since that SR in 1/65536 s (DLSR).</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport)
{
    /// <summary>Size on the wire.</summary>
    public const int Length = 24;

    /// <summary>Reads a block from 24 bytes.</summary>
    public static RtcpReportBlock Read(ReadOnlySpan<byte> data)
    {
        int lost = (data[5] << 16) | (data[6] << 8) | data[7];
        if ((lost & 0x800000) != 0)
        {
            lost |= unchecked((int)0xFF000000);
        }

        return new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(data), data[4], lost,
            BinaryPrimitives.ReadUInt32BigEndian(data[8..]), BinaryPrimitives.ReadUInt32BigEndian(data[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[16..]), BinaryPrimitives.ReadUInt32BigEndian(data[20..]));
    }

    /// <summary>Writes the block into 24 bytes; the cumulative loss is clamped to 24 signed bits.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        destination[4] = FractionLost;
        int lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF);
        destination[5] = (byte)(lost >> 16);
        destination[6] = (byte)(lost >> 8);
        destination[7] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }

    /// <summary>
    /// Round-trip time seen by the sender of the SR this block answers (RFC 3550 §6.4.1:
    /// A - LSR - DLSR), given the compact NTP time the block arrived; null without an SR.
    /// </summary>
    public TimeSpan? GetRoundTripTime(uint arrivalCompactNtp) =>
        RoundTrip(arrivalCompactNtp, LastSenderReport, DelaySinceLastSenderReport);

    /// <summary>A - last - delay in compact NTP, or null when <paramref name="last"/> is 0 or the result is negative.</summary>
    internal static TimeSpan? RoundTrip(uint arrival, uint last, uint delay)
    {
        if (last == 0)
        {
            return null;
        }

        uint rtt = arrival - last - delay;
        // Wrap-around arithmetic: a "negative" result (clock skew, bogus DLSR) is refused, not huge.
        return rtt >= 0x80000000 ? null : NtpTime.CompactToTimeSpan(rtt);
    }
}
