using System.Buffers.Binary;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// The baseline: a class-per-packet RTP/RTCP model that copies arrays, the way C# stacks
/// commonly do it (a header object, a list of extension objects, a payload byte[]).
/// </summary>
public sealed class NaiveRtpPacket
{
    public bool Marker { get; set; }
    public byte PayloadType { get; set; }
    public ushort SequenceNumber { get; set; }
    public uint Timestamp { get; set; }
    public uint Ssrc { get; set; }
    public List<uint> Csrcs { get; } = new();
    public List<NaiveExtension> Extensions { get; } = new();
    public byte[] Payload { get; set; } = [];

    public static NaiveRtpPacket? Parse(byte[] data)
    {
        if (data.Length < 12 || data[0] >> 6 != 2)
        {
            return null;
        }

        var p = new NaiveRtpPacket
        {
            Marker = (data[1] & 0x80) != 0, PayloadType = (byte)(data[1] & 0x7F),
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2)),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)), Ssrc = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8)),
        };
        int offset = 12;
        for (int i = 0; i < (data[0] & 0x0F); i++, offset += 4)
        {
            p.Csrcs.Add(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset)));
        }

        if ((data[0] & 0x10) != 0)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2)) * 4;
            var block = data.AsSpan(offset + 4, length).ToArray();
            offset += 4 + length;
            for (int i = 0; i < block.Length;)
            {
                if (block[i] == 0)
                {
                    i++;
                    continue;
                }

                int id = block[i] >> 4, len = (block[i] & 0x0F) + 1;
                p.Extensions.Add(new NaiveExtension(id, block.AsSpan(i + 1, len).ToArray()));
                i += 1 + len;
            }
        }

        p.Payload = data.AsSpan(offset).ToArray();
        return p;
    }

    public byte[] Serialize()
    {
        var ext = new List<byte>();
        foreach (var e in Extensions)
        {
            ext.Add((byte)((e.Id << 4) | (e.Data.Length - 1)));
            ext.AddRange(e.Data);
        }

        while (ext.Count % 4 != 0)
        {
            ext.Add(0);
        }

        var result = new byte[12 + (Csrcs.Count * 4) + (ext.Count > 0 ? 4 + ext.Count : 0) + Payload.Length];
        result[0] = (byte)(0x80 | (ext.Count > 0 ? 0x10 : 0) | Csrcs.Count);
        result[1] = (byte)((Marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(2), SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(4), Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(8), Ssrc);
        int offset = 12;
        foreach (var c in Csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(offset), c);
            offset += 4;
        }

        if (ext.Count > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(offset), 0xBEDE);
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(offset + 2), (ushort)(ext.Count / 4));
            ext.ToArray().CopyTo(result, offset + 4);
            offset += 4 + ext.Count;
        }

        Payload.CopyTo(result, offset);
        return result;
    }
}

public sealed record NaiveExtension(int Id, byte[] Data);

/// <summary>Baseline VP8 packetizer: a list of new byte[] per packet.</summary>
public static class NaiveVp8
{
    public static List<byte[]> Packetize(byte[] frame, int mtu)
    {
        var list = new List<byte[]>();
        for (int offset = 0; offset < frame.Length; offset += mtu - 1)
        {
            int size = Math.Min(mtu - 1, frame.Length - offset);
            var p = new byte[size + 1];
            p[0] = (byte)(offset == 0 ? 0x10 : 0);
            Array.Copy(frame, offset, p, 1, size);
            list.Add(p);
        }

        return list;
    }

    public static byte[] Depacketize(List<byte[]> payloads)
    {
        var ms = new MemoryStream();
        foreach (var p in payloads)
        {
            ms.Write(p, 1, p.Length - 1);
        }

        return ms.ToArray();
    }
}
