using WebRtc.Client.Sctp;
using static WebRtc.Client.Tests.Sctp.SctpTestPackets;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>Graceful shutdown (RFC 9260 §9.2), ABORT (§9.1) and path supervision by HEARTBEAT (§8.3).</summary>
public class SctpShutdownTests
{
    private static SctpAssociationOptions Options(int seed) => new() { Random = new Random(seed) };

    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static bool BothClosed(SctpTestLink link) =>
        link.A.State == SctpAssociationState.Closed && link.B.State == SctpAssociationState.Closed;

    private static SctpStateChangedEvent LastState(List<SctpAssociationEvent> events) => events.OfType<SctpStateChangedEvent>().Last();

    [Test]
    public void ShutdownAfterData_DeliversEverythingThenClosesCleanly()
    {
        // RFC 9260 §9.2: SHUTDOWN only once all outstanding data is acknowledged.
        var link = new SctpTestLink(3) { Loss = 0.1 };
        link.Connect();
        link.Loss = 0.1;
        for (int i = 0; i < 50; i++)
        {
            link.A.Send((ushort)(i % 3), (uint)i, Bytes(10_000, i), default, link.Now);
        }

        link.A.Shutdown(link.Now);
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.ShutdownPending));
        Assert.That(link.RunUntil(() => BothClosed(link), TimeSpan.FromHours(1)), Is.True, link.A.DescribeState());
        Assert.That(link.ReceivedByB.Select(m => (int)m.Ppid).Order(), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(link.ReceivedByB.All(m => m.Data.SequenceEqual(Bytes(10_000, (int)m.Ppid))), Is.True);
        Assert.That(LastState(link.EventsA), Is.EqualTo(new SctpStateChangedEvent(SctpAssociationState.Closed, null)));
        Assert.That(LastState(link.EventsB), Is.EqualTo(new SctpStateChangedEvent(SctpAssociationState.Closed, null)));
        Assert.That(link.A.CloseReason, Is.Null);
        Assert.That(link.B.CloseReason, Is.Null);
        Assert.That(link.A.NextDeadline, Is.Null);
        Assert.That(link.B.NextDeadline, Is.Null);
    }

    [Test]
    public void ShutdownLost_T2Retransmits()
    {
        // RFC 9260 §9.2: T2-shutdown resends SHUTDOWN.
        var link = new SctpTestLink();
        link.Connect();
        int shutdowns = 0;
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.Shutdown) && ++shutdowns == 1 ? null : p;
        link.A.Shutdown(link.Now);
        Assert.That(link.RunUntil(() => BothClosed(link)), Is.True);
        Assert.That(shutdowns, Is.EqualTo(2));
        Assert.That(link.A.CloseReason, Is.Null);
        Assert.That(link.B.CloseReason, Is.Null);
    }

    [Test]
    public void ShutdownAckLost_T2Retransmits()
    {
        // RFC 9260 §9.2: T2-shutdown also guards SHUTDOWN ACK.
        var link = new SctpTestLink();
        link.Connect();
        int acks = 0;
        link.Tamper = (toB, p) => !toB && Has(p, SctpChunkType.ShutdownAck) && ++acks == 1 ? null : p;
        link.A.Shutdown(link.Now);
        Assert.That(link.RunUntil(() => BothClosed(link)), Is.True);
        Assert.That(acks, Is.EqualTo(2));
        Assert.That(link.A.CloseReason, Is.Null);
        Assert.That(link.B.CloseReason, Is.Null);
    }

    [Test]
    public void BothShutDownAtOnce_BothCloseCleanly()
    {
        // RFC 9260 §9.2: SHUTDOWN received in SHUTDOWN-SENT answers with SHUTDOWN ACK.
        var link = new SctpTestLink();
        link.Connect();
        link.A.Send(1, 53, Bytes(3000, 1), default, link.Now);
        link.B.Send(1, 53, Bytes(3000, 2), default, link.Now);
        link.A.Shutdown(link.Now);
        link.B.Shutdown(link.Now);
        Assert.That(link.RunUntil(() => BothClosed(link)), Is.True);
        Assert.That(link.ReceivedByA.Single().Data, Is.EqualTo(Bytes(3000, 2)));
        Assert.That(link.ReceivedByB.Single().Data, Is.EqualTo(Bytes(3000, 1)));
        Assert.That(link.A.CloseReason, Is.Null);
        Assert.That(link.B.CloseReason, Is.Null);
    }

    [Test]
    public void SendAfterShutdown_Throws()
    {
        // RFC 9260 §9.2: after SHUTDOWN the upper layer may not send new data.
        var link = new SctpTestLink();
        link.Connect();
        link.A.Shutdown(link.Now);
        Assert.That(() => link.A.Send(1, 53, "x"u8, default, link.Now), Throws.InvalidOperationException);
        Assert.That(link.RunUntil(() => link.B.State == SctpAssociationState.ShutdownReceived || BothClosed(link)), Is.True);
        if (link.B.State == SctpAssociationState.ShutdownReceived)
        {
            Assert.That(() => link.B.Send(1, 53, "x"u8, default, link.Now), Throws.InvalidOperationException);
        }

        Assert.That(link.RunUntil(() => BothClosed(link)), Is.True);
        Assert.That(() => link.A.Send(1, 53, "x"u8, default, link.Now), Throws.InvalidOperationException);
        Assert.That(() => link.B.Send(1, 53, "x"u8, default, link.Now), Throws.InvalidOperationException);
    }

    [Test]
    public void Abort_PeerClosesWithTheReason()
    {
        // RFC 9260 §9.1 and §3.3.10.12: ABORT with a User-Initiated Abort cause carrying the text.
        var link = new SctpTestLink();
        link.Connect();
        link.A.Send(1, 53, Bytes(50_000, 1), default, link.Now);
        link.A.Abort("the user hung up");
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(link.A.CloseReason, Does.Contain("the user hung up"));
        Assert.That(link.A.BufferedAmount, Is.Zero);
        Assert.That(link.RunUntil(() => link.B.State == SctpAssociationState.Closed), Is.True);
        var closed = LastState(link.EventsB);
        Assert.That(closed.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(closed.Reason, Does.Contain("the user hung up"));
        Assert.That(link.B.CloseReason, Does.Contain("the user hung up"));
        Assert.That(link.ReceivedByB, Is.Empty);
        Assert.That(link.RunUntil(() => false, TimeSpan.FromMinutes(1)), Is.False);
        Assert.That(link.A.NextDeadline, Is.Null);
        Assert.That(link.B.NextDeadline, Is.Null);
    }

    [Test]
    public void AbortWithWrongTag_IsIgnored()
    {
        // RFC 9260 §8.5.1 B: ABORT must carry our tag (or the peer's with the T bit).
        var link = new SctpTestLink();
        link.Connect();
        uint tagOfB = 0;
        link.Tamper = (toB, p) =>
        {
            if (toB)
            {
                tagOfB = Tag(p);
            }

            return p;
        };
        link.A.Send(1, 53, "x"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1), Is.True);
        var abort = Build(tagOfB + 1, (ref WebRtc.Client.Sctp.SctpPacketWriter w) => w.TryAddErrorCause(SctpChunkType.Abort, false, SctpErrorCauseCode.UserInitiatedAbort, "x"u8));
        Assert.That(link.B.HandlePacket(abort, link.Now), Is.False);
        var reflected = Build(tagOfB, (ref WebRtc.Client.Sctp.SctpPacketWriter w) => w.TryAddErrorCause(SctpChunkType.Abort, true, SctpErrorCauseCode.UserInitiatedAbort, "x"u8));
        Assert.That(link.B.HandlePacket(reflected, link.Now), Is.False, "T bit set but our own tag");
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
        var genuine = Build(tagOfB, (ref WebRtc.Client.Sctp.SctpPacketWriter w) => w.TryAddErrorCause(SctpChunkType.Abort, false, SctpErrorCauseCode.UserInitiatedAbort, "bye"u8));
        Assert.That(link.B.HandlePacket(genuine, link.Now), Is.True);
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(link.B.CloseReason, Does.Contain("bye"));
    }

    [Test]
    public void IdleAssociation_SendsHeartbeats_AndMeasuresRtt()
    {
        // RFC 9260 §8.3: HEARTBEAT every HB.interval on an idle path; the ACK gives an RTT (§6.3.1).
        var link = new SctpTestLink();
        link.Delay = TimeSpan.FromMilliseconds(40);
        link.Connect();
        var heartbeats = new List<(TimeSpan At, bool ToB)>();
        int acks = 0;
        link.Tamper = (toB, p) =>
        {
            if (Has(p, SctpChunkType.Heartbeat))
            {
                heartbeats.Add((link.Now, toB));
            }

            if (Has(p, SctpChunkType.HeartbeatAck))
            {
                acks++;
            }

            return p;
        };
        var start = link.Now;
        Assert.That(link.A.SmoothedRtt, Is.Null);
        Assert.That(link.RunUntil(() => link.A.SmoothedRtt is not null && link.B.SmoothedRtt is not null, TimeSpan.FromMinutes(2)), Is.True);
        Assert.That(heartbeats.Count(h => h.ToB), Is.GreaterThanOrEqualTo(1));
        Assert.That(heartbeats[0].At - start, Is.InRange(link.A.Options.HeartbeatInterval - link.Delay * 3, link.A.Options.HeartbeatInterval + link.Delay * 3));
        Assert.That(acks, Is.GreaterThanOrEqualTo(2));
        Assert.That(link.A.SmoothedRtt!.Value, Is.EqualTo(link.Delay * 2));
        Assert.That(link.B.SmoothedRtt!.Value, Is.EqualTo(link.Delay * 2));
        link.RunUntil(() => false, TimeSpan.FromMinutes(10));
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established));
        Assert.That(heartbeats.Count(h => h.ToB), Is.InRange(19, 22), "about one per 30 s for 10 minutes");
    }

    [Test]
    public void PeerStopsAnswering_WithDataOutstanding_ClosesAfterMaxRetransmissions()
    {
        // RFC 9260 §8.1: Association.Max.Retrans consecutive timeouts end the association.
        var link = new SctpTestLink(1, Options(2) with { MaxRetransmissions = 5 }, Options(3));
        link.Connect();
        link.Tamper = (toB, p) => null;
        link.A.Send(1, 53, Bytes(5000, 1), default, link.Now);
        Assert.That(link.RunUntil(() => link.A.State == SctpAssociationState.Closed, TimeSpan.FromHours(1)), Is.True);
        var closed = LastState(link.EventsA);
        Assert.That(closed.Reason, Is.Not.Null.And.Not.Empty);
        Assert.That(link.A.Statistics.T3Expirations, Is.InRange(5, 6));
        Assert.That(link.A.NextDeadline, Is.Null);
    }

    [Test]
    public void PeerStopsAnswering_WhileIdle_HeartbeatsCloseIt()
    {
        // RFC 9260 §8.3: unanswered HEARTBEATs count towards Association.Max.Retrans.
        var link = new SctpTestLink(1, Options(2) with { MaxRetransmissions = 3 }, Options(3));
        link.Connect();
        link.Tamper = (toB, p) => null;
        Assert.That(link.RunUntil(() => link.A.State == SctpAssociationState.Closed, TimeSpan.FromHours(1)), Is.True);
        Assert.That(link.A.CloseReason, Is.Not.Null.And.Not.Empty);
        Assert.That(LastState(link.EventsA).Reason, Is.EqualTo(link.A.CloseReason));
    }
}
