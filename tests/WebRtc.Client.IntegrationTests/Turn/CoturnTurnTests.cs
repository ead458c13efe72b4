using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using WebRtc.Client.IntegrationTests.Ice;
using WebRtc.Client.Stun;
using WebRtc.Client.Turn;

namespace WebRtc.Client.IntegrationTests.Turn;

/// <summary>The TURN client against a real coturn on loopback, each step checked in coturn's own log.</summary>
public class CoturnTurnTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Test]
    public async Task AllocatesRelaysBothWaysRefreshesAndReleases()
    {
        await using var coturn = await CoturnServer.StartAsync();
        await using var loop = new TurnUdpLoop(coturn.EndPoint);
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var peerEndPoint = (IPEndPoint)peer.Client.LocalEndPoint!;

        loop.Do((c, now) => c.Allocate(now));
        var allocated = await loop.WaitForEventAsync<TurnAllocatedEvent>(Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(allocated.RelayedAddress.Address, Is.EqualTo(IPAddress.Loopback), "coturn's --relay-ip");
            Assert.That(allocated.RelayedAddress.Port, Is.Not.EqualTo(coturn.EndPoint.Port));
            Assert.That(allocated.MappedAddress, Is.EqualTo(loop.LocalEndPoint), "no NAT on loopback");
            Assert.That(allocated.Lifetime, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(loop.Client.State, Is.EqualTo(TurnClientState.Allocated));
        });
        await coturn.WaitForLogAsync("ALLOCATE processed, success", Timeout);
        await coturn.WaitForLogAsync("new, realm=<test>, username=<test>, lifetime=600", Timeout);

        // Hold the ChannelBind back (a lossy link) so the first data goes as Send indications.
        loop.HoldChannelBind = true;
        loop.Do((c, now) => c.AddPeer(peerEndPoint, now));
        await coturn.WaitForLogAsync("CREATE_PERMISSION processed, success", Timeout);

        Assert.That(loop.SendToPeer(peerEndPoint, "via send indication"u8), Is.True);
        var atPeer = await peer.ReceiveAsync().WaitAsync(Timeout);
        Assert.That(atPeer.Buffer, Is.EqualTo("via send indication"u8.ToArray()));
        Assert.That(atPeer.RemoteEndPoint, Is.EqualTo(allocated.RelayedAddress), "the peer sees the relayed address");
        await peer.SendAsync("back as data indication"u8.ToArray(), allocated.RelayedAddress);
        var fromPeer = await loop.ReceiveFromPeerAsync(Timeout);
        Assert.That(fromPeer.Peer, Is.EqualTo(peerEndPoint));
        Assert.That(fromPeer.Data, Is.EqualTo("back as data indication"u8.ToArray()));
        Assert.That(loop.Client.SendIndicationsSent, Is.EqualTo(1));
        Assert.That(loop.Client.DataIndicationsReceived, Is.EqualTo(1));

        // Let the ChannelBind through: its next retransmission binds the channel.
        int mark = coturn.LogLineCount;
        loop.HoldChannelBind = false;
        var ready = await loop.WaitForEventAsync<TurnPeerReadyEvent>(Timeout);
        Assert.That(ready, Is.EqualTo(new TurnPeerReadyEvent(peerEndPoint, 0x4000)));
        await coturn.WaitForLogAsync("CHANNEL_BIND processed, success", Timeout, mark);

        Assert.That(loop.SendToPeer(peerEndPoint, "via channel data"u8), Is.True);
        atPeer = await peer.ReceiveAsync().WaitAsync(Timeout);
        Assert.That(atPeer.Buffer, Is.EqualTo("via channel data"u8.ToArray()));
        await peer.SendAsync("back as channel data"u8.ToArray(), allocated.RelayedAddress);
        fromPeer = await loop.ReceiveFromPeerAsync(Timeout);
        Assert.That(fromPeer.Peer, Is.EqualTo(peerEndPoint));
        Assert.That(fromPeer.Data, Is.EqualTo("back as channel data"u8.ToArray()));
        Assert.Multiple(() =>
        {
            Assert.That(loop.Client.ChannelDataSent, Is.EqualTo(1));
            Assert.That(loop.Client.ChannelDataReceived, Is.EqualTo(1));
            Assert.That(loop.Client.SendIndicationsSent, Is.EqualTo(1), "no Send indications once bound");
            Assert.That(loop.Client.MessagesDropped, Is.Zero);
        });

        // Nine minutes on: the allocation refresh, the permission refresh and the channel rebind are all due.
        mark = coturn.LogLineCount;
        loop.Skip(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(1));
        await coturn.WaitForLogAsync("REFRESH processed, success", Timeout, mark);
        await coturn.WaitForLogAsync("CREATE_PERMISSION processed, success", Timeout, mark);
        await coturn.WaitForLogAsync("CHANNEL_BIND processed, success", Timeout, mark);
        await coturn.WaitForLogAsync("refreshed, realm=<test>, username=<test>, lifetime=600", Timeout, mark);
        Assert.That(loop.Client.State, Is.EqualTo(TurnClientState.Allocated));

        mark = coturn.LogLineCount;
        loop.Do((c, now) => c.Release(now));
        await loop.WaitForEventAsync<TurnReleasedEvent>(Timeout);
        Assert.That(loop.Client.State, Is.EqualTo(TurnClientState.Released));
        // coturn's own words for a deleted allocation.
        await coturn.WaitForLogAsync("refreshed, realm=<test>, username=<test>, lifetime=0", Timeout, mark);
    }

    [Test]
    public async Task WrongPassword_Is401()
    {
        await using var coturn = await CoturnServer.StartAsync();
        await using var loop = new TurnUdpLoop(coturn.EndPoint, password: "not-the-password");
        loop.Do((c, now) => c.Allocate(now));
        var error = await loop.WaitForEventAsync<TurnErrorEvent>(Timeout);
        Assert.That(error.Method, Is.EqualTo(StunMethod.Allocate));
        Assert.That(error.ErrorCode, Is.EqualTo(401));
        Assert.That(loop.Client.State, Is.EqualTo(TurnClientState.Failed));
        await coturn.WaitForLogAsync("check_stun_auth: user test credentials are incorrect", Timeout);
    }

    [Test]
    public async Task UserQuotaReached_Is486()
    {
        await using var coturn = await CoturnServer.StartAsync(new CoturnOptions { UserQuota = 1 });
        await using var first = new TurnUdpLoop(coturn.EndPoint);
        await using var second = new TurnUdpLoop(coturn.EndPoint);
        first.Do((c, now) => c.Allocate(now));
        await first.WaitForEventAsync<TurnAllocatedEvent>(Timeout);

        second.Do((c, now) => c.Allocate(now));
        var error = await second.WaitForEventAsync<TurnErrorEvent>(Timeout);
        Assert.That(error.Method, Is.EqualTo(StunMethod.Allocate));
        Assert.That(error.ErrorCode, Is.EqualTo(486));
        Assert.That(second.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(first.Client.State, Is.EqualTo(TurnClientState.Allocated));
        await coturn.WaitForLogAsync("ALLOCATE processed, error 486: Allocation Quota Reached", Timeout);
    }

    [Test]
    public async Task TlsListener_AcceptsAHandshakeWithTheFixtureCertificate_AndAnswersTurn()
    {
        await using var coturn = await CoturnServer.StartAsync(new CoturnOptions { Tls = true });
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(coturn.TlsEndPoint!).WaitAsync(Timeout);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString() == coturn.Certificate!.GetCertHashString());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Timeout);
        Assert.That(tls.IsAuthenticated, Is.True);

        // An Allocate over the TLS stream, cut back out with the client's stream framing: the 401 challenge.
        var sent = new List<byte[]>();
        var client = new TurnClient(
            new TurnClientOptions { Server = coturn.TlsEndPoint!, Username = "test", Password = "test", Transport = TurnTransportProtocol.Tls },
            m => sent.Add(m.ToArray()));
        client.Allocate(TimeSpan.Zero);
        await tls.WriteAsync(sent[0]);
        byte[] frame = await ReadFrameAsync(tls);
        Assert.That(client.HandleServerMessage(frame, TimeSpan.Zero), Is.True);
        Assert.That(sent, Has.Count.EqualTo(2), "the 401 was taken and the signed Allocate built");
        await tls.WriteAsync(sent[1]);
        Assert.That(client.HandleServerMessage(await ReadFrameAsync(tls), TimeSpan.Zero), Is.True);
        Assert.That(client.PollEvent(out var e), Is.True);
        Assert.That(e, Is.TypeOf<TurnAllocatedEvent>());
        Assert.That(client.State, Is.EqualTo(TurnClientState.Allocated));
    }

    private static async Task<byte[]> ReadFrameAsync(Stream stream)
    {
        var header = new byte[4];
        await stream.ReadExactlyAsync(header).AsTask().WaitAsync(Timeout);
        int length = TurnClient.GetStreamFrameLength(header);
        Assert.That(length, Is.GreaterThanOrEqualTo(4));
        var frame = new byte[length];
        header.CopyTo(frame, 0);
        await stream.ReadExactlyAsync(frame.AsMemory(4)).AsTask().WaitAsync(Timeout);
        return frame;
    }
}
