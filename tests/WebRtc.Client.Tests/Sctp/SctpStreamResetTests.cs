using WebRtc.Client.Sctp;
using static WebRtc.Client.Tests.Sctp.SctpTestPackets;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>Outgoing SSN reset (RFC 6525 §5.1.2 / §5.2.2), which closes data channels (RFC 8831 §6.7).</summary>
public class SctpStreamResetTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static SctpTestLink Connected(int seed = 1)
    {
        var link = new SctpTestLink(seed);
        link.Connect();
        return link;
    }

    private static bool ResetDone(SctpTestLink link, params ushort[] streams) =>
        link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().SelectMany(e => e.Streams).ToHashSet().IsSupersetOf(streams)
        && link.EventsB.OfType<SctpIncomingStreamsResetEvent>().SelectMany(e => e.Streams).ToHashSet().IsSupersetOf(streams);

    [Test]
    public void Reset_BothSidesTold_DataBeforeItDelivered_SsnRestarts()
    {
        // RFC 6525 §5.1.2 / §5.2.2: the peer resets its incoming SSN after all data up to the sender's last TSN.
        var link = Connected();
        for (int i = 0; i < 10; i++)
        {
            link.A.Send(5, (uint)i, Bytes(3000, i), default, link.Now);
        }

        link.A.ResetStreams([5]);
        int deliveredAtEvent = -1;
        Assert.That(link.RunUntil(() =>
        {
            if (deliveredAtEvent < 0 && link.EventsB.OfType<SctpIncomingStreamsResetEvent>().Any())
            {
                deliveredAtEvent = link.ReceivedByB.Count;
            }

            return ResetDone(link, 5);
        }), Is.True, link.A.DescribeState());
        Assert.That(deliveredAtEvent, Is.EqualTo(10));
        Assert.That(link.EventsB.OfType<SctpIncomingStreamsResetEvent>().Single().Streams, Is.EqualTo(new ushort[] { 5 }));
        var outgoing = link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().Single();
        Assert.That(outgoing.Streams, Is.EqualTo(new ushort[] { 5 }));
        Assert.That(outgoing.Success, Is.True);

        // The stream is usable again from SSN 0: ordered delivery resumes.
        for (int i = 10; i < 20; i++)
        {
            link.A.Send(5, (uint)i, Bytes(100, i), default, link.Now);
        }

        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 20), Is.True, link.B.DescribeState());
        Assert.That(link.ReceivedByB.Select(m => (int)m.Ppid), Is.EqualTo(Enumerable.Range(0, 20)));
    }

    [Test]
    public void Send_OnStreamBeingReset_Throws()
    {
        // RFC 8831 §6.7: a closing channel takes no more data.
        var link = Connected();
        link.A.Send(5, 1, "x"u8, default, link.Now);
        link.A.ResetStreams([5]);
        Assert.That(() => link.A.Send(5, 2, "y"u8, default, link.Now), Throws.InvalidOperationException);
        link.A.Send(6, 3, "z"u8, default, link.Now);
        Assert.That(link.RunUntil(() => ResetDone(link, 5) && link.ReceivedByB.Count == 2), Is.True);
        link.A.Send(5, 4, "again"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 3), Is.True);
    }

    [Test]
    public void Reset_OnIdleAssociation_StartsPromptly()
    {
        // RFC 6525 §5.1.2: the request goes out as soon as the stream has no queued data; an idle
        // association must not wait for an unrelated timer (the next HEARTBEAT, 30 s away).
        var link = Connected();
        link.A.Send(5, 1, "x"u8, default, link.Now);
        link.Pump();
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1 && link.A.FlightSize == 0), Is.True);
        Assert.That(link.A.NextDeadline - link.Now, Is.GreaterThan(TimeSpan.FromSeconds(20)), "only the heartbeat timer is left");
        var start = link.Now;
        link.A.ResetStreams([5]);
        Assert.That(link.RunUntil(() => ResetDone(link, 5), TimeSpan.FromMinutes(2)), Is.True);
        Assert.That(link.Now - start, Is.LessThan(TimeSpan.FromSeconds(1)), "reset completed only after an unrelated timer fired");
    }

    [Test]
    public void ResetRequestLost_IsRetransmitted()
    {
        // RFC 6525 §5.1.1: the RE-CONFIG request is retransmitted on timeout with the same sequence number.
        var link = Connected();
        int requests = 0;
        link.Tamper = (toB, p) => toB && Has(p, SctpChunkType.ReConfig) && ++requests == 1 ? null : p;
        link.A.Send(5, 1, Bytes(500, 1), default, link.Now);
        link.A.ResetStreams([5]);
        Assert.That(link.RunUntil(() => ResetDone(link, 5), TimeSpan.FromMinutes(5)), Is.True);
        Assert.That(requests, Is.EqualTo(2));
        Assert.That(link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().Single().Success, Is.True);
        Assert.That(link.EventsB.OfType<SctpIncomingStreamsResetEvent>().Count(), Is.EqualTo(1));
    }

    [Test]
    public void ResetResponseLost_RequestAnsweredAgain_ResetOnce()
    {
        // RFC 6525 §5.2.1: a retransmitted request (sequence - 1) gets the same answer, and is not performed twice.
        var link = Connected();
        int responses = 0;
        link.Tamper = (toB, p) => !toB && Has(p, SctpChunkType.ReConfig) && ++responses == 1 ? null : p;
        link.A.Send(5, 1, Bytes(500, 1), default, link.Now);
        link.A.ResetStreams([5]);
        Assert.That(link.RunUntil(() => ResetDone(link, 5), TimeSpan.FromMinutes(5)), Is.True);
        Assert.That(responses, Is.EqualTo(2));
        Assert.That(link.EventsB.OfType<SctpIncomingStreamsResetEvent>().Count(), Is.EqualTo(1));
        link.A.Send(5, 2, "after"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 2), Is.True);
    }

    [Test]
    public void Reset_WhileDataIsLost_AnswersInProgress_ThenCompletes()
    {
        // RFC 6525 §5.2.2: with data before the reset point still missing, the answer is "In progress".
        var link = Connected();
        int dataPackets = 0;
        var results = new List<uint>();
        link.Tamper = (toB, p) =>
        {
            if (!toB)
            {
                results.AddRange(ReconfigResults(p));
            }

            return toB && Has(p, SctpChunkType.Data) && ++dataPackets <= 2 ? null : p;
        };
        link.A.Send(5, 1, Bytes(800, 1), default, link.Now);
        link.A.Send(5, 2, Bytes(800, 2), default, link.Now);
        link.A.Send(7, 3, Bytes(800, 3), default, link.Now);
        link.A.ResetStreams([5]);
        Assert.That(link.RunUntil(() => ResetDone(link, 5), TimeSpan.FromMinutes(5)), Is.True, link.A.DescribeState());
        Assert.That(results, Does.Contain((uint)SctpReconfigResult.InProgress));
        Assert.That(results[^1], Is.EqualTo((uint)SctpReconfigResult.SuccessPerformed));
        Assert.That(link.ReceivedByB.Where(m => m.Stream == 5).Select(m => m.Ppid), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().Single().Success, Is.True);
        link.A.Send(5, 4, "after"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Any(m => m.Ppid == 4)), Is.True);
    }

    [Test]
    public void ManyStreamsAtOnce_AndUnderLoss([Values(0.0, 0.2)] double loss)
    {
        // RFC 6525 §4.1: one request lists many streams.
        var link = Connected(9);
        link.Loss = loss;
        var streams = Enumerable.Range(0, 100).Select(i => (ushort)(i * 3)).ToArray();
        foreach (ushort s in streams)
        {
            link.A.Send(s, s, Bytes(200, s), default, link.Now);
        }

        link.A.ResetStreams(streams);
        Assert.That(link.RunUntil(() => ResetDone(link, streams), TimeSpan.FromHours(1)), Is.True, link.A.DescribeState());
        Assert.That(link.ReceivedByB.Count, Is.EqualTo(100));
        Assert.That(link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().All(e => e.Success), Is.True);
    }

    [Test]
    public void ThreeHundredStreams_ResetAll_ThenReuse()
    {
        // RFC 6525 §5.1.2 with RFC 8831 §6.7: every channel closed, then reopened with SSN 0.
        var link = Connected(10);
        var streams = Enumerable.Range(0, 300).Select(i => (ushort)i).ToArray();
        for (int round = 0; round < 3; round++)
        {
            foreach (ushort s in streams)
            {
                link.A.Send(s, (uint)round, Bytes(50, s), default, link.Now);
                link.A.Send(s, (uint)round, Bytes(60, s), default, link.Now);
            }
        }

        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1800), Is.True);
        link.A.ResetStreams(streams);
        Assert.That(link.RunUntil(() => ResetDone(link, streams), TimeSpan.FromMinutes(10)), Is.True, link.A.DescribeState());
        Assert.That(link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().All(e => e.Success), Is.True);

        link.ReceivedByB.Clear();
        foreach (ushort s in streams)
        {
            for (int i = 0; i < 3; i++)
            {
                link.A.Send(s, (uint)i, Bytes(10 + i, s), default, link.Now);
            }
        }

        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 900), Is.True, link.B.DescribeState());
        foreach (var g in link.ReceivedByB.GroupBy(m => m.Stream))
        {
            Assert.That(g.Select(m => (int)m.Ppid), Is.EqualTo(new[] { 0, 1, 2 }), $"stream {g.Key}");
        }
    }

    [Test]
    public void BothSidesResetTheSameStream()
    {
        // RFC 8831 §6.7: both ends close a channel at once; each resets its own outgoing stream.
        var link = Connected();
        link.A.Send(4, 1, "a"u8, default, link.Now);
        link.B.Send(4, 1, "b"u8, default, link.Now);
        link.A.ResetStreams([4]);
        link.B.ResetStreams([4]);
        Assert.That(link.RunUntil(() => link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().Any() && link.EventsB.OfType<SctpOutgoingStreamsResetEvent>().Any()
            && link.EventsA.OfType<SctpIncomingStreamsResetEvent>().Any() && link.EventsB.OfType<SctpIncomingStreamsResetEvent>().Any(), TimeSpan.FromMinutes(2)), Is.True);
        Assert.That(link.ReceivedByA.Single().Data, Is.EqualTo("b"u8.ToArray()));
        Assert.That(link.ReceivedByB.Single().Data, Is.EqualTo("a"u8.ToArray()));
    }
}
