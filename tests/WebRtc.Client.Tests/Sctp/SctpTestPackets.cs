using System.Buffers.Binary;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>Small helpers to look into and rewrite packets on the virtual link.</summary>
internal static class SctpTestPackets
{
    /// <summary>Recomputes the CRC32c (little-endian at offset 8, RFC 9260 Appendix A).</summary>
    public static byte[] Reseal(byte[] packet)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), SctpPacketReader.ComputeChecksum(packet));
        return packet;
    }

    public static uint Tag(byte[] packet) => BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(4));

    /// <summary>The chunk types in a packet, read leniently (stops at the first bad length).</summary>
    public static List<SctpChunkType> ChunkTypes(byte[] packet)
    {
        var types = new List<SctpChunkType>();
        int o = SctpPacketReader.HeaderLength;
        while (o + 4 <= packet.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(o + 2));
            types.Add((SctpChunkType)packet[o]);
            if (length < 4)
            {
                break;
            }

            o += SctpPacketWriter.Padded(length);
        }

        return types;
    }

    /// <summary>Offsets of the chunks of a packet (lenient).</summary>
    public static List<int> ChunkOffsets(byte[] packet)
    {
        var offsets = new List<int>();
        int o = SctpPacketReader.HeaderLength;
        while (o + 4 <= packet.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(o + 2));
            offsets.Add(o);
            if (length < 4)
            {
                break;
            }

            o += SctpPacketWriter.Padded(length);
        }

        return offsets;
    }

    public static bool Has(byte[] packet, SctpChunkType type) => ChunkTypes(packet).Contains(type);

    /// <summary>Builds a packet with the given ports and tag; <paramref name="add"/> writes the chunks.</summary>
    public static byte[] Build(uint tag, WriterAction add, ushort sourcePort = 5000, ushort destinationPort = 5000, int size = 65535)
    {
        var buffer = new byte[size];
        var w = new SctpPacketWriter(buffer, sourcePort, destinationPort, tag);
        add(ref w);
        return buffer.AsSpan(0, w.Finish()).ToArray();
    }

    public delegate void WriterAction(ref SctpPacketWriter writer);

    /// <summary>The result codes of the RE-CONFIG responses in a packet.</summary>
    public static List<uint> ReconfigResults(byte[] packet)
    {
        var results = new List<uint>();
        foreach (int o in ChunkOffsets(packet))
        {
            if ((SctpChunkType)packet[o] != SctpChunkType.ReConfig)
            {
                continue;
            }

            int end = o + BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(o + 2));
            int p = o + 4;
            while (p + 4 <= end)
            {
                int type = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(p));
                int length = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(p + 2));
                if (length < 4)
                {
                    break;
                }

                if (type == (int)SctpParameterType.ReconfigurationResponse && length >= 12)
                {
                    results.Add(BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(p + 8)));
                }

                p += SctpPacketWriter.Padded(length);
            }
        }

        return results;
    }
}
