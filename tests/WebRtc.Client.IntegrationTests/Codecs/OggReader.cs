using System.Buffers.Binary;

namespace WebRtc.Client.IntegrationTests.Codecs;

/// <summary>Reassembles the packets of the first logical stream of an Ogg file (test helper).</summary>
internal static class OggReader
{
    public static List<byte[]> ReadPackets(byte[] file)
    {
        var packets = new List<byte[]>();
        var current = new List<byte>();
        int offset = 0;
        while (offset + 27 <= file.Length)
        {
            Assert.That(file.AsSpan(offset, 4).SequenceEqual("OggS"u8), Is.True, $"page at {offset}");
            int segments = file[offset + 26];
            int data = offset + 27 + segments;
            for (int i = 0; i < segments; i++)
            {
                int lace = file[offset + 27 + i];
                current.AddRange(file.AsSpan(data, lace).ToArray());
                data += lace;
                if (lace < 255)
                {
                    packets.Add(current.ToArray());
                    current.Clear();
                }
            }

            offset = data;
        }

        return packets;
    }

    public static long LastGranule(byte[] file)
    {
        long granule = -1;
        for (int offset = 0; offset + 27 <= file.Length;)
        {
            granule = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(offset + 6));
            int segments = file[offset + 26];
            int size = 27 + segments;
            for (int i = 0; i < segments; i++)
            {
                size += file[offset + 27 + i];
            }

            offset += size;
        }

        return granule;
    }
}
