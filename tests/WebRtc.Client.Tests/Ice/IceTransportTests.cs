using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Tests.Ice;

/// <summary>Two <see cref="IceTransport"/>s on real loopback sockets.</summary>
public class IceTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    internal static void Wire(IceTransport from, IceTransport to)
    {
        from.CandidateGathered += (_, c) => _ = to.AddRemoteCandidateAsync(c);
        from.GatheringStateChanged += (_, s) =>
        {
            if (s == RTCIceGatheringState.Complete)
            {
                to.AddRemoteEndOfCandidates();
            }
        };
        to.SetRemoteCredentials(from.LocalCredentials.Ufrag, from.LocalCredentials.Pwd);
    }

    internal static Task WaitForStateAsync(IceTransport transport, params RTCIceTransportState[] states)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.StateChanged += (_, s) =>
        {
            if (states.Contains(s))
            {
                done.TrySetResult();
            }
        };
        if (states.Contains(transport.State))
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    private static async Task ConnectAndExchangeAsync(IceTransportOptions aOptions, IceTransportOptions bOptions, IPAddress expected)
    {
        await using var a = new IceTransport(aOptions);
        await using var b = new IceTransport(bOptions);
        Wire(a, b);
        Wire(b, a);
        var aDone = WaitForStateAsync(a, RTCIceTransportState.Completed);
        var bDone = WaitForStateAsync(b, RTCIceTransportState.Completed);
        await a.GatherAsync();
        await b.GatherAsync();
        await Task.WhenAll(aDone, bDone).WaitAsync(Timeout);

        var aPair = a.SelectedPair!;
        var bPair = b.SelectedPair!;
        Assert.Multiple(() =>
        {
            Assert.That(aPair.Nominated && bPair.Nominated, Is.True);
            Assert.That(aPair.Local.EndPoint.Address, Is.EqualTo(expected));
            Assert.That(aPair.RemoteEndPoint, Is.EqualTo(bPair.Local.EndPoint));
            Assert.That(bPair.RemoteEndPoint, Is.EqualTo(aPair.Local.EndPoint));
            Assert.That(a.Role, Is.EqualTo(RTCIceRole.Controlling));
            Assert.That(b.Role, Is.EqualTo(RTCIceRole.Controlled));
            Assert.That(aPair.CurrentRoundTripTime, Is.Not.Null);
        });

        // RFC 7983 demultiplexing: DTLS and RTP go to their own receivers, both ways.
        var dtlsAtB = new BlockingCollection<byte[]>();
        var rtpAtA = new BlockingCollection<byte[]>();
        b.Dtls.Receiver = d => dtlsAtB.Add(d.ToArray());
        b.Rtp.Receiver = _ => Assert.Fail("RTP receiver got a DTLS record");
        a.Rtp.Receiver = d => rtpAtA.Add(d.ToArray());
        byte[] record = [22, 0xFE, 0xFD, 1, 2, 3];
        byte[] rtp = [0x80, 111, 0, 1, 9, 9, 9, 9];
        Assert.That(a.Dtls.IsWritable, Is.True);
        Assert.That(a.Dtls.TrySend(record), Is.True);
        Assert.That(b.Rtp.TrySend(rtp), Is.True);
        Assert.That(dtlsAtB.TryTake(out var gotRecord, Timeout), Is.True);
        Assert.That(rtpAtA.TryTake(out var gotRtp, Timeout), Is.True);
        Assert.That(gotRecord, Is.EqualTo(record));
        Assert.That(gotRtp, Is.EqualTo(rtp));
    }

    [Test]
    public Task ConnectsOverIPv4Loopback() => ConnectAndExchangeAsync(
        new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.Loopback] },
        new IceTransportOptions { BindAddresses = [IPAddress.Loopback] },
        IPAddress.Loopback);

    [Test]
    public Task ConnectsOverIPv6Loopback() => ConnectAndExchangeAsync(
        new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.IPv6Loopback] },
        new IceTransportOptions { BindAddresses = [IPAddress.IPv6Loopback] },
        IPAddress.IPv6Loopback);

    [Test]
    public async Task RestartKeepsDataFlowingAndSwitchesToTheNewGeneration()
    {
        await using var a = new IceTransport(new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.Loopback] });
        await using var b = new IceTransport(new IceTransportOptions { BindAddresses = [IPAddress.Loopback] });
        Wire(a, b);
        Wire(b, a);
        var connected = Task.WhenAll(WaitForStateAsync(a, RTCIceTransportState.Completed), WaitForStateAsync(b, RTCIceTransportState.Completed));
        await a.GatherAsync();
        await b.GatherAsync();
        await connected.WaitAsync(Timeout);
        var oldA = a.SelectedPair!;
        var oldB = b.SelectedPair!;
        var oldCredentials = a.LocalCredentials;

        // DTLS-like records from A to B, a few every millisecond or so, through the whole restart.
        var received = new ConcurrentDictionary<int, bool>();
        b.Dtls.Receiver = d => received[BinaryPrimitives.ReadInt32BigEndian(d[1..])] = true;
        using var stop = new CancellationTokenSource();
        int sent = 0, refused = 0;
        var sender = Task.Run(async () =>
        {
            var record = new byte[100];
            record[0] = 23;
            while (!stop.IsCancellationRequested)
            {
                for (int burst = 0; burst < 4; burst++)
                {
                    BinaryPrimitives.WriteInt32BigEndian(record.AsSpan(1), sent);
                    if (a.Dtls.TrySend(record))
                    {
                        sent++;
                    }
                    else
                    {
                        refused++;
                    }
                }

                await Task.Delay(1);
            }
        });
        await Task.Delay(100);

        var states = new ConcurrentQueue<string>();
        a.StateChanged += (_, s) => states.Enqueue("A " + s);
        b.StateChanged += (_, s) => states.Enqueue("B " + s);
        var aCandidates = new ConcurrentQueue<RTCIceCandidate>();
        var aGathering = new ConcurrentQueue<RTCIceGatheringState>();
        a.CandidateGathered += (_, c) => aCandidates.Enqueue(c);
        a.GatheringStateChanged += (_, s) => aGathering.Enqueue(s);
        var aSwitched = new TaskCompletionSource<IceCandidatePair?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bSwitched = new TaskCompletionSource<IceCandidatePair?>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SelectedPairChanged += (_, p) => aSwitched.TrySetResult(p);
        b.SelectedPairChanged += (_, p) => bSwitched.TrySetResult(p);

        // A offers the restart, B answers it with new credentials of its own (JSEP); candidates trickle as wired.
        var newA = a.Restart();
        Assert.Multiple(() =>
        {
            Assert.That(newA, Is.Not.EqualTo(oldCredentials));
            Assert.That(a.LocalCredentials, Is.EqualTo(newA));
            Assert.That(a.IsRestarting, Is.True);
            Assert.That(a.Generation, Is.EqualTo(1));
            Assert.That(a.SelectedPair, Is.SameAs(oldA));
        });
        var newB = b.Restart();
        b.SetRemoteCredentials(newA.Ufrag, newA.Pwd);
        a.SetRemoteCredentials(newB.Ufrag, newB.Pwd);
        foreach (var candidate in aCandidates)
        {
            await b.AddRemoteCandidateAsync(candidate);
        }

        b.AddRemoteEndOfCandidates();
        var newPairA = await aSwitched.Task.WaitAsync(Timeout);
        var newPairB = await bSwitched.Task.WaitAsync(Timeout);
        await Task.Delay(300);
        await stop.CancelAsync();
        await sender;
        await Task.Delay(200);

        Assert.Multiple(() =>
        {
            Assert.That(newPairA, Is.Not.Null.And.Not.SameAs(oldA));
            Assert.That(newPairB, Is.Not.Null.And.Not.SameAs(oldB));
            Assert.That(newPairA!.Nominated, Is.True);
            Assert.That(a.IsRestarting || b.IsRestarting, Is.False);
            Assert.That(aCandidates.Select(c => c.UsernameFragment).Distinct(), Is.EqualTo(new[] { newA.Ufrag }), "candidates re-announced with the new ufrag");
            Assert.That(aCandidates.Select(c => c.Port), Does.Contain(oldA.Local.EndPoint.Port), "same sockets");
            Assert.That(aGathering, Is.EqualTo(new[] { RTCIceGatheringState.Gathering, RTCIceGatheringState.Complete }));
            Assert.That(states, Is.Empty, "Connected/Completed throughout");
            Assert.That(refused, Is.Zero, "the transport stayed writable");
            Assert.That(sent, Is.GreaterThan(200));
            Assert.That(received, Has.Count.EqualTo(sent), "no datagram lost during the restart");
        });
    }

    [Test]
    public async Task GathersLoopbackOnlyWhenAllowed()
    {
        await using var withoutLoopback = new IceTransport(new IceTransportOptions());
        var gathered = new ConcurrentQueue<RTCIceCandidate>();
        withoutLoopback.CandidateGathered += (_, c) => gathered.Enqueue(c);
        await withoutLoopback.GatherAsync();
        Assert.That(gathered.Where(c => c.IPAddress is { } ip && IPAddress.IsLoopback(ip)), Is.Empty);

        await using var withLoopback = new IceTransport(new IceTransportOptions { IncludeLoopback = true });
        var complete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loopback = new ConcurrentQueue<RTCIceCandidate>();
        withLoopback.CandidateGathered += (_, c) => loopback.Enqueue(c);
        withLoopback.GatheringStateChanged += (_, s) =>
        {
            if (s == RTCIceGatheringState.Complete)
            {
                complete.TrySetResult();
            }
        };
        await withLoopback.GatherAsync();
        await complete.Task.WaitAsync(Timeout);
        Assert.That(loopback.Select(c => c.IPAddress), Does.Contain(IPAddress.Loopback));
        Assert.That(loopback, Has.All.Matches<RTCIceCandidate>(c => c!.Type == RTCIceCandidateType.Host && c.Protocol == RTCIceProtocol.Udp));
        var text = loopback.First(c => Equals(c.IPAddress, IPAddress.Loopback)).Candidate;
        Assert.That(RTCIceCandidate.Parse(text).Port, Is.GreaterThan(0));
    }

    [Test]
    public async Task ConsentLossOnRealSocketsWithFakeClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var a = new IceTransport(new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.Loopback], TimeProvider = clock });
        var b = new IceTransport(new IceTransportOptions { BindAddresses = [IPAddress.Loopback], TimeProvider = clock });
        var states = new ConcurrentQueue<RTCIceTransportState>();
        a.StateChanged += (_, s) => states.Enqueue(s);
        Wire(a, b);
        Wire(b, a);
        await a.GatherAsync();
        await b.GatherAsync();

        async Task<bool> AdvanceUntil(Func<bool> condition, TimeSpan limit, TimeSpan step)
        {
            for (var t = TimeSpan.Zero; t < limit; t += step)
            {
                if (condition())
                {
                    return true;
                }

                clock.Advance(step);
                // Real packets are in flight on loopback; give the receive loops a moment.
                await Task.Delay(2);
            }

            return condition();
        }

        Assert.That(await AdvanceUntil(() => a.State == RTCIceTransportState.Completed && b.State == RTCIceTransportState.Completed, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10)), Is.True);

        // B disappears: its socket closes, nobody answers A's consent checks any more.
        await b.DisposeAsync();
        var silentSince = clock.GetUtcNow();
        Assert.That(await AdvanceUntil(() => a.State == RTCIceTransportState.Disconnected, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(250)), Is.True);
        var disconnectedAfter = clock.GetUtcNow() - silentSince;
        Assert.That(await AdvanceUntil(() => a.State == RTCIceTransportState.Failed, TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(250)), Is.True);
        var failedAfter = clock.GetUtcNow() - silentSince;
        Assert.Multiple(() =>
        {
            Assert.That(disconnectedAfter, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(10.5)));
            Assert.That(failedAfter, Is.InRange(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30.5)));
            Assert.That(states, Does.Contain(RTCIceTransportState.Disconnected));
            Assert.That(a.Dtls.IsWritable, Is.False, "no sending once consent is lost");
            Assert.That(a.Dtls.TrySend([22, 1, 2]), Is.False);
        });
        await a.DisposeAsync();
        Assert.That(a.State, Is.EqualTo(RTCIceTransportState.Closed));
    }

    [Test]
    public async Task UnresolvableMdnsCandidateIsDroppedWithoutError()
    {
        await using var a = new IceTransport(new IceTransportOptions { BindAddresses = [IPAddress.Loopback], MdnsTimeout = TimeSpan.FromMilliseconds(300) });
        await a.GatherAsync();
        var mdns = RTCIceCandidate.Parse("candidate:1 1 UDP 2122252543 3f9d1c4b-3a1e-4b5c-9e84-2b1d6f2f5a9e.local 51234 typ host");
        Assert.That(await a.AddRemoteCandidateAsync(mdns).WaitAsync(Timeout), Is.False);
        var tcp = RTCIceCandidate.Parse("candidate:1467250027 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0");
        // An RFC 6544 candidate is kept (it pairs only with our TCP candidates, of which this transport has none).
        Assert.That(await a.AddRemoteCandidateAsync(tcp), Is.True);
        Assert.That(a.GetRemoteCandidates().Single().Protocol, Is.EqualTo(RTCIceProtocol.Tcp));
        var udp = RTCIceCandidate.Parse("candidate:1 1 udp 2122252543 127.0.0.1 51234 typ host");
        Assert.That(await a.AddRemoteCandidateAsync(udp), Is.True);
        Assert.That(a.GetRemoteCandidates().Single(c => c.Protocol == RTCIceProtocol.Udp).EndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 51234)));
    }

    [Test]
    public async Task ThrowingEventHandlerDoesNotBreakTheTransport()
    {
        await using var a = new IceTransport(new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.Loopback] });
        await using var b = new IceTransport(new IceTransportOptions { BindAddresses = [IPAddress.Loopback] });
        a.StateChanged += (_, _) => throw new InvalidOperationException("handler bug");
        a.CandidateGathered += (_, _) => throw new InvalidOperationException("handler bug");
        Wire(a, b);
        Wire(b, a);
        var done = Task.WhenAll(WaitForStateAsync(a, RTCIceTransportState.Completed), WaitForStateAsync(b, RTCIceTransportState.Completed));
        await a.GatherAsync();
        await b.GatherAsync();
        await done.WaitAsync(Timeout);
        Assert.That(a.SelectedPair, Is.Not.Null);
    }
}
