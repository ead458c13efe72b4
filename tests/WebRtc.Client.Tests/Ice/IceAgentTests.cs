using System.Net;
using WebRtc.Client.Ice;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Tests.Ice;

/// <summary>The sans-IO agent on a virtual network with a virtual clock.</summary>
public class IceAgentTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static IceAgentOptions Options(string ufrag, bool controlling, ulong? tieBreaker = null, bool lite = false, int seed = 1) => new()
    {
        LocalUfrag = ufrag,
        LocalPassword = ufrag + "-password-0123456789abcdef",
        Controlling = controlling,
        TieBreaker = tieBreaker,
        Lite = lite,
        Random = new Random(seed),
    };

    private static IPEndPoint Ep(string address, int port) => new(IPAddress.Parse(address), port);

    private static (VirtualNetwork Net, VirtualNetwork.Peer A, VirtualNetwork.Peer B) TwoPeers(
        bool aControlling = true, bool bControlling = false, ulong? aTie = null, ulong? bTie = null, bool bLite = false)
    {
        var net = new VirtualNetwork();
        var a = net.AddPeer("A", Options("aaaa", aControlling, aTie, seed: 1));
        var b = net.AddPeer("B", Options("bbbb", bControlling, bTie, lite: bLite, seed: 2));
        return (net, a, b);
    }

    private static bool Completed(VirtualNetwork.Peer p) => p.Agent.State == RTCIceTransportState.Completed;

    /// <summary>One host candidate per peer, gathering finished, and everything signaled both ways (non-trickle).</summary>
    private static void OneBaseEachAndSignal(VirtualNetwork net, VirtualNetwork.Peer a, VirtualNetwork.Peer b)
    {
        a.AddBase(Ep("10.0.0.1", 5000));
        b.AddBase(Ep("10.0.0.2", 6000));
        a.Agent.EndOfLocalCandidates(net.Now);
        b.Agent.EndOfLocalCandidates(net.Now);
        a.SignalTo(b);
        b.SignalTo(a);
    }

    private static void ConnectSimple(VirtualNetwork net, VirtualNetwork.Peer a, VirtualNetwork.Peer b)
    {
        OneBaseEachAndSignal(net, a, b);
        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
    }

    [Test]
    public void TwoAgentsConnectNominateAndComplete()
    {
        var (net, a, b) = TwoPeers();
        OneBaseEachAndSignal(net, a, b);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.Multiple(() =>
        {
            Assert.That(a.Agent.Role, Is.EqualTo(RTCIceRole.Controlling));
            Assert.That(b.Agent.Role, Is.EqualTo(RTCIceRole.Controlled));
            Assert.That(a.Agent.SelectedPair!.Nominated, Is.True);
            Assert.That(b.Agent.SelectedPair!.Nominated, Is.True);
            Assert.That(a.Agent.SelectedPair.RemoteEndPoint, Is.EqualTo(Ep("10.0.0.2", 6000)));
            Assert.That(b.Agent.SelectedPair.RemoteEndPoint, Is.EqualTo(Ep("10.0.0.1", 5000)));
            Assert.That(a.States, Is.EqualTo(new[] { RTCIceTransportState.Checking, RTCIceTransportState.Connected, RTCIceTransportState.Completed }));
            Assert.That(a.Agent.SelectedPair.CurrentRoundTripTime, Is.EqualTo(TimeSpan.FromMilliseconds(10)));
            Assert.That(a.Agent.GatheringState, Is.EqualTo(RTCIceGatheringState.Complete));
        });
    }

    [Test]
    public void ChoosesTheHighestPriorityPairAmongSeveral()
    {
        var (net, a, b) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000), localPreference: 100);
        a.AddBase(Ep("10.0.1.1", 5001), localPreference: 65535);
        b.AddBase(Ep("10.0.0.2", 6000), localPreference: 65535);
        b.AddBase(Ep("10.0.1.2", 6001), localPreference: 100);
        a.Agent.EndOfLocalCandidates(net.Now);
        b.Agent.EndOfLocalCandidates(net.Now);
        a.SignalTo(b);
        b.SignalTo(a);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True);
        var best = a.Agent.Pairs.Where(p => p.State == IceCandidatePairState.Succeeded).Max(p => p.Priority);
        Assert.That(a.Agent.SelectedPair!.Priority, Is.EqualTo(best));
        Assert.That(b.Agent.SelectedPair!.RemoteEndPoint, Is.EqualTo(a.Agent.SelectedPair.Local.EndPoint));
    }

    [Test]
    public void TrickleWithLateAndOutOfOrderCandidates()
    {
        var (net, a, b) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        a.AddBase(Ep("10.0.1.1", 5001));
        b.AddBase(Ep("10.0.0.2", 6000));
        b.AddBase(Ep("10.0.1.2", 6001));

        // Credentials first, candidates later, in reverse order, end-of-candidates last.
        a.Agent.SetRemoteCredentials(b.Options.LocalUfrag, b.Options.LocalPassword);
        b.Agent.SetRemoteCredentials(a.Options.LocalUfrag, a.Options.LocalPassword);
        net.Advance(TimeSpan.FromMilliseconds(300));
        Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Checking).Or.EqualTo(RTCIceTransportState.New));

        var bCandidates = b.Gathered.ToList();
        bCandidates.Reverse();
        foreach (var c in bCandidates)
        {
            a.Agent.AddRemoteCandidate(c.Type, c.EndPoint, c.Priority, c.Foundation, net.Now);
            net.Advance(TimeSpan.FromMilliseconds(120));
        }

        // B learns A only from A's checks (peer-reflexive) until A's candidates trickle in much later.
        Assert.That(net.RunUntil(() => a.Agent.State == RTCIceTransportState.Connected && b.Agent.SelectedPair is not null, Limit), Is.True);
        Assert.That(b.Agent.RemoteCandidates, Has.Some.Matches<IceRemoteCandidate>(r => r!.Type == RTCIceCandidateType.Prflx));

        foreach (var c in a.Gathered.AsEnumerable().Reverse())
        {
            b.Agent.AddRemoteCandidate(c.Type, c.EndPoint, c.Priority, c.Foundation, net.Now);
        }

        Assert.That(b.Agent.RemoteCandidates.Where(r => r.EndPoint.Equals(Ep("10.0.0.1", 5000))).Single().Type, Is.EqualTo(RTCIceCandidateType.Host), "signaled candidate replaces the prflx one");
        a.Agent.EndOfLocalCandidates(net.Now);
        b.Agent.EndOfLocalCandidates(net.Now);
        a.Agent.AddRemoteEndOfCandidates(net.Now);
        b.Agent.AddRemoteEndOfCandidates(net.Now);
        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.That(b.Agent.SelectedPair!.RemoteEndPoint, Is.EqualTo(a.Agent.SelectedPair!.Local.EndPoint));
    }

    [TestCase(true, 10UL, 20UL)]
    [TestCase(true, 20UL, 10UL)]
    [TestCase(false, 10UL, 20UL)]
    [TestCase(false, 20UL, 10UL)]
    public void RoleConflictIsResolvedByTieBreaker(bool bothControlling, ulong aTie, ulong bTie)
    {
        // RFC 8445 §7.3.1.1: the agent with the larger tie-breaker ends up controlling.
        var (net, a, b) = TwoPeers(aControlling: bothControlling, bControlling: bothControlling, aTie: aTie, bTie: bTie);
        OneBaseEachAndSignal(net, a, b);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        var winner = aTie > bTie ? a : b;
        var loser = aTie > bTie ? b : a;
        Assert.Multiple(() =>
        {
            Assert.That(winner.Agent.Role, Is.EqualTo(RTCIceRole.Controlling));
            Assert.That(loser.Agent.Role, Is.EqualTo(RTCIceRole.Controlled));
            Assert.That(a.Events.OfType<IceRoleEvent>().Count() + b.Events.OfType<IceRoleEvent>().Count(), Is.EqualTo(1));
            Assert.That(a.Agent.SelectedPair!.Nominated && b.Agent.SelectedPair!.Nominated, Is.True);
        });
    }

    [Test]
    public void ConsentLossGoesDisconnectedThenFailedAndStopsSending()
    {
        var (net, a, b) = TwoPeers();
        ConnectSimple(net, a, b);

        // Consent keeps a healthy pair alive for a long time (RFC 7675).
        net.Advance(TimeSpan.FromSeconds(60));
        Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Completed));
        Assert.That(a.Agent.SelectedPair!.ResponsesReceived, Is.GreaterThanOrEqualTo(60 / 6));

        // B goes silent: nothing it sends arrives any more.
        var lostAt = net.Now;
        net.Drop = (from, _, _) => from.Equals(Ep("10.0.0.2", 6000));
        Assert.That(net.RunUntil(() => a.Agent.State == RTCIceTransportState.Disconnected, TimeSpan.FromSeconds(20)), Is.True);
        var disconnectedAfter = net.Now - lostAt;
        Assert.That(net.RunUntil(() => a.Agent.State == RTCIceTransportState.Failed, TimeSpan.FromSeconds(40)), Is.True);
        var failedAfter = net.Now - lostAt;
        Assert.Multiple(() =>
        {
            // The last consent came at most one (jittered) interval before the loss.
            Assert.That(disconnectedAfter, Is.InRange(TimeSpan.FromSeconds(10) - TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(10)));
            Assert.That(failedAfter, Is.InRange(TimeSpan.FromSeconds(30) - TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(30)));
            Assert.That(a.Agent.SelectedPair, Is.Null);
            Assert.That(a.Events.OfType<IceSelectedPairEvent>().Last().Pair, Is.Null);
            Assert.That(a.Agent.IsValidSource(0, Ep("10.0.0.2", 6000)), Is.False);
        });

        // A sends no request of any kind once consent is lost, even when B's checks reach it again.
        int requests = a.RequestsSent;
        net.Drop = null;
        net.Advance(TimeSpan.FromSeconds(30));
        Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Failed));
        Assert.That(a.RequestsSent, Is.EqualTo(requests));
    }

    [Test]
    public void DisconnectedRecoversWhenConsentReturns()
    {
        var (net, a, b) = TwoPeers();
        ConnectSimple(net, a, b);

        net.Drop = (_, _, _) => true;
        Assert.That(net.RunUntil(() => a.Agent.State == RTCIceTransportState.Disconnected, TimeSpan.FromSeconds(20)), Is.True);
        net.Drop = null;
        Assert.That(net.RunUntil(() => a.Agent.State == RTCIceTransportState.Completed, TimeSpan.FromSeconds(15)), Is.True);
    }

    [Test]
    public void FullAgentAgainstLiteAgent()
    {
        // RFC 8445 §6.1.1: against a lite agent the full agent is controlling, whatever it was told.
        var (net, a, b) = TwoPeers(aControlling: false, bLite: true);
        OneBaseEachAndSignal(net, a, b);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.Multiple(() =>
        {
            Assert.That(a.Agent.Role, Is.EqualTo(RTCIceRole.Controlling));
            Assert.That(b.Agent.Role, Is.EqualTo(RTCIceRole.Controlled));
            Assert.That(b.Agent.SelectedPair!.Nominated, Is.True);
            Assert.That(b.Agent.Pairs.Sum(p => p.RequestsSent), Is.Zero, "a lite agent sends no checks");
        });
    }

    [Test]
    public void ChecksWithWrongCredentialsAreRefused()
    {
        var (net, a, b) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        b.AddBase(Ep("10.0.0.2", 6000));
        a.Agent.SetRemoteCredentials("bbbb", "not-the-password-of-bbbb-at-all");
        var c = b.Gathered[0];
        a.Agent.AddRemoteCandidate(c.Type, c.EndPoint, c.Priority, c.Foundation, net.Now);

        net.Advance(TimeSpan.FromSeconds(2));
        Assert.Multiple(() =>
        {
            Assert.That(b.Agent.RemoteCandidates, Is.Empty, "no prflx learned from an unauthenticated check");
            Assert.That(b.Agent.StunPacketsDropped, Is.GreaterThan(0));
            Assert.That(a.Agent.Pairs.Single().State, Is.EqualTo(IceCandidatePairState.Failed), "401 fails the pair");
        });
    }

    [Test]
    public void AnswersBindingRequestWithXorMappedAddressAndIntegrity()
    {
        var request = new StunMessage(StunMessageType.BindingRequest) { Username = "bbbb:pppp", Priority = 1234, IceControlling = 99 };
        byte[] bytes = request.ToArray(StunIntegrity.ShortTermKey("bbbb-password-0123456789abcdef"));
        var sent = new List<byte[]>();
        var agent = new IceAgent(Options("bbbb", controlling: false), (_, _, d) => sent.Add(d.ToArray()));
        agent.AddHostCandidate(0, Ep("10.0.0.2", 6000), 65535, TimeSpan.Zero);
        Assert.That(agent.HandleStun(0, Ep("192.0.2.7", 40000), bytes, TimeSpan.Zero), Is.True);

        Assert.That(sent, Has.Count.EqualTo(1));
        Assert.That(StunMessage.TryParse(sent[0], StunIntegrity.ShortTermKey("bbbb-password-0123456789abcdef"), out var parsed), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(parsed!.Type, Is.EqualTo(StunMessageType.BindingSuccess));
            Assert.That(parsed.TransactionId, Is.EqualTo(request.TransactionId));
            Assert.That(parsed.XorMappedAddress, Is.EqualTo(Ep("192.0.2.7", 40000)));
            Assert.That(parsed.HasFingerprint, Is.True);
            Assert.That(agent.RemoteCandidates.Single().Type, Is.EqualTo(RTCIceCandidateType.Prflx));
            Assert.That(agent.RemoteCandidates.Single().Priority, Is.EqualTo(1234u));
            Assert.That(agent.IsValidSource(0, Ep("192.0.2.7", 40000)), Is.True, "an authenticated peer may send data before our triggered check returns");
        });
    }

    [TestCase(null, 400)]
    [TestCase("zzzz:pppp", 401)]
    public void BadUsernameGetsAnError(string? username, int expected)
    {
        var sent = new List<byte[]>();
        var agent = new IceAgent(Options("bbbb", controlling: false), (_, _, d) => sent.Add(d.ToArray()));
        agent.AddHostCandidate(0, Ep("10.0.0.2", 6000), 65535, TimeSpan.Zero);
        var request = new StunMessage(StunMessageType.BindingRequest) { Username = username };
        byte[] bytes = request.ToArray(username is null ? default : StunIntegrity.ShortTermKey("whatever"));
        Assert.That(agent.HandleStun(0, Ep("192.0.2.7", 40000), bytes, TimeSpan.Zero), Is.False);
        Assert.That(StunMessage.TryParse(sent.Single(), out var error), Is.True);
        Assert.That(error!.ErrorCode!.Value.Code, Is.EqualTo(expected));
        Assert.That(agent.RemoteCandidates, Is.Empty);
        Assert.That(agent.IsValidSource(0, Ep("192.0.2.7", 40000)), Is.False);
    }

    [Test]
    public void RandomAndMutatedDatagramsNeverThrow()
    {
        var sent = new List<byte[]>();
        var agent = new IceAgent(Options("bbbb", controlling: false), (_, _, d) => sent.Add(d.ToArray()));
        agent.AddHostCandidate(0, Ep("10.0.0.2", 6000), 65535, TimeSpan.Zero);
        agent.SetRemoteCredentials("pppp", "pppp-password-0123456789abcdef");
        var valid = new StunMessage(StunMessageType.BindingRequest) { Username = "bbbb:pppp", Priority = 1, IceControlling = 5, UseCandidate = true }
            .ToArray(StunIntegrity.ShortTermKey("bbbb-password-0123456789abcdef"));
        var random = new Random(42);
        var remote = Ep("192.0.2.7", 40000);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = (byte[])valid.Clone();
                for (int k = random.Next(1, 4); k > 0; k--)
                {
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                }

                if (random.Next(4) == 0)
                {
                    data = data[..random.Next(data.Length)];
                }
            }
            else
            {
                data = new byte[random.Next(0, 200)];
                random.NextBytes(data);
                if (data.Length > 8 && random.Next(2) == 0)
                {
                    data[0] = 0;
                    data[4] = 0x21;
                    data[5] = 0x12;
                    data[6] = 0xA4;
                    data[7] = 0x42;
                }
            }

            agent.HandleStun(0, remote, data, TimeSpan.FromMilliseconds(i));
            if (i % 100 == 0)
            {
                agent.HandleTimeout(TimeSpan.FromMilliseconds(i));
            }
        }

        Assert.That(agent.StunPacketsDropped, Is.GreaterThan(10_000));
    }
}
