using System.Buffers.Binary;
using WebRtc.Client.Sctp;
using static WebRtc.Client.Tests.Sctp.SctpTestPackets;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>Association set-up (RFC 9260 §5) over a virtual link: loss, duplication, forgery, staleness.</summary>
public class SctpHandshakeTests
{
    private static SctpAssociationOptions Options(int seed) => new() { Random = new Random(seed) };

    private static void AssertTransfersBothWays(SctpTestLink link)
    {
        link.A.Send(1, 51, "ping"u8, default, link.Now);
        link.B.Send(2, 51, "pong"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByA.Count >= 1 && link.ReceivedByB.Count >= 1, TimeSpan.FromMinutes(2)), Is.True);
        Assert.That(link.ReceivedByB[^1].Data, Is.EqualTo("ping"u8.ToArray()));
        Assert.That(link.ReceivedByA[^1].Data, Is.EqualTo("pong"u8.ToArray()));
    }

    private static int CountEstablished(List<SctpAssociationEvent> events) =>
        events.OfType<SctpStateChangedEvent>().Count(e => e.State == SctpAssociationState.Established);

    [Test]
    public void FirstInitLost_T1Retransmits()
    {
        // RFC 9260 §5.1 / §6.3: T1-init expires and INIT is sent again.
        var link = new SctpTestLink();
        int inits = 0;
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.Init) && ++inits == 1 ? null : p;
        var start = link.Now;
        link.Connect();
        Assert.That(inits, Is.EqualTo(2));
        Assert.That(link.Now - start, Is.GreaterThanOrEqualTo(link.A.Options.RtoInitial));
        AssertTransfersBothWays(link);
    }

    [Test]
    public void FirstCookieEchoLost_T1CookieRetransmits()
    {
        // RFC 9260 §5.1 C: T1-cookie expires and COOKIE ECHO is sent again.
        var link = new SctpTestLink();
        int echoes = 0;
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.CookieEcho) && ++echoes == 1 ? null : p;
        link.Connect();
        Assert.That(echoes, Is.EqualTo(2));
        AssertTransfersBothWays(link);
        Assert.That(CountEstablished(link.EventsA), Is.EqualTo(1));
        Assert.That(CountEstablished(link.EventsB), Is.EqualTo(1));
    }

    [Test]
    public void FirstCookieAckLost_DuplicateCookieEchoIsAnsweredAgain()
    {
        // RFC 9260 §5.2.4 case D: a repeated COOKIE ECHO after establishment gets another COOKIE ACK.
        var link = new SctpTestLink();
        int acks = 0;
        link.Tamper = (toB, p) => !toB && Has(p, SctpChunkType.CookieAck) && ++acks == 1 ? null : p;
        link.Connect();
        Assert.That(acks, Is.EqualTo(2));
        AssertTransfersBothWays(link);
        Assert.That(CountEstablished(link.EventsB), Is.EqualTo(1));
    }

    [Test]
    public void HandshakePacketsDuplicated_EstablishOnce()
    {
        // RFC 9260 §5.2.3 (INIT ACK outside COOKIE-WAIT discarded) and §5.2.4 D (duplicate COOKIE ECHO).
        var link = new SctpTestLink();
        SctpTestLink? self = link;
        link.Tamper = (toB, p) =>
        {
            var types = ChunkTypes(p);
            if (types.Contains(SctpChunkType.Init) || types.Contains(SctpChunkType.InitAck) || types.Contains(SctpChunkType.CookieEcho)
                || types.Contains(SctpChunkType.CookieAck))
            {
                self.Inject(toB, (byte[])p.Clone(), self.Now + self.Delay + TimeSpan.FromMilliseconds(2));
                self.Inject(toB, (byte[])p.Clone(), self.Now + TimeSpan.FromMilliseconds(40));
            }

            return p;
        };
        link.Connect();
        link.RunUntil(() => false, TimeSpan.FromMilliseconds(200));
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established));
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
        Assert.That(CountEstablished(link.EventsA), Is.EqualTo(1));
        Assert.That(CountEstablished(link.EventsB), Is.EqualTo(1));
        link.Tamper = null;
        AssertTransfersBothWays(link);
    }

    [TestCase(3)]
    [TestCase(8)]
    public void AllInitsLost_ClosesAfterMaxInitRetransmissions(int maxInit)
    {
        // RFC 9260 §5.1 / §15: after Max.Init.Retransmits the association is given up and the user told.
        var link = new SctpTestLink(1, Options(2) with { MaxInitRetransmissions = maxInit }, Options(3));
        int inits = 0;
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.Init) && ++inits > 0 ? null : p;
        link.A.Connect(link.Now);
        Assert.That(link.RunUntil(() => link.A.State == SctpAssociationState.Closed, TimeSpan.FromHours(1)), Is.True);
        Assert.That(inits, Is.EqualTo(maxInit + 1));
        var closed = link.EventsA.OfType<SctpStateChangedEvent>().Last();
        Assert.That(closed.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(closed.Reason, Is.Not.Null.And.Not.Empty);
        Assert.That(link.A.CloseReason, Is.EqualTo(closed.Reason));
        Assert.That(link.A.NextDeadline, Is.Null);
        Assert.That(() => link.A.Send(1, 51, "x"u8, default, link.Now), Throws.InvalidOperationException);
    }

    [Test]
    public void SimultaneousOpen_UnderLoss_Converges([Values(1, 2, 3, 4, 5, 6)] int seed)
    {
        // RFC 9260 §5.2.1 / §5.2.4: INIT collision, with 30% of the packets lost.
        var link = new SctpTestLink(seed) { Loss = 0.3 };
        link.Connect(simultaneous: true);
        link.Loss = 0.3;
        for (int i = 0; i < 20; i++)
        {
            link.A.Send((ushort)(i % 3), 51, new[] { (byte)i }, default, link.Now);
            link.B.Send((ushort)(i % 3), 51, new[] { (byte)(100 + i) }, default, link.Now);
        }

        Assert.That(link.RunUntil(() => link.ReceivedByA.Count == 20 && link.ReceivedByB.Count == 20, TimeSpan.FromMinutes(30)), Is.True,
            $"A: {link.A.DescribeState()}\nB: {link.B.DescribeState()}");
        Assert.That(link.ReceivedByB.Select(m => (int)m.Data[0]).Order(), Is.EqualTo(Enumerable.Range(0, 20)));
        Assert.That(link.ReceivedByA.Select(m => m.Data[0] - 100).Order(), Is.EqualTo(Enumerable.Range(0, 20)));
        Assert.That(CountEstablished(link.EventsA), Is.EqualTo(1));
        Assert.That(CountEstablished(link.EventsB), Is.EqualTo(1));
    }

    [Test]
    public void ForgedCookie_IsDropped_AndTheGenuineRetransmissionEstablishes()
    {
        // RFC 9260 §5.1.5 step 2: a cookie whose MAC does not verify is silently discarded.
        var link = new SctpTestLink();
        int echoes = 0;
        link.Tamper = (toB, p) =>
        {
            if (toB && Has(p, SctpChunkType.CookieEcho) && ++echoes == 1)
            {
                var forged = (byte[])p.Clone();
                forged[SctpPacketReader.HeaderLength + 4 + 10] ^= 0x40; // inside the cookie (peer tag)
                return Reseal(forged);
            }

            return p;
        };
        link.A.Connect(link.Now);
        Assert.That(link.RunUntil(() => echoes == 1 && link.B.Statistics.PacketsDropped > 0, TimeSpan.FromSeconds(1)), Is.True);
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(link.RunUntil(() => link.A.State == SctpAssociationState.Established && link.B.State == SctpAssociationState.Established), Is.True);
        Assert.That(echoes, Is.EqualTo(2));
        AssertTransfersBothWays(link);
    }

    [Test]
    public void EveryCookieForged_NeverEstablishes_AndTheInitiatorGivesUp()
    {
        // RFC 9260 §5.1.5: forged cookies never create a TCB; §5.1 C: T1-cookie gives up.
        var link = new SctpTestLink();
        link.Tamper = (toB, p) =>
        {
            if (toB && Has(p, SctpChunkType.CookieEcho))
            {
                var forged = (byte[])p.Clone();
                forged[^1] ^= 1; // last byte of the HMAC
                return Reseal(forged);
            }

            return p;
        };
        link.A.Connect(link.Now);
        Assert.That(link.RunUntil(() => link.A.State == SctpAssociationState.Closed, TimeSpan.FromHours(1)), Is.True);
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(link.B.Statistics.PacketsDropped, Is.EqualTo(link.A.Options.MaxInitRetransmissions + 1));
        Assert.That(link.A.CloseReason, Is.Not.Null);
    }

    [Test]
    public void WrongVerificationTag_IsDroppedWithoutDisturbing()
    {
        // RFC 9260 §8.5: a packet whose tag is not ours is silently discarded.
        var link = new SctpTestLink();
        byte[]? captured = null;
        link.Tamper = (toB, p) =>
        {
            if (toB && Has(p, SctpChunkType.Data))
            {
                captured ??= (byte[])p.Clone();
            }

            return p;
        };
        link.Connect();
        AssertTransfersBothWays(link);
        Assert.That(captured, Is.Not.Null);

        var forged = (byte[])captured!.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(forged.AsSpan(4), Tag(forged) + 1);
        Reseal(forged);
        long dropped = link.B.Statistics.PacketsDropped;
        long received = link.B.Statistics.PacketsReceived;
        long data = link.B.Statistics.DataChunksReceived;
        Assert.That(link.B.HandlePacket(forged, link.Now), Is.False);
        Assert.That(link.B.Statistics.PacketsDropped, Is.EqualTo(dropped + 1));
        Assert.That(link.B.Statistics.PacketsReceived, Is.EqualTo(received));
        Assert.That(link.B.Statistics.DataChunksReceived, Is.EqualTo(data));

        // Tag zero with a non-INIT chunk is refused too (§8.5.1).
        BinaryPrimitives.WriteUInt32BigEndian(forged.AsSpan(4), 0);
        Assert.That(link.B.HandlePacket(Reseal(forged), link.Now), Is.False);
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
        link.ReceivedByA.Clear();
        link.ReceivedByB.Clear();
        AssertTransfersBothWays(link);
    }

    [TestCase(5001, 5000)]
    [TestCase(5000, 5001)]
    [TestCase(0, 0)]
    public void WrongPorts_AreDropped(int sourcePort, int destinationPort)
    {
        // RFC 9260 §8.5 / RFC 8261 §5: the ports name the association; other ports are not ours.
        var link = new SctpTestLink();
        byte[]? captured = null;
        link.Tamper = (toB, p) =>
        {
            if (toB && Has(p, SctpChunkType.Data))
            {
                captured ??= (byte[])p.Clone();
            }

            return p;
        };
        link.Connect();
        AssertTransfersBothWays(link);
        var forged = (byte[])captured!.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(forged, (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(forged.AsSpan(2), (ushort)destinationPort);
        long dropped = link.B.Statistics.PacketsDropped;
        Assert.That(link.B.HandlePacket(Reseal(forged), link.Now), Is.False);
        Assert.That(link.B.Statistics.PacketsDropped, Is.EqualTo(dropped + 1));
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
    }

    [Test]
    public void InitToAnotherPort_IsNotAnswered()
    {
        // RFC 8261 §5: an INIT for a port we do not listen on starts nothing.
        var b = new SctpAssociation(Options(5));
        var init = Build(0, (ref SctpPacketWriter w) => w.TryAddInit(false, 1234, 100000, 10, 10, 1, default), 5000, 5001);
        Assert.That(b.HandlePacket(init, TimeSpan.FromSeconds(1)), Is.False);
        Assert.That(b.PollTransmit(new byte[2000], TimeSpan.FromSeconds(1)), Is.EqualTo(0));
    }

    [Test]
    public void StaleCookie_IsRefusedWithAStaleCookieError()
    {
        // RFC 9260 §5.1.5 step 3: a cookie older than Valid.Cookie.Life does not create an
        // association; the answer is an ERROR with the Stale Cookie cause (§3.3.10.3).
        var link = new SctpTestLink(1, Options(2), Options(3) with { CookieLifetime = TimeSpan.FromSeconds(2) });
        byte[]? echo = null;
        link.Tamper = (toB, p) =>
        {
            if (toB && Has(p, SctpChunkType.CookieEcho))
            {
                echo ??= p;
                return null;
            }

            return p;
        };
        link.A.Connect(link.Now);
        Assert.That(link.RunUntil(() => echo is not null, TimeSpan.FromSeconds(1)), Is.True);
        link.B.HandlePacket(echo!, link.Now + TimeSpan.FromSeconds(3));
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Closed));
        Assert.That(link.B.IsEstablished, Is.False);
        var reply = new byte[2048];
        int n = link.B.PollTransmit(reply, link.Now + TimeSpan.FromSeconds(3));
        Assert.That(n, Is.GreaterThan(0));
        Assert.That(SctpPacketReader.TryParse(reply.AsSpan(0, n), out var packet, out _), Is.True);
        var chunks = packet.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        Assert.That(chunks.Current.Type, Is.EqualTo(SctpChunkType.Error));
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(chunks.Current.Value), Is.EqualTo((ushort)SctpErrorCauseCode.StaleCookie));

        // The same cookie in time is accepted (so it was the age that failed it).
        var fresh = new SctpTestLink(1, Options(2), Options(3) with { CookieLifetime = TimeSpan.FromSeconds(2) });
        byte[]? echo2 = null;
        fresh.Tamper = (toB, p) =>
        {
            if (toB && Has(p, SctpChunkType.CookieEcho))
            {
                echo2 ??= p;
                return null;
            }

            return p;
        };
        fresh.A.Connect(fresh.Now);
        Assert.That(fresh.RunUntil(() => echo2 is not null, TimeSpan.FromSeconds(1)), Is.True);
        fresh.B.HandlePacket(echo2!, fresh.Now + TimeSpan.FromSeconds(1.5));
        Assert.That(fresh.B.State, Is.EqualTo(SctpAssociationState.Established));
    }

    [Test]
    public void CookieEchoLostUntilStale_StillEstablishes()
    {
        // RFC 9260 §5.1.5 step 3 / §5.2.6: a stale cookie is answered with a Stale Cookie ERROR and
        // the initiator starts again with a fresh INIT, so a slow handshake recovers.
        var link = new SctpTestLink(1, Options(2), Options(3) with { CookieLifetime = TimeSpan.FromSeconds(2) });
        int echoes = 0;
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.CookieEcho) && ++echoes <= 3 ? null : p;
        link.A.Connect(link.Now);
        Assert.That(link.RunUntil(() => link.A.State == SctpAssociationState.Established && link.B.State == SctpAssociationState.Established
            || link.A.State == SctpAssociationState.Closed, TimeSpan.FromHours(1)), Is.True);
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established), $"A closed: {link.A.CloseReason}");
    }
}
