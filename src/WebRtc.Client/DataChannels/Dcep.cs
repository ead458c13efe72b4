using System.Buffers.Binary;
using System.Text;

namespace WebRtc.Client.DataChannels;

/// <summary>Payload protocol identifiers of WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1).</summary>
public static class DataChannelPpid
{
    /// <summary>DCEP control message.</summary>
    public const uint Dcep = 50;

    /// <summary>UTF-8 text.</summary>
    public const uint String = 51;

    /// <summary>Deprecated: a partial UTF-8 text message (received only).</summary>
    public const uint StringPartial = 52;

    /// <summary>Binary.</summary>
    public const uint Binary = 53;

    /// <summary>Deprecated: a partial binary message (received only).</summary>
    public const uint BinaryPartial = 54;

    /// <summary>Empty UTF-8 text (carried as one byte).</summary>
    public const uint StringEmpty = 56;

    /// <summary>Empty binary (carried as one byte).</summary>
    public const uint BinaryEmpty = 57;
}

/// <summary>DCEP channel types (RFC 8832 §5.1).</summary>
public enum DcepChannelType : byte
{
    /// <summary>Reliable, ordered.</summary>
    Reliable = 0x00,

    /// <summary>Reliable, unordered.</summary>
    ReliableUnordered = 0x80,

    /// <summary>Partially reliable by retransmissions, ordered.</summary>
    PartialReliableRexmit = 0x01,

    /// <summary>Partially reliable by retransmissions, unordered.</summary>
    PartialReliableRexmitUnordered = 0x81,

    /// <summary>Partially reliable by lifetime, ordered.</summary>
    PartialReliableTimed = 0x02,

    /// <summary>Partially reliable by lifetime, unordered.</summary>
    PartialReliableTimedUnordered = 0x82,
}

/// <summary>A DATA_CHANNEL_OPEN message (RFC 8832 §5.1).</summary>
public sealed record DcepOpen(DcepChannelType ChannelType, ushort Priority, uint ReliabilityParameter, string Label, string Protocol)
{
    /// <summary>DATA_CHANNEL_OPEN message type.</summary>
    public const byte MessageType = 0x03;

    /// <summary>DATA_CHANNEL_ACK message type.</summary>
    public const byte AckMessageType = 0x02;

    /// <summary>Whether the channel is ordered.</summary>
    public bool Ordered => ((byte)ChannelType & 0x80) == 0;

    /// <summary>Serializes the message.</summary>
    public byte[] ToBytes()
    {
        int labelLength = Encoding.UTF8.GetByteCount(Label);
        int protocolLength = Encoding.UTF8.GetByteCount(Protocol);
        if (labelLength > ushort.MaxValue || protocolLength > ushort.MaxValue)
        {
            throw new ArgumentException("Label and protocol are limited to 65535 bytes of UTF-8.");
        }

        var bytes = new byte[12 + labelLength + protocolLength];
        bytes[0] = MessageType;
        bytes[1] = (byte)ChannelType;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), Priority);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), ReliabilityParameter);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(8), (ushort)labelLength);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(10), (ushort)protocolLength);
        Encoding.UTF8.GetBytes(Label, bytes.AsSpan(12));
        Encoding.UTF8.GetBytes(Protocol, bytes.AsSpan(12 + labelLength));
        return bytes;
    }

    /// <summary>Parses a DATA_CHANNEL_OPEN; false on anything malformed (never throws).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out DcepOpen? open)
    {
        open = null;
        if (data.Length < 12 || data[0] != MessageType)
        {
            return false;
        }

        var type = (DcepChannelType)data[1];
        if (type is not (DcepChannelType.Reliable or DcepChannelType.ReliableUnordered or DcepChannelType.PartialReliableRexmit
            or DcepChannelType.PartialReliableRexmitUnordered or DcepChannelType.PartialReliableTimed or DcepChannelType.PartialReliableTimedUnordered))
        {
            return false;
        }

        int labelLength = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        int protocolLength = BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
        if (data.Length != 12 + labelLength + protocolLength)
        {
            return false;
        }

        try
        {
            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            open = new DcepOpen(type, BinaryPrimitives.ReadUInt16BigEndian(data[2..]), BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
                strict.GetString(data.Slice(12, labelLength)), strict.GetString(data.Slice(12 + labelLength, protocolLength)));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
