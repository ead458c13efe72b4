using WebRtc.Client.Media.Stages;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media.Stages;

/// <summary>Hostile or random input into every stage that reads network-controlled values: nothing throws, invariants hold.</summary>
public class MediaStageFuzzTests
{
    private static byte[] SeedRtx()
    {
        var buffer = new byte[300];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader { Marker = true, PayloadType = 96, SequenceNumber = 77, Timestamp = 5, Ssrc = 9 }, [1u, 2u]);
        writer.TryAddExtension(1, "m"u8);
        writer.TryAddAbsSendTime(3, 0x123456);
        writer.TryWritePayload(new byte[40], paddingLength: 3);
        var rtx = new byte[300];
        Assert.That(RtxPacket.TryWrap(buffer.AsSpan(0, writer.Length), 97, 10, 1, rtx, out int written), Is.True);
        return rtx[..written];
    }

    [Test]
    public void Random_and_mutated_bytes_into_rtx()
    {
        var random = new Random(4588);
        var seed = SeedRtx();
        var input = new byte[400];
        var output = new byte[400];
        int accepted = 0;
        for (int i = 0; i < 50_000; i++)
        {
            int length;
            if (i % 2 == 0)
            {
                length = random.Next(0, 120);
                random.NextBytes(input.AsSpan(0, length));
                if (i % 4 == 0 && length > 0)
                {
                    input[0] = (byte)((input[0] & 0x3F) | 0x80); // version 2 gets further
                }
            }
            else
            {
                seed.CopyTo(input, 0);
                length = seed.Length;
                int flips = random.Next(1, 6);
                for (int f = 0; f < flips; f++)
                {
                    input[random.Next(length)] ^= (byte)(1 << random.Next(8));
                }

                length = random.Next(0, 4) == 0 ? random.Next(0, seed.Length + 1) : length;
            }

            var packet = input.AsSpan(0, length);
            var destination = output.AsSpan(0, random.Next(0, output.Length + 1));
            if (RtxPacket.TryUnwrap(packet, 96, 9, destination, out int written))
            {
                accepted++;
                Assert.That(written, Is.LessThanOrEqualTo(destination.Length));
                Assert.That(RtpPacket.TryParse(destination[..written], out _, out _), Is.True);
            }
            else
            {
                Assert.That(written, Is.Zero);
            }

            RtxPacket.TryReadOriginalSequenceNumber(packet, out _);
            if (RtxPacket.TryWrap(packet, 97, 10, (ushort)i, destination, out written))
            {
                Assert.That(RtpPacket.TryParse(destination[..written], out _, out _), Is.True);
            }
        }

        Assert.That(accepted, Is.GreaterThan(100), "mutations should keep some packets valid");
    }

    private static IEnumerable<ushort> SequenceOrders(Random random, int count, int mode)
    {
        ushort seq = (ushort)random.Next(65536);
        for (int i = 0; i < count; i++)
        {
            switch (mode)
            {
                case 0: // anything
                    yield return (ushort)random.Next(65536);
                    break;
                case 1: // mostly forward with loss, reordering, duplicates and rare jumps
                    int r = random.Next(100);
                    seq += (ushort)(r < 70 ? 1 : r < 85 ? random.Next(2, 30) : r < 95 ? 0 : r < 99 ? -random.Next(1, 200) : random.Next(1000, 40000));
                    yield return seq;
                    break;
                default: // a sliding window of small random offsets around a moving point
                    seq += (ushort)random.Next(0, 3);
                    yield return (ushort)(seq + random.Next(-50, 50));
                    break;
            }
        }
    }

    [Test]
    public void Random_sequence_orders_into_nack_generator([Values(0, 1, 2)] int mode)
    {
        var random = new Random(6 + mode);
        var nack = new NackGenerator(capacity: 500) { ReorderPacketThreshold = mode };
        var destination = new ushort[64];
        var now = TimeSpan.Zero;
        foreach (ushort seq in SequenceOrders(random, 30_000, mode))
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 5));
            nack.OnPacket(seq, now, isKeyFrame: random.Next(200) == 0);
            if (random.Next(4) == 0)
            {
                int n = nack.GetNacks(now, TimeSpan.FromMilliseconds(random.Next(0, 300)), destination.AsSpan(0, random.Next(0, 65)));
                Assert.That(n, Is.InRange(0, 64));
            }

            Assert.That(nack.MissingCount, Is.InRange(0, 500));
        }

        // Drain: everything is eventually NACKed out or abandoned.
        for (int i = 0; i < 50; i++)
        {
            now += TimeSpan.FromMilliseconds(100);
            while (nack.GetNacks(now, TimeSpan.FromMilliseconds(50), destination) == destination.Length)
            {
            }
        }

        Assert.That(nack.MissingCount, Is.Zero);
    }

    [Test]
    public void Random_sequence_orders_into_receive_statistics([Values(0, 1, 2)] int mode)
    {
        var random = new Random(3550 + mode);
        var stats = new RtpReceiveStatistics(1, 90000, minSequential: 1 + (mode % 2));
        var now = TimeSpan.Zero;
        foreach (ushort seq in SequenceOrders(random, 30_000, mode))
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 40));
            stats.OnPacket(seq, (uint)random.NextInt64(uint.MaxValue + 1L), now, random.Next(-10, 1500), isRetransmission: random.Next(20) == 0);
            if (random.Next(50) == 0)
            {
                stats.OnSenderReport(new NtpTime((ulong)random.NextInt64()), now - TimeSpan.FromMilliseconds(random.Next(-100, 100)));
            }

            if (random.Next(100) == 0)
            {
                var block = stats.CreateReportBlock(now);
                var wire = new byte[RtcpReportBlock.Length];
                block.Write(wire);
                Assert.That(RtcpReportBlock.Read(wire).CumulativeLost, Is.InRange(-0x800000, 0x7FFFFF));
            }
        }

        Assert.That(stats.Jitter, Is.GreaterThanOrEqualTo(0));
        Assert.That(stats.BytesReceived, Is.GreaterThanOrEqualTo(0));
    }

    [Test]
    public void Random_report_blocks_and_packets_into_send_side()
    {
        var random = new Random(3551);
        var stats = new RtpSendStatistics(5, 48000);
        var history = new RtpSendHistory(capacity: 64, maxPacketSize: 200);
        var block = new byte[RtcpReportBlock.Length];
        var packet = new byte[250];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(block);
            if (random.Next(2) == 0)
            {
                block[0] = block[1] = block[2] = 0;
                block[3] = 5;
            }

            stats.OnReportBlock(RtcpReportBlock.Read(block), new NtpTime((ulong)random.NextInt64()));
            stats.OnPacketSent((uint)random.NextInt64(uint.MaxValue + 1L), TimeSpan.FromMilliseconds(random.Next(-1000, 1000)), random.Next(-5, 1500), random.Next(3) == 0);

            int length = random.Next(0, packet.Length + 1);
            random.NextBytes(packet.AsSpan(0, length));
            history.Store(packet.AsSpan(0, length), TimeSpan.FromMilliseconds(i));
            history.TryGetForRetransmission((ushort)random.Next(65536), TimeSpan.FromMilliseconds(i), TimeSpan.FromMilliseconds(random.Next(0, 100)), out _);
        }

        Assert.That(stats.RoundTripTime is null || stats.RoundTripTime >= TimeSpan.Zero, Is.True);
        Assert.That(stats.TryWriteSenderReport(new byte[28], TimeSpan.FromSeconds(1), new NtpTime(1), out _), Is.True);
    }
}
