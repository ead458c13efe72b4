using WebRtc.Client.Media.Stages;

namespace WebRtc.Client.Tests.Media.Stages;

public class NackGeneratorTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static ushort[] Nacks(NackGenerator nack, TimeSpan now, TimeSpan rtt, int room = 64)
    {
        var buffer = new ushort[room];
        return buffer[..nack.GetNacks(now, rtt, buffer)];
    }

    [Test]
    public void No_loss_no_nack()
    {
        var nack = new NackGenerator();
        for (int i = 0; i < 100; i++)
        {
            nack.OnPacket((ushort)i, Ms(i));
        }

        Assert.That(Nacks(nack, Ms(1000), Ms(50)), Is.Empty);
        Assert.That(nack.MissingCount, Is.Zero);
    }

    [Test]
    public void Hole_is_nacked_after_the_reorder_delay()
    {
        var nack = new NackGenerator();
        nack.OnPacket(1, Ms(0));
        nack.OnPacket(2, Ms(1));
        nack.OnPacket(5, Ms(2));
        Assert.That(nack.MissingCount, Is.EqualTo(2));
        Assert.That(Nacks(nack, Ms(5), TimeSpan.Zero), Is.Empty);
        // RFC 4585 §6.2.1: the generic NACK names the lost packets.
        Assert.That(Nacks(nack, Ms(12), TimeSpan.Zero), Is.EqualTo(new ushort[] { 3, 4 }));
        Assert.That(nack.NacksSent, Is.EqualTo(2));
    }

    [Test]
    public void Reordered_packet_fills_the_hole_before_any_nack()
    {
        var nack = new NackGenerator();
        nack.OnPacket(1, Ms(0));
        nack.OnPacket(3, Ms(1));
        nack.OnPacket(2, Ms(4));
        Assert.That(Nacks(nack, Ms(50), TimeSpan.Zero), Is.Empty);
        Assert.That(nack.PacketsRecovered, Is.EqualTo(1));
        Assert.That(nack.NacksSent, Is.Zero);
    }

    [Test]
    public void Packet_threshold_nacks_before_the_delay()
    {
        var nack = new NackGenerator { ReorderPacketThreshold = 2 };
        nack.OnPacket(1, Ms(0));
        nack.OnPacket(3, Ms(0));
        Assert.That(Nacks(nack, Ms(0), TimeSpan.Zero), Is.Empty);
        nack.OnPacket(4, Ms(0));
        nack.OnPacket(5, Ms(0));
        Assert.That(Nacks(nack, Ms(0), TimeSpan.Zero), Is.EqualTo(new ushort[] { 2 }));
    }

    [Test]
    public void Retries_wait_an_rtt_or_the_minimum_interval()
    {
        var nack = new NackGenerator();
        nack.OnPacket(1, Ms(0));
        nack.OnPacket(3, Ms(0));
        Assert.That(Nacks(nack, Ms(10), Ms(100)), Is.EqualTo(new ushort[] { 2 }));
        Assert.That(Nacks(nack, Ms(100), Ms(100)), Is.Empty);
        Assert.That(Nacks(nack, Ms(110), Ms(100)), Is.EqualTo(new ushort[] { 2 }));
        // Without an RTT estimate the minimum retry interval (20 ms) applies.
        Assert.That(Nacks(nack, Ms(125), TimeSpan.Zero), Is.Empty);
        Assert.That(Nacks(nack, Ms(130), TimeSpan.Zero), Is.EqualTo(new ushort[] { 2 }));
    }

    [Test]
    public void Gives_up_after_max_retries()
    {
        var nack = new NackGenerator { MaxRetries = 10 };
        nack.OnPacket(1, Ms(0));
        nack.OnPacket(3, Ms(0));
        int sent = 0;
        for (int t = 10; t < 2000; t += 20)
        {
            sent += Nacks(nack, Ms(t), Ms(20)).Length;
        }

        Assert.That(sent, Is.EqualTo(10));
        Assert.That(nack.MissingCount, Is.Zero);
        Assert.That(nack.PacketsAbandoned, Is.EqualTo(1));
        Assert.That(nack.KeyFrameRequestNeeded, Is.False);
    }

    [Test]
    public void Retransmission_fills_the_hole()
    {
        var nack = new NackGenerator();
        nack.OnPacket(10, Ms(0));
        nack.OnPacket(13, Ms(0));
        Assert.That(Nacks(nack, Ms(10), Ms(30)), Is.EqualTo(new ushort[] { 11, 12 }));
        nack.OnPacket(12, Ms(40));
        Assert.That(Nacks(nack, Ms(50), Ms(30)), Is.EqualTo(new ushort[] { 11 }));
        Assert.That(nack.PacketsRecovered, Is.EqualTo(1));
        nack.OnPacket(12, Ms(55)); // duplicate: nothing to fill
        Assert.That(nack.PacketsRecovered, Is.EqualTo(1));
    }

    [Test]
    public void Holes_survive_sequence_wrap()
    {
        var nack = new NackGenerator();
        nack.OnPacket(65533, Ms(0));
        nack.OnPacket(65534, Ms(0));
        nack.OnPacket(2, Ms(0));
        Assert.That(Nacks(nack, Ms(20), TimeSpan.Zero), Is.EqualTo(new ushort[] { 65535, 0, 1 }));
        Assert.That(nack.HighestSequence, Is.EqualTo(65536 + 2));
    }

    [Test]
    public void Small_destination_leaves_the_rest_for_later()
    {
        var nack = new NackGenerator();
        nack.OnPacket(0, Ms(0));
        nack.OnPacket(10, Ms(0));
        Assert.That(Nacks(nack, Ms(20), TimeSpan.Zero, room: 4), Is.EqualTo(new ushort[] { 1, 2, 3, 4 }));
        Assert.That(Nacks(nack, Ms(21), TimeSpan.Zero, room: 4), Is.EqualTo(new ushort[] { 5, 6, 7, 8 }));
        Assert.That(Nacks(nack, Ms(22), TimeSpan.Zero, room: 4), Is.EqualTo(new ushort[] { 9 }));
    }

    [Test]
    public void Holes_leaving_the_window_ask_for_a_key_frame()
    {
        var nack = new NackGenerator(capacity: 100);
        nack.OnPacket(0, Ms(0));
        nack.OnPacket(2, Ms(0));
        nack.OnPacket(200, Ms(1));
        Assert.That(nack.KeyFrameRequestNeeded, Is.True);
        // Only the holes inside the window [101, 200] remain.
        Assert.That(nack.MissingCount, Is.EqualTo(99));
        var nacks = Nacks(nack, Ms(20), TimeSpan.Zero, room: 200);
        Assert.That(nacks[0], Is.EqualTo(101));
        Assert.That(nacks, Has.Length.EqualTo(99));
        nack.ClearKeyFrameRequest();
        Assert.That(nack.KeyFrameRequestNeeded, Is.False);
    }

    [Test]
    public void Holes_before_the_last_key_frame_are_dropped_quietly()
    {
        var nack = new NackGenerator(capacity: 100);
        nack.OnPacket(0, Ms(0));
        nack.OnPacket(2, Ms(0)); // hole 1
        nack.OnPacket(3, Ms(0), isKeyFrame: true);
        for (int s = 4; s <= 110; s++)
        {
            nack.OnPacket((ushort)s, Ms(s));
        }

        Assert.That(nack.MissingCount, Is.Zero);
        Assert.That(nack.PacketsDroppedFromWindow, Is.EqualTo(1));
        Assert.That(nack.KeyFrameRequestNeeded, Is.False);
    }

    [Test]
    public void Key_frame_clears_a_pending_request()
    {
        var nack = new NackGenerator(capacity: 10);
        nack.OnPacket(0, Ms(0));
        nack.OnPacket(100, Ms(0));
        Assert.That(nack.KeyFrameRequestNeeded, Is.True);
        nack.OnPacket(101, Ms(0), isKeyFrame: true);
        Assert.That(nack.KeyFrameRequestNeeded, Is.False);
    }

    [Test]
    public void Very_old_and_pre_start_packets_are_ignored()
    {
        var nack = new NackGenerator(capacity: 10);
        nack.OnPacket(5, Ms(0));
        nack.OnPacket(3, Ms(0)); // before the first packet
        nack.OnPacket(40000, Ms(0)); // half the space away: taken as old
        Assert.That(nack.MissingCount, Is.Zero);
        Assert.That(nack.HighestSequence, Is.EqualTo(5));
    }
}
