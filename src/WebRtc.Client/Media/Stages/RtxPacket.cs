using System.Buffers.Binary;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media.Stages;

/// <summary>
/// RTP retransmission payload format (RFC 4588 §4) in session-multiplexing mode: wraps an original
/// packet into an RTX packet and back, without allocating. Both directions may work in place
/// (<c>destination</c> starting where the source starts); other overlaps are not supported.
/// </summary>
public static class RtxPacket
{
    /// <summary>Size of the original sequence number (OSN) field.</summary>
    public const int OsnLength = 2;

    /// <summary>
    /// Builds the RTX packet for <paramref name="original"/> (RFC 4588 §4): the same header (marker,
    /// timestamp, CSRCs and header extensions) with the RTX payload type, SSRC and sequence number,
    /// the original sequence number prepended to the payload, and padding removed.
    /// </summary>
    /// <param name="original">The original RTP packet (plain, before SRTP).</param>
    /// <param name="rtxPayloadType">The RTX payload type associated with the original's (a=fmtp apt).</param>
    /// <param name="rtxSsrc">The RTX stream's SSRC.</param>
    /// <param name="rtxSequenceNumber">The RTX stream's next sequence number.</param>
    /// <param name="destination">Where to write (the original length + 2 is always enough).</param>
    /// <param name="written">Bytes written.</param>
    /// <returns>False when <paramref name="original"/> is not a valid RTP packet or the buffer is too small.</returns>
    public static bool TryWrap(ReadOnlySpan<byte> original, byte rtxPayloadType, uint rtxSsrc, ushort rtxSequenceNumber, Span<byte> destination, out int written)
    {
        written = 0;
        if (rtxPayloadType > 127 || !RtpPacket.TryParse(original, out var packet, out _))
        {
            return false;
        }

        int headerLength = packet.HeaderLength;
        int payloadLength = packet.Payload.Length;
        int total = headerLength + OsnLength + payloadLength;
        if (destination.Length < total)
        {
            return false;
        }

        ushort osn = packet.SequenceNumber;
        // RFC 4588 §4: the RTX payload is the OSN followed by the original payload. The payload
        // moves first (memmove) so that wrapping in place works.
        original.Slice(headerLength, payloadLength).CopyTo(destination[(headerLength + OsnLength)..]);
        original[..headerLength].CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[headerLength..], osn);
        RewriteHeader(destination, rtxPayloadType, rtxSequenceNumber, rtxSsrc);
        written = total;
        return true;
    }

    /// <summary>
    /// Restores the original packet from an RTX packet (RFC 4588 §4): the original payload type and
    /// SSRC given by the caller, the sequence number from the OSN, the header otherwise unchanged and
    /// the payload after the OSN (padding removed). Never throws on malformed input.
    /// </summary>
    /// <param name="rtx">The RTX packet (plain, after SRTP unprotect).</param>
    /// <param name="originalPayloadType">The associated original payload type (apt).</param>
    /// <param name="originalSsrc">The original stream's SSRC.</param>
    /// <param name="destination">Where to write (the RTX length − 2 is always enough).</param>
    /// <param name="written">Bytes written.</param>
    /// <returns>False when <paramref name="rtx"/> is not a valid RTP packet, has no OSN (e.g. a padding-only probe) or the buffer is too small.</returns>
    public static bool TryUnwrap(ReadOnlySpan<byte> rtx, byte originalPayloadType, uint originalSsrc, Span<byte> destination, out int written)
    {
        written = 0;
        if (originalPayloadType > 127 || !RtpPacket.TryParse(rtx, out var packet, out _) || packet.Payload.Length < OsnLength)
        {
            return false;
        }

        int headerLength = packet.HeaderLength;
        int payloadLength = packet.Payload.Length - OsnLength;
        int total = headerLength + payloadLength;
        if (destination.Length < total)
        {
            return false;
        }

        ushort osn = BinaryPrimitives.ReadUInt16BigEndian(rtx[headerLength..]);
        // Header first, then the payload moves down over the OSN (in place safe).
        rtx[..headerLength].CopyTo(destination);
        rtx.Slice(headerLength + OsnLength, payloadLength).CopyTo(destination[headerLength..]);
        RewriteHeader(destination, originalPayloadType, osn, originalSsrc);
        written = total;
        return true;
    }

    /// <summary>Reads the original sequence number of an RTX packet without copying it.</summary>
    public static bool TryReadOriginalSequenceNumber(ReadOnlySpan<byte> rtx, out ushort originalSequenceNumber)
    {
        originalSequenceNumber = 0;
        if (!RtpPacket.TryParse(rtx, out var packet, out _) || packet.Payload.Length < OsnLength)
        {
            return false;
        }

        originalSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(packet.Payload);
        return true;
    }

    private static void RewriteHeader(Span<byte> header, byte payloadType, ushort sequenceNumber, uint ssrc)
    {
        header[0] &= 0xDF; // padding removed: clear P
        header[1] = (byte)((header[1] & 0x80) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], ssrc);
    }
}
