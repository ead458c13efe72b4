using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace WebRtc.Client.Stun;

/// <summary>Encodes MAPPED-ADDRESS and XOR-MAPPED-ADDRESS values (RFC 8489 §14.1, §14.2).</summary>
internal static class StunAddressCodec
{
    private const byte FamilyIPv4 = 0x01;
    private const byte FamilyIPv6 = 0x02;

    /// <summary>Value length for an address of the family.</summary>
    public static int ValueLength(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 20 : 8;

    /// <summary>
    /// Reads an address value. <paramref name="xorPad"/> is the 16 bytes of magic cookie plus
    /// transaction ID for the XOR form, or empty for the plain form.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> value, ReadOnlySpan<byte> xorPad, out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (value.Length < 8)
        {
            return false;
        }

        byte family = value[1];
        int addressLength = family switch { FamilyIPv4 => 4, FamilyIPv6 => 16, _ => 0 };
        if (addressLength == 0 || value.Length != 4 + addressLength)
        {
            return false;
        }

        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        Span<byte> address = stackalloc byte[16];
        address = address[..addressLength];
        value.Slice(4, addressLength).CopyTo(address);
        if (!xorPad.IsEmpty)
        {
            port ^= (int)(StunConstants.MagicCookie >> 16);
            for (int i = 0; i < addressLength; i++)
            {
                address[i] ^= xorPad[i];
            }
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    /// <summary>Writes an address value; returns its length.</summary>
    public static int Write(Span<byte> destination, IPEndPoint endPoint, ReadOnlySpan<byte> xorPad)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        if (!v6 && endPoint.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("STUN addresses are IPv4 or IPv6.", nameof(endPoint));
        }

        int addressLength = v6 ? 16 : 4;
        destination[0] = 0;
        destination[1] = v6 ? FamilyIPv6 : FamilyIPv4;
        int port = endPoint.Port;
        if (!xorPad.IsEmpty)
        {
            port ^= (int)(StunConstants.MagicCookie >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)port);
        Span<byte> address = destination.Slice(4, addressLength);
        endPoint.Address.TryWriteBytes(address, out _);
        if (!xorPad.IsEmpty)
        {
            for (int i = 0; i < addressLength; i++)
            {
                address[i] ^= xorPad[i];
            }
        }

        return 4 + addressLength;
    }
}
