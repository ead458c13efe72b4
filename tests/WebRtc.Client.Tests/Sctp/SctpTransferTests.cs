using WebRtc.Client.Sctp;
using static WebRtc.Client.Tests.Sctp.SctpTestPackets;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>Data transfer (RFC 9260 §6, §7; RFC 3758) over the virtual link.</summary>
public class SctpTransferTests
{
    private static SctpAssociationOptions Options(int seed) => new() { Random = new Random(seed) };

    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static SctpTestLink Connected(int seed = 1, SctpAssociationOptions? a = null, SctpAssociationOptions? b = null)
    {
        var link = new SctpTestLink(seed, a, b);
        link.Connect();
        return link;
    }

    [Test]
    public void Ordered_AcrossManyStreams_UnderReorderAndLoss()
    {
        // RFC 9260 §6.6: ordered messages are delivered in SSN order per stream.
        var link = Connected(4);
        link.Loss = 0.05;
        link.Reorder = 0.2;
        link.Duplicate = 0.02;
        const int streams = 40, perStream = 25;
        for (int i = 0; i < perStream; i++)
        {
            for (int s = 0; s < streams; s++)
            {
                link.A.Send((ushort)(s * 7), (uint)i, Bytes(1 + ((i * 131 + s) % 3000), (s * 1000) + i), default, link.Now);
            }
        }

        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == streams * perStream, TimeSpan.FromHours(1)), Is.True, link.A.DescribeState());
        foreach (var group in link.ReceivedByB.GroupBy(m => m.Stream))
        {
            int s = group.Key / 7;
            Assert.That(group.Select(m => (int)m.Ppid), Is.EqualTo(Enumerable.Range(0, perStream)), $"stream {group.Key}");
            Assert.That(group.All(m => !m.Unordered && m.Data.SequenceEqual(Bytes(1 + (((int)m.Ppid * 131 + s) % 3000), (s * 1000) + (int)m.Ppid))), Is.True);
        }
    }

    [Test]
    public void Unordered_AllDeliveredOnce_FlagSet()
    {
        // RFC 9260 §6.6: U bit set, delivered on arrival without regard to SSN.
        var link = Connected(5);
        link.Reorder = 0.3;
        link.Loss = 0.05;
        for (int i = 0; i < 300; i++)
        {
            link.A.Send(3, (uint)i, Bytes(1 + (i * 37 % 2500), i), new SctpSendOptions { Unordered = true }, link.Now);
        }

        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 300 && link.A.FlightSize == 0, TimeSpan.FromHours(1)), Is.True);
        Assert.That(link.ReceivedByB.Select(m => (int)m.Ppid).Order(), Is.EqualTo(Enumerable.Range(0, 300)));
        Assert.That(link.ReceivedByB.All(m => m.Unordered && m.Stream == 3 && m.Data.SequenceEqual(Bytes(1 + ((int)m.Ppid * 37 % 2500), (int)m.Ppid))), Is.True);
    }

    [Test]
    public void OneByte_AndMaxSendMessageSize_ArriveIntact()
    {
        // RFC 8831 §6.6 / RFC 8841 max-message-size: the limit itself is allowed.
        var link = Connected();
        int max = link.A.Options.MaxSendMessageSize;
        link.A.Send(1, 53, new byte[] { 0x7f }, default, link.Now);
        link.A.Send(1, 53, Bytes(max, 9), default, link.Now);
        link.A.Send(2, 53, Bytes(max, 10), new SctpSendOptions { Unordered = true }, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 3), Is.True);
        Assert.That(link.ReceivedByB[0].Data, Is.EqualTo(new byte[] { 0x7f }));
        Assert.That(link.ReceivedByB[1].Data, Is.EqualTo(Bytes(max, 9)));
        Assert.That(link.ReceivedByB.Single(m => m.Stream == 2).Data, Is.EqualTo(Bytes(max, 10)));
    }

    [Test]
    public void LargestPacketReceived_ShowsThePeersPacketSize_NotDroppedOnes()
    {
        // A peer with a larger MTU than ours (usrsctp under libdatachannel with mtu 1500 sends 1392-byte packets).
        var link = Connected(6, Options(7) with { MaxPacketSize = 1392 }, Options(8));
        link.A.Send(1, 53, Bytes(16 * 1024, 1), default, link.Now);
        link.B.Send(1, 53, Bytes(16 * 1024, 2), default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByA.Count == 1 && link.ReceivedByB.Count == 1), Is.True);
        Assert.That(link.B.Statistics.LargestPacketReceived, Is.GreaterThan(1160).And.AtMost(1392), "B got A's full-size packets");
        Assert.That(link.A.Statistics.LargestPacketReceived, Is.GreaterThan(1000).And.AtMost(1160), "A got B's, no larger than B's limit");

        int before = link.B.Statistics.LargestPacketReceived;
        var junk = new byte[4000];
        new Random(3).NextBytes(junk);
        Assert.That(link.B.HandlePacket(junk, link.Now), Is.False);
        Assert.That(link.B.Statistics.LargestPacketReceived, Is.EqualTo(before), "a dropped packet does not count");
    }

    [Test]
    public void Send_TooLargeOrEmpty_Throws()
    {
        // RFC 9260 §3.3.1: no empty DATA; RFC 8841 §6: never more than the peer's max-message-size.
        var link = Connected();
        int max = link.A.Options.MaxSendMessageSize;
        Assert.That(() => link.A.Send(1, 53, new byte[max + 1], default, link.Now), Throws.ArgumentException);
        Assert.That(() => link.A.Send(1, 53, ReadOnlySpan<byte>.Empty, default, link.Now), Throws.ArgumentException);
        Assert.That(() => link.A.Send(1, 53, "x"u8, new SctpSendOptions { MaxRetransmits = -1 }, link.Now), Throws.InstanceOf<ArgumentException>());
        Assert.That(link.A.BufferedAmount, Is.Zero);
        Assert.That(link.A.Statistics.MessagesSent, Is.Zero);
    }

    [Test]
    public void Send_OnStreamBeyondNegotiated_Throws()
    {
        // RFC 9260 §5.1.1: OS is the minimum of our OS and the peer's MIS.
        var link = Connected(1, Options(2) with { OutboundStreams = 4 }, Options(3) with { InboundStreams = 3 });
        Assert.That(link.A.OutboundStreams, Is.EqualTo(3));
        Assert.That(link.B.InboundStreams, Is.EqualTo(3));
        Assert.That(() => link.A.Send(3, 53, "x"u8, default, link.Now), Throws.InstanceOf<ArgumentException>());
        link.A.Send(2, 53, "x"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1), Is.True);
    }

    [Test]
    public void QueuedBeforeTheAssociationIsUp_GoOutOnceItIs()
    {
        // RFC 9260 §5.1: data may be queued before ESTABLISHED (and, §5.1 D, bundled with COOKIE ECHO or sent after).
        var link = new SctpTestLink();
        link.A.Send(1, 53, Bytes(100, 1), default, link.Now);
        link.A.Send(2, 53, Bytes(5000, 2), default, link.Now);
        Assert.That(link.A.BufferedAmount, Is.EqualTo(5100));
        link.A.Connect(link.Now);
        link.A.Send(1, 53, Bytes(10, 3), default, link.Now); // in COOKIE-WAIT
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 3), Is.True);
        Assert.That(link.ReceivedByB.Where(m => m.Stream == 1).Select(m => m.Data.Length), Is.EqualTo(new[] { 100, 10 }));
        Assert.That(link.ReceivedByB.Single(m => m.Stream == 2).Data, Is.EqualTo(Bytes(5000, 2)));
        Assert.That(link.A.BufferedAmount, Is.Zero);
    }

    [Test]
    public void QueuedBeforeUp_OnStreamThePeerDoesNotAllow_IsDroppedNotSent()
    {
        // RFC 9260 §5.1.1: streams beyond the negotiated count do not exist.
        var link = new SctpTestLink(1, Options(2), Options(3) with { InboundStreams = 2 });
        link.A.Send(5, 53, Bytes(100, 1), default, link.Now);
        link.A.Send(1, 53, Bytes(100, 2), default, link.Now);
        link.Connect();
        Assert.That(link.RunUntil(() => link.A.BufferedAmount == 0 && link.A.FlightSize == 0 && link.ReceivedByB.Count == 1), Is.True);
        link.RunUntil(() => false, TimeSpan.FromSeconds(1));
        Assert.That(link.ReceivedByB.Select(m => m.Stream), Is.EqualTo(new ushort[] { 1 }));
    }

    [Test]
    public void SmallMessages_AreBundled()
    {
        // RFC 9260 §6.10: several DATA chunks in one packet.
        var link = Connected();
        long before = link.PacketsCarried;
        for (int i = 0; i < 100; i++)
        {
            link.A.Send((ushort)(i % 5), 53, Bytes(10, i), default, link.Now);
        }

        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 100 && link.A.FlightSize == 0), Is.True);
        long packets = link.PacketsCarried - before;
        Assert.That(packets, Is.LessThan(20), "100 ten-byte messages (with their SACKs)");
    }

    [Test]
    public void SingleDataPacket_IsAcknowledgedAfterTheDelayedAckTimeout()
    {
        // RFC 9260 §6.2: a SACK for a lone packet may wait up to the delayed-ack time (200 ms here).
        var link = Connected();
        var log = new List<(TimeSpan At, bool ToB, List<SctpChunkType> Types)>();
        link.Tamper = (toB, p) =>
        {
            log.Add((link.Now, toB, ChunkTypes(p)));
            return p;
        };
        link.A.Send(1, 53, "one"u8, default, link.Now);
        link.Pump();
        Assert.That(link.RunUntil(() => link.A.FlightSize == 0, TimeSpan.FromSeconds(5)), Is.True);
        var data = log.Single(e => e.ToB && e.Types.Contains(SctpChunkType.Data));
        var sack = log.First(e => !e.ToB && e.Types.Contains(SctpChunkType.Sack));
        Assert.That(sack.At - data.At, Is.EqualTo(link.Delay + link.B.Options.DelayedAckTimeout));

        // Two packets in a row are acknowledged at once (§6.2: at least every second packet).
        log.Clear();
        link.A.Send(1, 53, Bytes(2000, 1), default, link.Now);
        link.Pump();
        Assert.That(link.RunUntil(() => link.A.FlightSize == 0, TimeSpan.FromSeconds(5)), Is.True);
        var firstData = log.First(e => e.ToB && e.Types.Contains(SctpChunkType.Data));
        var firstSack = log.First(e => !e.ToB && e.Types.Contains(SctpChunkType.Sack));
        Assert.That(firstSack.At - firstData.At, Is.LessThan(link.Delay * 2));
    }

    [Test]
    public void DuplicateTsn_IsCountedAndDeliveredOnce()
    {
        // RFC 9260 §6.2: duplicates are reported, and never delivered twice.
        var link = Connected();
        link.Tamper = (toB, p) =>
        {
            if (toB && Has(p, SctpChunkType.Data))
            {
                link.Inject(true, (byte[])p.Clone(), link.Now + link.Delay + TimeSpan.FromMilliseconds(1));
            }

            return p;
        };
        for (int i = 0; i < 10; i++)
        {
            link.A.Send(1, (uint)i, Bytes(500, i), default, link.Now);
        }

        Assert.That(link.RunUntil(() => link.A.FlightSize == 0 && link.ReceivedByB.Count == 10), Is.True);
        link.RunUntil(() => false, TimeSpan.FromSeconds(1));
        Assert.That(link.B.Statistics.DuplicatesReceived, Is.GreaterThanOrEqualTo(10));
        Assert.That(link.ReceivedByB.Select(m => (int)m.Ppid), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(link.A.Statistics.Retransmissions, Is.Zero);
    }

    [Test]
    public void ReceiverThatDoesNotRead_StopsTheSender_UntilItDrains()
    {
        // RFC 9260 §6.1 rules A/B and §6.2: the sender stops at the advertised window, probes a zero window, resumes.
        const int window = 64 * 1024;
        var link = Connected(1, Options(2), Options(3) with { ReceiveWindow = window });
        link.CollectB = false;
        for (int i = 0; i < 200; i++)
        {
            link.A.Send(1, (uint)i, Bytes(1000, i), default, link.Now);
        }

        link.RunUntil(() => false, TimeSpan.FromSeconds(5));
        Assert.That(link.A.BufferedAmount, Is.GreaterThan(100_000), "the sender must have stopped");
        Assert.That(link.B.AdvertisedReceiveWindow, Is.LessThan(2000));
        Assert.That(link.B.Statistics.BytesReceived, Is.InRange(window - 2500, window));
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established));

        link.CollectB = true;
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 200, TimeSpan.FromMinutes(5)), Is.True, link.A.DescribeState());
        Assert.That(link.ReceivedByB.Select(m => (int)m.Ppid), Is.EqualTo(Enumerable.Range(0, 200)));
    }

    [Test]
    public void ReceiverThatDoesNotReadForLong_DoesNotKillTheAssociation()
    {
        // RFC 9260 §6.1 rule A: unacknowledged zero-window probes SHOULD NOT increment the error
        // counter while the peer keeps sending SACKs, so a slow reader is not an association failure.
        const int window = 16 * 1024;
        var link = Connected(1, Options(2), Options(3) with { ReceiveWindow = window });
        link.CollectB = false;
        for (int i = 0; i < 100; i++)
        {
            link.A.Send(1, (uint)i, Bytes(1000, i), default, link.Now);
        }

        link.RunUntil(() => link.A.State == SctpAssociationState.Closed, TimeSpan.FromMinutes(20));
        TestContext.Out.WriteLine($"T3 {link.A.Statistics.T3Expirations}, rtx {link.A.Statistics.Retransmissions}, {link.A.DescribeState()}");
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established), $"A closed: {link.A.CloseReason}");
        link.CollectB = true;
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 100, TimeSpan.FromMinutes(5)), Is.True, link.A.DescribeState());
    }

    [Test]
    public void CongestionWindow_GrowsInSlowStart_AndCollapsesOnT3()
    {
        // RFC 9260 §7.2.1 slow start; §7.2.3 after T3-rtx: cwnd = 1 MTU.
        var link = Connected();
        link.Delay = TimeSpan.FromMilliseconds(20);
        long initial = link.A.CongestionWindow;
        Assert.That(initial, Is.EqualTo(Math.Min(4 * 1160, Math.Max(2 * 1160, 4380))));
        for (int i = 0; i < 200; i++)
        {
            link.A.Send(1, (uint)i, Bytes(1000, i), default, link.Now);
        }

        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 200 && link.A.FlightSize == 0), Is.True);
        long grown = link.A.CongestionWindow;
        Assert.That(grown, Is.GreaterThan(initial * 4));
        Assert.That(link.A.Statistics.T3Expirations, Is.Zero);
        Assert.That(link.A.Statistics.Retransmissions, Is.Zero);

        // Now the whole next flight is lost.
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.Data) ? null : p;
        for (int i = 0; i < 50; i++)
        {
            link.A.Send(1, (uint)(200 + i), Bytes(1000, 200 + i), default, link.Now);
        }

        Assert.That(link.RunUntil(() => link.A.Statistics.T3Expirations > 0, TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(link.A.Statistics.T3Expirations, Is.EqualTo(1));
        Assert.That(link.A.CongestionWindow, Is.EqualTo(link.A.Options.MaxPacketSize));
        Assert.That(link.A.SlowStartThreshold, Is.EqualTo(Math.Max(grown / 2, 4 * 1160)));
        link.Tamper = null;
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 250), Is.True);
        Assert.That(link.ReceivedByB.Select(m => (int)m.Ppid), Is.EqualTo(Enumerable.Range(0, 250)));
    }

    [Test]
    public void SmoothedRtt_IsTwiceTheLinkDelay()
    {
        // RFC 9260 §6.3.1: SRTT from RTT measurements of chunks sent once.
        var link = Connected();
        link.Delay = TimeSpan.FromMilliseconds(50);
        Assert.That(link.A.SmoothedRtt, Is.Null);
        for (int round = 0; round < 10; round++)
        {
            for (int i = 0; i < 4; i++)
            {
                link.A.Send(1, 53, Bytes(1000, i), default, link.Now);
            }

            link.Pump();
            Assert.That(link.RunUntil(() => link.A.FlightSize == 0), Is.True);
        }

        Assert.That(link.A.SmoothedRtt!.Value.TotalMilliseconds, Is.InRange(99, 110));
        Assert.That(link.A.RetransmissionTimeout, Is.EqualTo(link.A.Options.RtoMin));
    }

    [Test]
    public void SingleLostPacketMidStream_IsFastRetransmitted()
    {
        // RFC 9260 §7.2.4: three miss indications trigger fast retransmit, without waiting for T3.
        var link = Connected();
        int dataPackets = 0;
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.Data) && ++dataPackets == 5 ? null : p;
        var big = Bytes(100_000, 1);
        link.A.Send(1, 53, big, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1), Is.True);
        Assert.That(link.ReceivedByB[0].Data, Is.EqualTo(big));
        Assert.That(link.A.Statistics.FastRetransmits, Is.EqualTo(1));
        Assert.That(link.A.Statistics.Retransmissions, Is.EqualTo(1));
        Assert.That(link.A.Statistics.T3Expirations, Is.Zero);
    }

    [Test]
    public void WholeFlightLost_CountsT3Expiration()
    {
        // RFC 9260 §6.3.3: T3-rtx expiry retransmits the earliest outstanding data.
        var link = Connected();
        bool drop = true;
        link.Tamper = (toB, p) => drop && toB && Has(p, SctpChunkType.Data) ? null : p;
        for (int i = 0; i < 3; i++)
        {
            link.A.Send(1, (uint)i, Bytes(1000, i), default, link.Now);
        }

        link.Pump();
        drop = false;
        var start = link.Now;
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 3), Is.True);
        Assert.That(link.A.Statistics.T3Expirations, Is.EqualTo(1));
        Assert.That(link.A.Statistics.FastRetransmits, Is.Zero);
        Assert.That(link.Now - start, Is.GreaterThanOrEqualTo(link.A.Options.RtoMin));
    }

    [TestCase(11)]
    [TestCase(12)]
    public void MaxRetransmitsZero_OnLossyLink_DeliversIntactAndNoDuplicates(int seed)
    {
        // RFC 3758 §3.1 / RFC 8831 §6.1: limited retransmissions; what arrives is whole and once.
        var link = Connected(seed);
        link.Loss = 0.2;
        link.Reorder = 0.1;
        link.Duplicate = 0.05;
        var limited = new SctpSendOptions { MaxRetransmits = 0 };
        for (int i = 0; i < 500; i++)
        {
            link.A.Send((ushort)(1 + (i % 2)), (uint)i, Bytes(1 + (i * 97 % 4000), i), i % 2 == 0 ? limited : limited with { Unordered = true }, link.Now);
        }

        Assert.That(link.RunUntil(() => link.A.BufferedAmount == 0 && link.A.FlightSize == 0, TimeSpan.FromHours(1)), Is.True);
        link.Loss = 0;
        link.Duplicate = 0;
        link.A.Send(1, 9999, "end"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Any(m => m.Ppid == 9999)), Is.True, link.A.DescribeState() + "\n" + link.B.DescribeState());
        var got = link.ReceivedByB.Where(m => m.Ppid != 9999).ToList();
        Assert.That(got.Select(m => m.Ppid).Distinct().Count(), Is.EqualTo(got.Count), "duplicated delivery");
        Assert.That(got.All(m => m.Data.SequenceEqual(Bytes(1 + ((int)m.Ppid * 97 % 4000), (int)m.Ppid))), Is.True, "corrupted delivery");
        var ordered = got.Where(m => m.Stream == 1).Select(m => m.Ppid).ToList();
        Assert.That(ordered, Is.Ordered);
        Assert.That(link.A.Statistics.MessagesAbandoned, Is.GreaterThan(0));
        Assert.That(got.Count + link.A.Statistics.MessagesAbandoned, Is.GreaterThanOrEqualTo(500));
        TestContext.Out.WriteLine($"delivered {got.Count}, abandoned {link.A.Statistics.MessagesAbandoned}");
    }

    [Test]
    public void Lifetime_ExpiredQueuedMessages_AreAbandoned()
    {
        // RFC 3758 §3.1 (timed reliability): unsent messages past their lifetime are dropped from the queue.
        var link = Connected();
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.Data) ? null : p;
        var timed = new SctpSendOptions { Lifetime = TimeSpan.FromMilliseconds(500) };
        for (int i = 0; i < 100; i++)
        {
            link.A.Send(1, (uint)i, Bytes(1000, i), timed, link.Now);
        }

        Assert.That(link.A.BufferedAmount, Is.EqualTo(100_000));
        Assert.That(link.A.GetBufferedAmount(1), Is.EqualTo(100_000));
        Assert.That(link.RunUntil(() => link.A.BufferedAmount == 0, TimeSpan.FromSeconds(10)), Is.True, link.A.DescribeState());
        Assert.That(link.A.GetBufferedAmount(1), Is.Zero);
        Assert.That(link.RunUntil(() => link.A.Statistics.MessagesAbandoned == 100, TimeSpan.FromSeconds(10)), Is.True, link.A.DescribeState());
        Assert.That(link.A.Statistics.DataChunksSent, Is.LessThan(20), "most were never sent");

        // The stream goes on: FORWARD-TSN moves the peer past the abandoned ones.
        link.Tamper = null;
        link.A.Send(1, 1000, "after"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Any(m => m.Ppid == 1000)), Is.True, link.A.DescribeState() + "\n" + link.B.DescribeState());
        Assert.That(link.ReceivedByB.Select(m => m.Ppid), Is.EqualTo(new uint[] { 1000 }));
    }

    [Test]
    public void BufferedAmount_PerStream_AndChanges()
    {
        // RFC 8831 §6.6 / W3C bufferedAmount: bytes queued and not yet sent, per stream.
        var link = new SctpTestLink();
        link.A.Send(3, 53, Bytes(3000, 1), default, link.Now);
        link.A.Send(4, 53, Bytes(500, 2), default, link.Now);
        link.A.Send(3, 53, Bytes(20, 3), default, link.Now);
        Assert.That(link.A.GetBufferedAmount(3), Is.EqualTo(3020));
        Assert.That(link.A.GetBufferedAmount(4), Is.EqualTo(500));
        Assert.That(link.A.GetBufferedAmount(5), Is.Zero);
        Assert.That(link.A.BufferedAmount, Is.EqualTo(3520));
        var changes = new List<ushort>();
        link.A.CollectBufferedAmountChanges(changes);
        Assert.That(changes, Is.Empty);

        link.Connect();
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 3), Is.True);
        Assert.That(link.A.BufferedAmount, Is.Zero);
        Assert.That(link.A.GetBufferedAmount(3), Is.Zero);
        link.A.CollectBufferedAmountChanges(changes);
        Assert.That(changes, Is.EquivalentTo(new ushort[] { 3, 4 }));
        changes.Clear();
        link.A.CollectBufferedAmountChanges(changes);
        Assert.That(changes, Is.Empty);
    }
}
