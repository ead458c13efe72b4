namespace WebRtc.Client.Srtp;

/// <summary>SRTP's view of the RTP header length; the one reader lives in the RTP layer.</summary>
internal static class RtpHeaderReader
{
    /// <summary>The fixed RTP header size.</summary>
    public const int FixedHeaderLength = Rtp.RtpPacket.FixedHeaderLength;

    /// <summary>See <see cref="Rtp.RtpPacket.TryGetHeaderLength"/>.</summary>
    public static bool TryGetHeaderLength(ReadOnlySpan<byte> packet, out int headerLength) =>
        Rtp.RtpPacket.TryGetHeaderLength(packet, out headerLength);
}
