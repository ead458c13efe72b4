using WebRtc.Client.Packetization;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Rtp;

public class RtpFrameAssemblerTests
{
    private sealed record Sent(byte[] Packet, int Frame);

    private static (List<Sent> Packets, List<byte[]> Frames) MakeStream(int frames, ushort firstSeq, Random random)
    {
        var vp8 = new Vp8Packetizer();
        var packets = new List<Sent>();
        var list = new List<byte[]>();
        ushort seq = firstSeq;
        var buffer = new byte[1500];
        for (int f = 0; f < frames; f++)
        {
            var frame = new byte[random.Next(1, 6000)];
            random.NextBytes(frame);
            frame[0] = (byte)(f % 10 == 0 ? frame[0] & 0xFE : frame[0] | 1);
            list.Add(frame);
            var payloads = PayloadFormatTests.Packetize(vp8, frame, 1000);
            for (int i = 0; i < payloads.Count; i++)
            {
                var w = new RtpPacketWriter(buffer);
                w.TryWriteHeader(new RtpHeader { Marker = i == payloads.Count - 1, PayloadType = 96, SequenceNumber = seq++, Timestamp = (uint)(f * 3000), Ssrc = 1 });
                w.TryWritePayload(payloads[i]);
                packets.Add(new Sent(buffer[..w.Length], f));
            }
        }

        return (packets, list);
    }

    private static List<(AssembledFrame Frame, byte[] Data)> Run(IEnumerable<Sent> packets)
    {
        var assembler = new RtpFrameAssembler(new Vp8Packetizer(), capacity: 256);
        var output = new List<(AssembledFrame, byte[])>();
        assembler.Frame += (in AssembledFrame frame, ReadOnlySpan<byte> data) => output.Add((frame, data.ToArray()));
        foreach (var p in packets)
        {
            Assert.That(RtpPacket.TryParse(p.Packet, out var packet, out _), Is.True);
            assembler.Push(packet);
        }

        return output;
    }

    [Test]
    public void In_order_stream_across_sequence_wrap_gives_every_frame()
    {
        var random = new Random(1);
        var (packets, frames) = MakeStream(60, 65500, random);
        var output = Run(packets);
        Assert.That(output.Select(o => o.Data), Is.EqualTo(frames));
        Assert.That(output.All(o => o.Frame.IsComplete), Is.True);
        Assert.That(output.Select(o => o.Frame.IsKeyFrame), Is.EqualTo(frames.Select((_, i) => i % 10 == 0)));
    }

    [Test]
    public void Reordered_and_duplicated_packets_still_give_whole_frames_in_order()
    {
        var random = new Random(2);
        var (packets, frames) = MakeStream(80, 100, random);
        var shuffled = new List<Sent>();
        // Reorder within windows of 8 and duplicate about one packet in ten.
        // The first window stays in order: the stream starts at the first packet received.
        for (int i = 0; i < packets.Count; i += 8)
        {
            var window = packets.Skip(i).Take(8).OrderBy(_ => i == 0 ? 0 : random.Next()).ToList();
            foreach (var p in window)
            {
                shuffled.Add(p);
                if (random.Next(10) == 0)
                {
                    shuffled.Add(p);
                }
            }
        }

        var output = Run(shuffled);
        Assert.That(output.All(o => o.Frame.IsComplete), Is.True);
        Assert.That(output.Select(o => o.Data), Is.EqualTo(frames));
    }

    [Test]
    public void A_lost_packet_is_reported_as_an_incomplete_frame_and_the_rest_flow()
    {
        var random = new Random(3);
        var (packets, frames) = MakeStream(30, 0, random);
        var lostFrames = new HashSet<int> { 3, 4, 17 };
        var kept = new List<Sent>();
        var dropped = new HashSet<int>();
        foreach (var p in packets)
        {
            if (lostFrames.Contains(p.Frame) && !dropped.Contains(p.Frame))
            {
                dropped.Add(p.Frame); // lose the first packet of each of those frames
                continue;
            }

            kept.Add(p);
        }

        var output = Run(kept);
        var complete = output.Where(o => o.Frame.IsComplete).ToList();
        Assert.That(complete.Select(o => o.Data), Is.EqualTo(frames.Where((_, i) => !lostFrames.Contains(i))));
        var incomplete = output.Where(o => !o.Frame.IsComplete).Select(o => o.Frame.Timestamp).ToList();
        Assert.That(incomplete, Is.EqualTo(lostFrames.Order().Select(f => (uint)(f * 3000))));
        // Emitted in timestamp order.
        Assert.That(output.Select(o => o.Frame.Timestamp), Is.Ordered);
    }

    [Test]
    public void A_short_hole_waits_for_reordering_and_SkipMissing_gives_up_on_it()
    {
        var random = new Random(5);
        var (packets, frames) = MakeStream(4, 0, random);
        int firstOfFrame1 = packets.FindIndex(p => p.Frame == 1);
        var kept = packets.Where((_, i) => i != firstOfFrame1).ToList();
        var assembler = new RtpFrameAssembler(new Vp8Packetizer(), capacity: 256, reorderTolerance: 1000);
        var output = new List<AssembledFrame>();
        assembler.Frame += (in AssembledFrame frame, ReadOnlySpan<byte> data) => output.Add(frame);
        foreach (var p in kept)
        {
            RtpPacket.TryParse(p.Packet, out var packet, out _);
            assembler.Push(packet);
        }

        Assert.That(output.Select(f => f.IsComplete), Is.EqualTo(new[] { true }));
        assembler.SkipMissing();
        Assert.That(output.Select(f => f.IsComplete), Is.EqualTo(new[] { true, false, true, true }));
        Assert.That(output[1].Timestamp, Is.EqualTo(3000u));
        Assert.That(frames, Has.Count.EqualTo(4));
    }

    [Test]
    public void Garbage_through_the_assembler_never_throws()
    {
        var random = new Random(4);
        var (packets, _) = MakeStream(40, 10, random);
        var assembler = new RtpFrameAssembler(new H264Packetizer(), capacity: 64);
        int frames = 0;
        assembler.Frame += (in AssembledFrame frame, ReadOnlySpan<byte> data) => frames++;
        for (int i = 0; i < 20_000; i++)
        {
            var p = (byte[])packets[random.Next(packets.Count)].Packet.Clone();
            p[random.Next(p.Length)] = (byte)random.Next(256);
            p[2] = (byte)random.Next(256);
            p[3] = (byte)random.Next(256);
            if (RtpPacket.TryParse(p, out var packet, out _))
            {
                assembler.Push(packet);
            }
        }

        Assert.That(frames + assembler.MalformedPackets + assembler.DroppedPackets, Is.GreaterThan(0));
    }
}
