using System.Buffers.Binary;
using System.Text;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>CRC32c (RFC 9260 §6.8, Appendix A): published vectors, hardware against table, packet checksums.</summary>
public class Crc32cTests
{
    public enum Pattern
    {
        Zeros,
        Ones,
        Incrementing,
        Decrementing,
    }

    /// <summary>RFC 3720 Appendix B.4 (iSCSI CRC32c examples), 32-byte patterns.</summary>
    [TestCase(Pattern.Zeros, 0x8A9136AAu)]
    [TestCase(Pattern.Ones, 0x62A8AB43u)]
    [TestCase(Pattern.Incrementing, 0x46DD794Eu)]
    [TestCase(Pattern.Decrementing, 0x113FDB5Cu)]
    public void Rfc3720Vectors_BothPaths(Pattern pattern, uint expected)
    {
        byte[] data = Build(pattern);

        Assert.That(Crc32c.Compute(data), Is.EqualTo(expected), "hardware/default path");
        Assert.That(Crc32c.ComputeSoftware(data), Is.EqualTo(expected), "table path");
    }

    [Test]
    public void CheckValue123456789_BothPaths()
    {
        // The CRC-32C catalogue "check" value (the CRC of ASCII "123456789").
        byte[] data = Encoding.ASCII.GetBytes("123456789");

        Assert.That(Crc32c.Compute(data), Is.EqualTo(0xE3069283u));
        Assert.That(Crc32c.ComputeSoftware(data), Is.EqualTo(0xE3069283u));
    }

    [Test]
    public void Empty_IsZero()
    {
        Assert.That(Crc32c.Compute([]), Is.Zero);
        Assert.That(Crc32c.ComputeSoftware([]), Is.Zero);
        TestContext.Out.WriteLine($"IsHardwareAccelerated = {Crc32c.IsHardwareAccelerated}");
    }

    [Test]
    public void RandomData_HardwareEqualsSoftware_AllLengthsAndAlignments()
    {
        var random = new Random(3720);
        byte[] buffer = new byte[100 + 8];
        for (int round = 0; round < 4; round++)
        {
            random.NextBytes(buffer);
            for (int offset = 0; offset < 8; offset++)
            {
                for (int length = 0; length <= 100; length++)
                {
                    var data = buffer.AsSpan(offset, length);
                    Assert.That(Crc32c.Compute(data), Is.EqualTo(Crc32c.ComputeSoftware(data)), $"offset {offset}, length {length}");
                }
            }
        }
    }

    [Test]
    public void Combine_EqualsComputeOfConcatenation_AllSplits()
    {
        var random = new Random(9260);
        byte[] data = new byte[67];
        random.NextBytes(data);
        uint whole = Crc32c.Compute(data);
        for (int split = 0; split <= data.Length; split++)
        {
            Assert.That(Crc32c.Combine(data.AsSpan(0, split), data.AsSpan(split)), Is.EqualTo(whole), $"split {split}");
        }
    }

    [Test]
    public void WrittenPacket_ChecksumIsLittleEndianCrcWithFieldZeroed()
    {
        // RFC 9260 Appendix A: CRC32c over the packet with the checksum field zero, stored so that
        // the least significant byte of the CRC comes first on the wire.
        byte[] buffer = new byte[256];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, 0x01020304);
        Assert.That(writer.TryAddData(SctpDataFlags.Beginning | SctpDataFlags.End, 7, 1, 0, 51, "hello"u8), Is.True);
        Assert.That(writer.TryAddSack(6, 131072, new[] { new SctpGapAckBlock(2, 3) }, [5]), Is.True);
        int length = writer.Finish();
        byte[] packet = buffer.AsSpan(0, length).ToArray();

        byte[] zeroed = (byte[])packet.Clone();
        zeroed.AsSpan(8, 4).Clear();
        uint expected = Crc32c.ComputeSoftware(zeroed);

        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(8)), Is.EqualTo(expected));
        Assert.That(packet[8], Is.EqualTo((byte)expected), "least significant byte first");
        Assert.That(SctpPacketReader.ComputeChecksum(packet), Is.EqualTo(expected));
        Assert.That(SctpPacketReader.ReadChecksum(packet), Is.EqualTo(expected));
        Assert.That(SctpPacketReader.TryParse(packet, out _, out var error), Is.True);
        Assert.That(error, Is.EqualTo(SctpParseError.None));
    }

    [TestCaseSource(typeof(SctpCapturedPackets), nameof(SctpCapturedPackets.WithValidChecksum))]
    public void CapturedPackets_ChecksumMatchesBothPaths(byte[] packet)
    {
        // Packets captured from other stacks (see SctpCapturedPackets): the carried checksum is
        // the little-endian CRC32c of the packet with the checksum field zeroed (RFC 9260 App. A).
        byte[] zeroed = (byte[])packet.Clone();
        zeroed.AsSpan(8, 4).Clear();
        uint carried = BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(8));

        Assert.That(Crc32c.Compute(zeroed), Is.EqualTo(carried));
        Assert.That(Crc32c.ComputeSoftware(zeroed), Is.EqualTo(carried));
        Assert.That(SctpPacketReader.ComputeChecksum(packet), Is.EqualTo(carried));
    }

    [Test]
    public void CapturedPacketWithWrongChecksum_DoesNotMatch()
    {
        byte[] packet = SctpCapturedPackets.SackWrongChecksum;

        Assert.That(SctpPacketReader.ComputeChecksum(packet), Is.Not.EqualTo(SctpPacketReader.ReadChecksum(packet)));
    }

    private static byte[] Build(Pattern pattern)
    {
        byte[] data = new byte[32];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = pattern switch
            {
                Pattern.Zeros => 0x00,
                Pattern.Ones => 0xFF,
                Pattern.Incrementing => (byte)i,
                _ => (byte)(31 - i),
            };
        }

        return data;
    }
}
