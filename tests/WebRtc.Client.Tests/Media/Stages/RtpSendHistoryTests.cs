using WebRtc.Client.Media.Stages;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media.Stages;

public class RtpSendHistoryTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    internal static byte[] Packet(ushort seq, int payloadLength = 100)
    {
        var buffer = new byte[1500];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader { PayloadType = 96, SequenceNumber = seq, Timestamp = seq * 3000u, Ssrc = 0xCAFE });
        var payload = new byte[payloadLength];
        new Random(seq).NextBytes(payload);
        writer.TryWritePayload(payload);
        return buffer[..writer.Length];
    }

    [Test]
    public void Stored_packet_comes_back_byte_exact()
    {
        var history = new RtpSendHistory();
        var packet = Packet(1234);
        Assert.That(history.Store(packet, Ms(5)), Is.True);
        Assert.That(history.TryGet(1234, out var stored, out var sentAt), Is.True);
        Assert.That(stored.ToArray(), Is.EqualTo(packet));
        Assert.That(sentAt, Is.EqualTo(Ms(5)));
        Assert.That(history.TryGet(1235, out _), Is.False);
    }

    [Test]
    public void Only_the_last_capacity_packets_are_kept()
    {
        var history = new RtpSendHistory(capacity: 4);
        for (ushort s = 0; s < 10; s++)
        {
            history.Store(Packet(s), Ms(s));
        }

        for (ushort s = 0; s < 10; s++)
        {
            Assert.That(history.TryGet(s, out _), Is.EqualTo(s >= 6), $"seq {s}");
        }
    }

    [Test]
    public void Full_history_survives_the_sequence_wrap()
    {
        var history = new RtpSendHistory(capacity: 600);
        ushort first = 65000;
        for (int i = 0; i < 600; i++)
        {
            history.Store(Packet((ushort)(first + i), 20), Ms(i));
        }

        for (int i = 0; i < 600; i++)
        {
            ushort seq = (ushort)(first + i);
            Assert.That(history.TryGet(seq, out var packet), Is.True, $"seq {seq}");
            Assert.That(RtpPacket.TryParse(packet, out var parsed, out _) && parsed.SequenceNumber == seq, Is.True);
        }
    }

    [Test]
    public void Retransmission_at_most_once_per_rtt()
    {
        var history = new RtpSendHistory();
        history.Store(Packet(7), Ms(0));
        var rtt = Ms(100);
        Assert.That(history.TryGetForRetransmission(7, Ms(10), rtt, out var packet), Is.True);
        Assert.That(packet.Length, Is.EqualTo(112));
        Assert.That(history.TryGetForRetransmission(7, Ms(60), rtt, out _), Is.False);
        Assert.That(history.TryGetForRetransmission(7, Ms(110), rtt, out _), Is.True);
        Assert.That(history.TryGetForRetransmission(8, Ms(110), rtt, out _), Is.False);
        Assert.That(history.RetransmissionsServed, Is.EqualTo(2));
        Assert.That(history.RetransmissionsThrottled, Is.EqualTo(1));
        Assert.That(history.RetransmissionsMissed, Is.EqualTo(1));
    }

    [Test]
    public void Refuses_packets_that_do_not_fit_and_clears()
    {
        var history = new RtpSendHistory(capacity: 8, maxPacketSize: 200);
        Assert.That(history.Store(new byte[5], Ms(0)), Is.False);
        Assert.That(history.Store(Packet(1, 300), Ms(0)), Is.False);
        Assert.That(history.Store(Packet(1, 100), Ms(0)), Is.True);
        history.Clear();
        Assert.That(history.TryGet(1, out _), Is.False);
    }
}
