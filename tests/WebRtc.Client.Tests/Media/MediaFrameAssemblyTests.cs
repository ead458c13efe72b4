using WebRtc.Client.Packetization;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media;

/// <summary>The frame assembler as the receive stream drives it: sources that restart and packets across the wrap.</summary>
public class MediaFrameAssemblyTests
{
    private static byte[] Packet(ushort seq, uint timestamp, bool start, bool marker, byte body)
    {
        var buffer = new byte[64];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader { Marker = marker, PayloadType = 96, SequenceNumber = seq, Timestamp = timestamp, Ssrc = 1 });
        writer.TryWritePayload([(byte)(start ? 0x90 : 0x80), 0x80, 0x80, 0x01, (byte)(start ? 0x10 : body), body]);
        return buffer[..writer.Length];
    }

    private static void Push(RtpFrameAssembler assembler, byte[] packet)
    {
        Assert.That(RtpPacket.TryParse(packet, out var p, out _), Is.True);
        assembler.Push(p);
    }

    [Test]
    public void An_older_packet_across_the_wrap_before_anything_is_emitted_does_not_throw_and_completes_the_frame()
    {
        var assembler = new RtpFrameAssembler(new Vp8Packetizer());
        var frames = new List<(AssembledFrame Frame, byte[] Data)>();
        assembler.Frame += (in AssembledFrame f, ReadOnlySpan<byte> d) => frames.Add((f, d.ToArray()));

        // The frame's second packet (seq 2) arrives first, then its first (65535, across the wrap), then the middle ones.
        Push(assembler, Packet(2, 900, false, true, 4));
        Push(assembler, Packet(65535, 900, true, false, 1));
        Push(assembler, Packet(0, 900, false, false, 2));
        Push(assembler, Packet(1, 900, false, false, 3));

        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(frames[0].Frame.IsComplete, Is.True);
        Assert.That(frames[0].Data, Is.EqualTo(new byte[] { 0x10, 1, 0x02, 2, 0x03, 3, 0x04, 4 }));
        Assert.That(frames[0].Frame.FirstSequenceNumber, Is.EqualTo(-1), "65535 extended just below the first packet seen (2)");
    }

    [Test]
    public void Reset_forgets_the_old_source_and_takes_a_new_one_from_any_sequence_number()
    {
        var assembler = new RtpFrameAssembler(new Vp8Packetizer());
        var frames = new List<byte[]>();
        assembler.Frame += (in AssembledFrame f, ReadOnlySpan<byte> d) => frames.Add(d.ToArray());
        Push(assembler, Packet(40000, 1, true, false, 1)); // a frame left incomplete
        Push(assembler, Packet(40002, 2, true, true, 2));

        assembler.Reset();
        Push(assembler, Packet(7, 3000, true, true, 9));
        Assert.That(frames, Has.Count.EqualTo(1), "the old source's packets are gone, nothing reported for them");
        Assert.That(frames[0], Is.EqualTo(new byte[] { 0x10, 9 }));
    }
}
