using System.Net;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Tests.Ice;

/// <summary>The agent with TCP (RFC 6544) and relay (RFC 8656) bases, on the virtual network.</summary>
public class IceAgentTcpRelayTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static IceAgentOptions Options(string ufrag, bool controlling, int seed) => new()
    {
        LocalUfrag = ufrag,
        LocalPassword = ufrag + "-password-0123456789abcdef",
        Controlling = controlling,
        Random = new Random(seed),
    };

    private static IPEndPoint Ep(string address, int port) => new(IPAddress.Parse(address), port);

    private static (VirtualNetwork Net, VirtualNetwork.Peer A, VirtualNetwork.Peer B) TwoPeers(bool aControlling = true)
    {
        var net = new VirtualNetwork();
        return (net, net.AddPeer("A", Options("aaaa", aControlling, 1)), net.AddPeer("B", Options("bbbb", !aControlling, 2)));
    }

    private static void Signal(VirtualNetwork net, VirtualNetwork.Peer a, VirtualNetwork.Peer b)
    {
        a.Agent.EndOfLocalCandidates(net.Now);
        b.Agent.EndOfLocalCandidates(net.Now);
        a.SignalTo(b);
        b.SignalTo(a);
    }

    private static bool Completed(VirtualNetwork.Peer p) => p.Agent.State == RTCIceTransportState.Completed;

    [Test]
    public void TcpCandidatesRenderWithTcpTypeAndActiveUsesPortNine()
    {
        var (_, a, _) = TwoPeers();
        a.AddTcpBase(Ep("10.0.0.1", 7000), RTCIceTcpCandidateType.Passive);
        a.AddTcpBase(Ep("10.0.0.1", 40001), RTCIceTcpCandidateType.Active);
        var passive = a.Gathered[0].ToRTCIceCandidate("aaaa");
        var active = a.Gathered[1].ToRTCIceCandidate("aaaa");
        Assert.Multiple(() =>
        {
            Assert.That(passive.Protocol, Is.EqualTo(RTCIceProtocol.Tcp));
            Assert.That(passive.TcpType, Is.EqualTo(RTCIceTcpCandidateType.Passive));
            Assert.That(passive.Port, Is.EqualTo(7000));
            Assert.That(passive.Candidate, Does.Contain(" tcp ").And.Contain("tcptype passive"));
            // RFC 6544 §4.5: an active candidate's port is 9 (discard).
            Assert.That(active.Port, Is.EqualTo(9));
            Assert.That(active.TcpType, Is.EqualTo(RTCIceTcpCandidateType.Active));
            // RFC 6544 §4.2: active 6, passive 4 in the direction bits; both below UDP host candidates.
            Assert.That(active.Priority, Is.GreaterThan(passive.Priority));
            Assert.That(RTCIceCandidate.Parse(passive.Candidate), Is.EqualTo(passive));
        });
    }

    [Test]
    public void PriorityOrderIsUdpHostThenTcpHostThenRelay()
    {
        var (_, a, _) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        a.AddTcpBase(Ep("10.0.0.1", 7000), RTCIceTcpCandidateType.Passive);
        a.AddRelayBase(Ep("10.9.0.1", 50000), Ep("10.8.0.1", 5000), RTCIceServerTransportProtocol.Udp);
        a.AddRelayBase(Ep("10.9.0.1", 50001), Ep("10.8.0.1", 5001), RTCIceServerTransportProtocol.Tcp);
        a.AddRelayBase(Ep("10.9.0.1", 50002), Ep("10.8.0.1", 5002), RTCIceServerTransportProtocol.Tls);
        var p = a.Gathered.Select(c => c.Priority).ToArray();
        Assert.That(p, Is.Ordered.Descending);
        Assert.That(p.Distinct().Count(), Is.EqualTo(p.Length));
    }

    [Test]
    public void TcpPairsFollowRfc6544AndNeverMixWithUdp()
    {
        var (net, a, b) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        a.AddTcpBase(Ep("10.0.0.1", 40001), RTCIceTcpCandidateType.Active);
        a.AddTcpBase(Ep("10.0.0.1", 7000), RTCIceTcpCandidateType.Passive);
        b.AddBase(Ep("10.0.0.2", 6000));
        b.AddTcpBase(Ep("10.0.0.2", 8000), RTCIceTcpCandidateType.Passive);
        b.AddTcpBase(Ep("10.0.0.2", 40002), RTCIceTcpCandidateType.Active);
        b.SignalTo(a);

        var pairs = a.Agent.Pairs.Select(p => (p.Local.Protocol, p.Local.TcpType, p.Remote.Protocol, p.Remote.TcpType)).ToList();
        Assert.That(pairs, Is.EquivalentTo(new[]
        {
            (RTCIceProtocol.Udp, (RTCIceTcpCandidateType?)null, RTCIceProtocol.Udp, (RTCIceTcpCandidateType?)null),
            // Our active side connects to their passive side; our passive side waits for their connection.
            (RTCIceProtocol.Tcp, RTCIceTcpCandidateType.Active, RTCIceProtocol.Tcp, RTCIceTcpCandidateType.Passive),
        }));
        Assert.That(net.Now, Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void TcpOnlyPeersConnectThroughActiveToPassive(bool activeSideControls)
    {
        var (net, a, b) = TwoPeers(aControlling: activeSideControls);
        a.AddTcpBase(Ep("10.0.0.1", 40001), RTCIceTcpCandidateType.Active);
        b.AddTcpBase(Ep("10.0.0.2", 8000), RTCIceTcpCandidateType.Passive);
        Signal(net, a, b);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.Multiple(() =>
        {
            Assert.That(a.Agent.SelectedPair!.Local.TcpType, Is.EqualTo(RTCIceTcpCandidateType.Active));
            Assert.That(a.Agent.SelectedPair.RemoteEndPoint, Is.EqualTo(Ep("10.0.0.2", 8000)));
            // The passive side learned the connection's real source as a peer-reflexive active candidate.
            Assert.That(b.Agent.SelectedPair!.Remote.Type, Is.EqualTo(RTCIceCandidateType.Prflx));
            Assert.That(b.Agent.SelectedPair.Remote.Protocol, Is.EqualTo(RTCIceProtocol.Tcp));
            Assert.That(b.Agent.SelectedPair.Remote.TcpType, Is.EqualTo(RTCIceTcpCandidateType.Active));
            Assert.That(b.Agent.SelectedPair.RemoteEndPoint, Is.EqualTo(Ep("10.0.0.1", 40001)));
        });
    }

    [Test]
    public void UdpIsChosenOverTcpWhenBothWork()
    {
        var (net, a, b) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        a.AddTcpBase(Ep("10.0.0.1", 40001), RTCIceTcpCandidateType.Active);
        b.AddBase(Ep("10.0.0.2", 6000));
        b.AddTcpBase(Ep("10.0.0.2", 8000), RTCIceTcpCandidateType.Passive);
        Signal(net, a, b);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True);
        Assert.That(a.Agent.SelectedPair!.Local.Protocol, Is.EqualTo(RTCIceProtocol.Udp));
    }

    [Test]
    public void TcpIsTheFallbackWhenUdpIsBlocked()
    {
        var (net, a, b) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        a.AddTcpBase(Ep("10.0.0.1", 40001), RTCIceTcpCandidateType.Active);
        b.AddBase(Ep("10.0.0.2", 6000));
        b.AddTcpBase(Ep("10.0.0.2", 8000), RTCIceTcpCandidateType.Passive);
        net.Drop = (from, to, _) => from.Port is 5000 or 6000 || to.Port is 5000 or 6000;
        Signal(net, a, b);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), TimeSpan.FromSeconds(30)), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.That(a.Agent.SelectedPair!.Local.Protocol, Is.EqualTo(RTCIceProtocol.Tcp));
        Assert.That(b.Agent.SelectedPair!.Local.Protocol, Is.EqualTo(RTCIceProtocol.Tcp));
    }

    [Test]
    public void RelayCandidateCarriesMappedAddressAndUrl()
    {
        var (_, a, _) = TwoPeers();
        a.AddRelayBase(Ep("10.9.0.1", 50000), Ep("203.0.113.7", 41000), RTCIceServerTransportProtocol.Tcp);
        var local = a.Gathered.Single();
        var rtc = local.ToRTCIceCandidate("aaaa");
        Assert.Multiple(() =>
        {
            Assert.That(rtc.Type, Is.EqualTo(RTCIceCandidateType.Relay));
            Assert.That(rtc.Protocol, Is.EqualTo(RTCIceProtocol.Udp), "a TURN relay relays UDP whatever the way to the server");
            // RFC 8839 §5.1: raddr/rport of a relayed candidate is the mapped address.
            Assert.That((rtc.RelatedAddress, rtc.RelatedPort), Is.EqualTo(("203.0.113.7", (int?)41000)));
            Assert.That(local.RelayProtocol, Is.EqualTo(RTCIceServerTransportProtocol.Tcp));
            Assert.That(local.Url, Is.EqualTo("turn:test"));
            Assert.That(rtc.Priority >> 24, Is.Zero, "RFC 8445 §5.1.2.2 relay type preference 0");
        });
    }

    [Test]
    public void GatheringWaitsForPendingRelays()
    {
        var (net, a, _) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        a.Agent.BeginRelayGathering();
        a.Agent.BeginRelayGathering();
        a.Agent.EndOfLocalCandidates(net.Now);
        Assert.That(a.Agent.GatheringState, Is.EqualTo(RTCIceGatheringState.Gathering));
        a.AddRelayBase(Ep("10.9.0.1", 50000), Ep("10.8.0.1", 5000));
        Assert.That(a.Agent.GatheringState, Is.EqualTo(RTCIceGatheringState.Gathering));
        a.Agent.RelayGatheringFailed(net.Now);
        Assert.That(a.Agent.GatheringState, Is.EqualTo(RTCIceGatheringState.Complete));
    }

    [Test]
    public void RelayOnlyPeerConnectsThroughItsRelay()
    {
        // iceTransportPolicy "relay": A has only a relay base; B has a host candidate.
        var (net, a, b) = TwoPeers();
        a.AddRelayBase(Ep("10.9.0.1", 50000), Ep("10.8.0.1", 5000));
        b.AddBase(Ep("10.0.0.2", 6000));
        Signal(net, a, b);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.Multiple(() =>
        {
            Assert.That(a.Agent.SelectedPair!.Local.Type, Is.EqualTo(RTCIceCandidateType.Relay));
            Assert.That(b.Agent.SelectedPair!.RemoteEndPoint, Is.EqualTo(Ep("10.9.0.1", 50000)));
            Assert.That(b.Agent.SelectedPair.Remote.Type, Is.EqualTo(RTCIceCandidateType.Relay));
        });
    }

    [Test]
    public void UdpRemoteWithSameAddressAsTcpRemoteStaysDistinct()
    {
        var (net, a, _) = TwoPeers();
        a.AddBase(Ep("10.0.0.1", 5000));
        a.Agent.AddRemoteCandidate(RTCIceCandidateType.Host, Ep("10.0.0.2", 6000), 100, "1", net.Now);
        var tcp = a.Agent.AddRemoteCandidate(RTCIceCandidateType.Host, Ep("10.0.0.2", 6000), 90, "2", net.Now, RTCIceProtocol.Tcp, RTCIceTcpCandidateType.Passive);
        var noType = a.Agent.AddRemoteCandidate(RTCIceCandidateType.Host, Ep("10.0.0.3", 6000), 90, "3", net.Now, RTCIceProtocol.Tcp);
        Assert.Multiple(() =>
        {
            Assert.That(tcp, Is.Not.Null);
            Assert.That(noType, Is.Null, "a TCP candidate without tcptype is unusable");
            Assert.That(a.Agent.RemoteCandidates, Has.Count.EqualTo(2));
        });
    }
}
