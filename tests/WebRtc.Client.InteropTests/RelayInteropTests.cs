using System.Text.Json.Nodes;
using WebRtc.Client.IntegrationTests.DataChannels;
using WebRtc.Client.IntegrationTests.Ice;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// Chromium and our RTCPeerConnection through a real coturn with iceTransportPolicy "relay" on
/// both sides, and over RFC 6544 TCP candidates when the kernel drops every UDP datagram.
/// </summary>
[NonParallelizable]
public sealed class RelayInteropTests
{
    private ForeignPeer? _chromium;

    [OneTimeTearDown]
    public async Task StopChromium()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }

    private async Task<ForeignPeer> ChromiumAsync() => _chromium ??= await ForeignPeer.StartAsync(ForeignPeer.Chromium);

    private static async Task<(RTCIceCandidateStats Local, RTCIceCandidateStats Remote)> SelectedPairAsync(RTCPeerConnection pc)
    {
        var report = await pc.GetStatsAsync();
        var transport = report.OfType<RTCTransportStats>().Single();
        var pair = report.OfType<RTCIceCandidatePairStats>().Single(p => p.Id == transport.SelectedCandidatePairId);
        var candidates = report.OfType<RTCIceCandidateStats>().ToDictionary(c => c.Id);
        return (candidates[pair.LocalCandidateId], candidates[pair.RemoteCandidateId]);
    }

    private static async Task EchoAsync(InteropCall call, Offerer offerer)
    {
        var channel = await DataChannelInteropTests.OpenChannelAsync(call, offerer, "relay");
        var inbox = new Inbox(channel);
        await DataChannelInteropTests.EchoBothWaysAsync(call, inbox, binary: true, size: 16 * 1024);
    }

    [Test]
    public async Task Chromium_RelayPolicyOnBothSides_DataChannelEcho([Values] Offerer offerer, [Values("udp", "tcp")] string transport)
    {
        await using var coturn = await CoturnServer.StartAsync();
        string url = $"turn:{coturn.EndPoint}?transport={transport}";
        var ours = new RTCConfiguration { IceServers = { new RTCIceServer(url, "test", "test") }, IceTransportPolicy = RTCIceTransportPolicy.Relay };
        var theirs = new JsonObject
        {
            ["iceServers"] = new JsonArray(new JsonObject { ["urls"] = url, ["username"] = "test", ["credential"] = "test" }),
            ["iceTransportPolicy"] = "relay",
        };
        await using var call = await InteropCall.StartAsync(await ChromiumAsync(), trickle: true, configuration: ours, foreignConfiguration: theirs);

        await EchoAsync(call, offerer);

        var (local, remote) = await SelectedPairAsync(call.Pc);
        Assert.Multiple(() =>
        {
            Assert.That(call.OfferSdp, Does.Not.Contain("typ host"), "no host candidate signaled by the offerer");
            Assert.That(local.CandidateType, Is.EqualTo("relay"));
            Assert.That(local.RelayProtocol, Is.EqualTo(transport));
            Assert.That(remote.CandidateType, Is.EqualTo("relay"), "Chromium's end is its relay too");
        });
    }

    [Test]
    public async Task Chromium_UdpBlocked_ConnectsOverIceTcp([Values] Offerer offerer)
    {
        const int MinPort = 47700, MaxPort = 47799;
        await using var block = await KernelPacketLoss.StartAsync(MinPort, MaxPort, percent: 100);
        await using var call = await InteropCall.StartAsync(await ChromiumAsync(), trickle: true, options: new RTCPeerConnectionOptions { MinPort = MinPort, MaxPort = MaxPort });

        await EchoAsync(call, offerer);

        var (local, remote) = await SelectedPairAsync(call.Pc);
        Assert.Multiple(() =>
        {
            Assert.That(local.Protocol, Is.EqualTo("tcp"));
            Assert.That(remote.Protocol, Is.EqualTo("tcp"));
        });
        Assert.That(await block.DroppedAsync(), Is.GreaterThan(0), "UDP checks were tried and dropped");
    }
}
