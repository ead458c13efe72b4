using System.Collections.Concurrent;
using System.Net;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Ice;
using WebRtc.Client.IntegrationTests.DataChannels;
using static WebRtc.Client.IntegrationTests.PeerConnection.PcEvents;

namespace WebRtc.Client.IntegrationTests.Ice;

/// <summary>
/// Two RTCPeerConnections through a real coturn (relay candidates over UDP and TCP) and over
/// RFC 6544 TCP candidates when UDP is dropped in the kernel.
/// </summary>
public class RelayAndTcpPeerConnectionTests
{
    private static Task GatheredAsync(RTCPeerConnection pc) =>
        Next<RTCIceGatheringState>(h => pc.IceGatheringStateChange += (_, s) => h(s), s => s == RTCIceGatheringState.Complete);

    /// <summary>Non-trickle offer/answer, then a data channel both ways; returns the offerer's selected pair.</summary>
    internal static async Task<(RTCIceCandidateStats Local, RTCIceCandidateStats Remote)> ConnectAndEchoAsync(RTCPeerConnection offerer, RTCPeerConnection answerer)
    {
        var local = offerer.CreateDataChannel("relay");
        var remote = RemoteChannel(answerer, "relay");
        var gathered = GatheredAsync(offerer);
        await offerer.SetLocalDescriptionAsync();
        await gathered;
        await answerer.SetRemoteDescriptionAsync(offerer.LocalDescription!);
        gathered = GatheredAsync(answerer);
        await answerer.SetLocalDescriptionAsync();
        await gathered;
        await offerer.SetRemoteDescriptionAsync(answerer.LocalDescription!);
        var channel = await remote;
        Assert.That(await Echo(local, channel, "through"), Is.EqualTo("through"));
        Assert.That(await Echo(channel, local, "and back"), Is.EqualTo("and back"));
        return await SelectedPairAsync(offerer);
    }

    internal static async Task<(RTCIceCandidateStats Local, RTCIceCandidateStats Remote)> SelectedPairAsync(RTCPeerConnection pc)
    {
        var report = await pc.GetStatsAsync();
        var transport = report.OfType<RTCTransportStats>().Single();
        var pair = report.OfType<RTCIceCandidatePairStats>().Single(p => p.Id == transport.SelectedCandidatePairId);
        var candidates = report.OfType<RTCIceCandidateStats>().ToDictionary(c => c.Id);
        return (candidates[pair.LocalCandidateId], candidates[pair.RemoteCandidateId]);
    }

    private static RTCPeerConnection RelayPeer(string url, string password = "test") => new(
        new RTCConfiguration { IceServers = { new RTCIceServer(url, "test", password) }, IceTransportPolicy = RTCIceTransportPolicy.Relay },
        new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback] });

    [TestCase("udp")]
    [TestCase("tcp")]
    public async Task RelayPolicy_BothSides_ConnectThroughCoturn(string transport)
    {
        await using var coturn = await CoturnServer.StartAsync();
        string url = $"turn:{coturn.EndPoint}?transport={transport}";
        await using var offerer = RelayPeer(url);
        await using var answerer = RelayPeer(url);

        var (local, remote) = await ConnectAndEchoAsync(offerer, answerer);

        Assert.Multiple(() =>
        {
            Assert.That(offerer.LocalDescription!.Sdp, Does.Contain("typ relay").And.Not.Contain("typ host").And.Not.Contain("typ srflx"));
            Assert.That(answerer.LocalDescription!.Sdp, Does.Contain("typ relay").And.Not.Contain("typ host"));
            Assert.That(local.CandidateType, Is.EqualTo("relay"));
            Assert.That(local.RelayProtocol, Is.EqualTo(transport));
            Assert.That(local.Url, Is.EqualTo(url));
            Assert.That(remote.CandidateType, Is.EqualTo("relay"));
        });
    }

    [Test]
    public async Task RelayPolicy_OnlyRelayIsUsed_EvenWhereHostWouldWork()
    {
        await using var coturn = await CoturnServer.StartAsync();
        await using var offerer = RelayPeer($"turn:{coturn.EndPoint}");
        // The answerer gathers everything; only the offerer insists on the relay.
        await using var answerer = new RTCPeerConnection(new RTCConfiguration(), new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback] });

        var (local, remote) = await ConnectAndEchoAsync(offerer, answerer);

        Assert.That(local.CandidateType, Is.EqualTo("relay"));
        Assert.That(remote.CandidateType, Is.AnyOf("host", "prflx"));
    }

    [Test]
    public async Task WrongPassword_Reports401WithTheUrl_AndGatheringCompletes()
    {
        await using var coturn = await CoturnServer.StartAsync();
        string url = $"turn:{coturn.EndPoint}";
        await using var pc = RelayPeer(url, password: "wrong");
        var errors = new ConcurrentQueue<IceCandidateErrorEvent>();
        pc.IceCandidateError += (_, e) => errors.Enqueue(e);
        pc.CreateDataChannel("x");
        var gathered = GatheredAsync(pc);
        await pc.SetLocalDescriptionAsync();
        await gathered;

        var error = errors.Single();
        Assert.Multiple(() =>
        {
            Assert.That(error.ErrorCode, Is.EqualTo(401));
            Assert.That(error.Url, Is.EqualTo(url));
            Assert.That(pc.LocalDescription!.Sdp, Does.Not.Contain("a=candidate"), "relay-only with no relay has no candidates");
        });
    }

    [Test]
    public async Task UnreachableTurnServerOverTcp_Reports701()
    {
        // A port nothing listens on: the TCP connection is refused at once.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        string url = $"turn:127.0.0.1:{port}?transport=tcp";
        await using var pc = RelayPeer(url);
        var errors = new ConcurrentQueue<IceCandidateErrorEvent>();
        pc.IceCandidateError += (_, e) => errors.Enqueue(e);
        pc.CreateDataChannel("x");
        var gathered = GatheredAsync(pc);
        await pc.SetLocalDescriptionAsync();
        await gathered;

        Assert.That(errors.Single().ErrorCode, Is.EqualTo(701));
        Assert.That(errors.Single().Url, Is.EqualTo(url));
    }

    [Test]
    public async Task TurnUrlWithoutCredentials_IsInvalidAccess()
    {
        Assert.Throws<InvalidAccessException>(() => _ = new RTCPeerConnection(new RTCConfiguration { IceServers = { new RTCIceServer("turn:127.0.0.1:3478") } }));
        Assert.Throws<FormatException>(() => _ = new RTCIceServer("turn:127.0.0.1:3478?transport=sctp", "u", "p"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task UdpBlocked_IceTcpConnects_AndUdpIsPreferredOtherwise()
    {
        const int MinPort = 47600, MaxPort = 47699;
        var options = new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback], MinPort = MinPort, MaxPort = MaxPort, IceTcp = true };

        // With UDP working, TCP candidates are there but UDP carries the call.
        await using (var offerer = new RTCPeerConnection(new RTCConfiguration(), options))
        await using (var answerer = new RTCPeerConnection(new RTCConfiguration(), options))
        {
            var (local, _) = await ConnectAndEchoAsync(offerer, answerer);
            Assert.That(offerer.LocalDescription!.Sdp, Does.Contain(" tcp ").And.Contain("tcptype passive").And.Contain("tcptype active"));
            Assert.That(local.Protocol, Is.EqualTo("udp"));
        }

        // Every UDP datagram to or from the range dropped in the kernel: only TCP is left.
        await using var block = await KernelPacketLoss.StartAsync(MinPort, MaxPort, percent: 100);
        await using var tcpOfferer = new RTCPeerConnection(new RTCConfiguration(), options);
        await using var tcpAnswerer = new RTCPeerConnection(new RTCConfiguration(), options);
        var (tcpLocal, tcpRemote) = await ConnectAndEchoAsync(tcpOfferer, tcpAnswerer);
        Assert.Multiple(() =>
        {
            Assert.That(tcpLocal.Protocol, Is.EqualTo("tcp"));
            Assert.That(tcpRemote.Protocol, Is.EqualTo("tcp"));
        });
        Assert.That(await block.DroppedAsync(), Is.GreaterThan(0), "UDP checks were sent and dropped");

        // A bigger transfer over the TCP pair arrives whole and in order.
        var sent = new byte[4 << 20];
        Random.Shared.NextBytes(sent);
        var (local2, remote2) = await OpenChannelAsync(tcpOfferer, tcpAnswerer, "bulk");
        var received = new MemoryStream();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote2.MessageReceived += (_, m) =>
        {
            lock (received)
            {
                received.Write(m.Data.Span);
                if (received.Length == sent.Length)
                {
                    done.TrySetResult();
                }
            }
        };
        for (int offset = 0; offset < sent.Length; offset += 64 * 1024)
        {
            while (local2.BufferedAmount > 1 << 20)
            {
                await Task.Delay(5);
            }

            local2.Send(sent.AsSpan(offset, 64 * 1024));
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(received.ToArray().AsSpan().SequenceEqual(sent), Is.True);
    }

    private static async Task<(RTCDataChannel Local, RTCDataChannel Remote)> OpenChannelAsync(RTCPeerConnection offerer, RTCPeerConnection answerer, string label)
    {
        var remote = RemoteChannel(answerer, label);
        var local = offerer.CreateDataChannel(label);
        var opened = Next<bool>(h => local.Open += (_, _) => h(true));
        if (local.ReadyState != RTCDataChannelState.Open)
        {
            await opened;
        }

        return (local, await remote);
    }
}
