using System.Buffers.Binary;

namespace WebRtc.Client.Srtp;

/// <summary>Bounds-checked RTP header length (RFC 3550 §5.3.1); shared with the RTP layer.</summary>
internal static class RtpHeaderReader
{
    /// <summary>The fixed RTP header size.</summary>
    public const int FixedHeaderLength = 12;

    /// <summary>
    /// Reads the length of the fixed header, the CSRC list and the header extension.
    /// Fails on a version other than 2 or when any part runs past <paramref name="packet"/>.
    /// </summary>
    public static bool TryGetHeaderLength(ReadOnlySpan<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < FixedHeaderLength || (packet[0] >> 6) != 2)
        {
            return false;
        }

        int length = FixedHeaderLength + ((packet[0] & 0x0F) * 4);
        if ((packet[0] & 0x10) != 0)
        {
            // Extension: 16-bit profile-defined id, 16-bit length in 32-bit words (header not counted).
            if (packet.Length < length + 4)
            {
                return false;
            }

            length += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(length + 2)) * 4);
        }

        if (length > packet.Length)
        {
            return false;
        }

        headerLength = length;
        return true;
    }
}
