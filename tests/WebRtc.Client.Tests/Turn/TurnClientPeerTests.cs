using System.Net;
using WebRtc.Client.Stun;
using WebRtc.Client.Turn;
using static WebRtc.Client.Tests.Turn.ScriptedTurnServer;

namespace WebRtc.Client.Tests.Turn;

/// <summary>Permissions, channels and the data path (RFC 8656 §9, §11, §12) against a scripted server.</summary>
public class TurnClientPeerTests
{
    private static readonly IPEndPoint PeerA = new(IPAddress.Parse("203.0.113.5"), 5000);
    private static readonly IPEndPoint PeerA2 = new(IPAddress.Parse("203.0.113.5"), 5002);
    private static readonly IPEndPoint PeerB = new(IPAddress.Parse("203.0.113.9"), 6000);
    private static readonly IPEndPoint PeerV6 = new(IPAddress.Parse("2001:db8::9"), 6000);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Test]
    public void AddPeer_BeforeAllocation_IsQueued_ThenPermissionAndChannelBind()
    {
        var server = new ScriptedTurnServer();
        server.Client.AddPeer(PeerA, S(0));
        Assert.That(server.Sent, Is.Empty, "nothing before Allocate");
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        Assert.That(server.SentSince(0, StunMethod.CreatePermission), Is.Empty, "nothing before the allocation");
        int mark = server.Sent.Count;
        server.Deliver(AllocateSuccess(server.Last), S(1));

        var permission = server.SentSince(mark, StunMethod.CreatePermission).Single();
        var bind = server.SentSince(mark, StunMethod.ChannelBind).Single();
        Assert.Multiple(() =>
        {
            Assert.That(XorAddressOf(permission, StunAttributeType.XorPeerAddress), Is.EqualTo(PeerA));
            Assert.That(VerifiesWith(permission, Key()), Is.True);
            Assert.That(XorAddressOf(bind, StunAttributeType.XorPeerAddress), Is.EqualTo(PeerA));
            Assert.That(UInt32Of(bind, StunAttributeType.ChannelNumber), Is.EqualTo(0x40000000u), "channel 0x4000 then RFFU");
            Assert.That(VerifiesWith(bind, Key()), Is.True);
        });

        server.Deliver(Success(permission), S(1.1));
        Assert.That(server.Client.IsChannelBound(PeerA), Is.False);
        server.Deliver(Success(bind), S(1.2));
        Assert.That(server.Client.IsChannelBound(PeerA), Is.True);
        var events = server.DrainEvents();
        Assert.That(events, Is.EqualTo(new TurnClientEvent[] { new TurnAllocatedEvent(Relayed, Mapped, S(600)), new TurnPeerReadyEvent(PeerA, 0x4000) }));
    }

    [Test]
    public void AddPeer_IsIdempotent_OnePermissionPerAddress_OneChannelPerTransportAddress()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        int mark = server.Sent.Count;
        server.Client.AddPeer(PeerA, S(1));
        server.Client.AddPeer(PeerA, S(1));
        server.Client.AddPeer(PeerA2, S(1));
        server.Client.AddPeer(PeerB, S(1));

        var permissions = server.SentSince(mark, StunMethod.CreatePermission);
        var binds = server.SentSince(mark, StunMethod.ChannelBind);
        Assert.That(permissions.Select(p => XorAddressOf(p, StunAttributeType.XorPeerAddress)!.Address), Is.EqualTo(new[] { PeerA.Address, PeerB.Address }));
        Assert.That(binds.Select(b => XorAddressOf(b, StunAttributeType.XorPeerAddress)), Is.EqualTo(new[] { PeerA, PeerA2, PeerB }));
        Assert.That(binds.Select(b => UInt32Of(b, StunAttributeType.ChannelNumber)! >> 16), Is.EqualTo(new uint[] { 0x4000, 0x4001, 0x4002 }));
    }

    [Test]
    public void PermissionAndChannel_AreRefreshedBeforeTheyExpire()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0), lifetime: 3600);
        server.Client.AddPeer(PeerA, S(10));
        server.Deliver(Success(server.SentSince(0, StunMethod.CreatePermission).Single()), S(10));
        server.Deliver(Success(server.SentSince(0, StunMethod.ChannelBind).Single()), S(10));
        server.DrainEvents();

        // RFC 8656 §9: permissions last 300 s, refreshed at 240 s; §12: channels 600 s, rebound at 540 s.
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(250)));
        int mark = server.Sent.Count;
        server.Client.HandleTimeout(S(249));
        Assert.That(server.Sent, Has.Count.EqualTo(mark));
        server.Client.HandleTimeout(S(250));
        var permission = server.SentSince(mark, StunMethod.CreatePermission).Single();
        Assert.That(XorAddressOf(permission, StunAttributeType.XorPeerAddress), Is.EqualTo(PeerA));
        server.Deliver(Success(permission), S(250.1));
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(490.1)));

        server.Client.HandleTimeout(S(490.1));
        server.Deliver(Success(server.Last), S(490.2));
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(550)), "the channel's rebind comes next");
        mark = server.Sent.Count;
        server.Client.HandleTimeout(S(550));
        var rebind = server.SentSince(mark, StunMethod.ChannelBind).Single();
        Assert.That(UInt32Of(rebind, StunAttributeType.ChannelNumber), Is.EqualTo(0x40000000u), "the same channel");
        Assert.That(XorAddressOf(rebind, StunAttributeType.XorPeerAddress), Is.EqualTo(PeerA));
        server.Deliver(Success(rebind), S(550.1));
        Assert.That(server.DrainEvents(), Is.Empty, "a rebind is not a new PeerReady");
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(730.2)));
    }

    [Test]
    public void PermissionFailure_IsReportedWithThePeer_AndNotRetried()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(PeerA, S(1));
        server.Deliver(Error(server.SentSince(0, StunMethod.CreatePermission).Single(), 403, "Forbidden", Key()), S(1));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnErrorEvent(StunMethod.CreatePermission, 403, "Forbidden", PeerA) }));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocated));

        server.Deliver(Error(server.SentSince(0, StunMethod.ChannelBind).Single(), 403, "Forbidden", Key()), S(1));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnErrorEvent(StunMethod.ChannelBind, 403, "Forbidden", PeerA) }));
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(540)), "only the allocation refresh is left");
    }

    [Test]
    public void ChannelBind_StaleNonce_RetriedWithTheSameChannel()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(PeerA, S(1));
        var bind = server.SentSince(0, StunMethod.ChannelBind).Single();
        server.Deliver(Challenge(bind, 438, "nonce-two"), S(1));
        var retry = server.Last;
        Assert.That(UInt32Of(retry, StunAttributeType.ChannelNumber), Is.EqualTo(0x40000000u));
        Assert.That(StringOf(retry, StunAttributeType.Nonce), Is.EqualTo("nonce-two"));
        server.Deliver(Success(retry), S(1.1));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnPeerReadyEvent(PeerA, 0x4000) }));
    }

    [TestCase(TurnTransportProtocol.Udp)]
    [TestCase(TurnTransportProtocol.Tcp)]
    public void WrapForPeer_SendIndicationBeforeTheBind_ChannelDataAfter(TurnTransportProtocol transport)
    {
        var server = new ScriptedTurnServer(transport);
        server.Allocate(S(0));
        server.Client.AddPeer(PeerA, S(1));
        byte[] data = [1, 2, 3, 4, 5];
        var buffer = new byte[200];

        int length = server.Client.WrapForPeer(PeerA, data, buffer);
        byte[] indication = buffer[..length];
        Assert.Multiple(() =>
        {
            Assert.That(TypeOf(indication), Is.EqualTo(new StunMessageType(StunMethod.Send, StunClass.Indication)));
            Assert.That(XorAddressOf(indication, StunAttributeType.XorPeerAddress), Is.EqualTo(PeerA));
            Assert.That(StunReader.TryParse(indication, out var r, out _) && r.TryGetAttribute(StunAttributeType.Data, out var d) && d.SequenceEqual(data), Is.True);
            // RFC 8656 §11.1: indications cannot be authenticated.
            Assert.That(HasAttribute(indication, StunAttributeType.MessageIntegrity), Is.False);
            Assert.That(server.Client.SendIndicationsSent, Is.EqualTo(1));
        });

        server.Deliver(Success(server.SentSince(0, StunMethod.ChannelBind).Single()), S(1));
        length = server.Client.WrapForPeer(PeerA, data, buffer);
        // RFC 8656 §12.5: over TCP padded to a multiple of 4, over UDP not.
        byte[] expected = transport == TurnTransportProtocol.Udp
            ? [0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5]
            : [0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0];
        Assert.That(buffer[..length], Is.EqualTo(expected));
        Assert.That(server.Client.ChannelDataSent, Is.EqualTo(1));
        Assert.That(server.Client.SendIndicationsSent, Is.EqualTo(1), "no Send indications once bound");
    }

    [Test]
    public void WrapForPeer_UnknownPeerOrShortDestination_IsMinusOne_AndMaxOverheadIsEnough()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(PeerV6, S(1));
        byte[] data = new byte[1001];
        Assert.That(server.Client.WrapForPeer(PeerB, data, new byte[2000]), Is.EqualTo(-1), "never added");
        Assert.That(server.Client.WrapForPeer(PeerV6, data, new byte[data.Length + TurnClient.MaxOverhead - 1]), Is.EqualTo(-1));
        // The worst case: a Send indication to an IPv6 peer with 3 bytes of padding.
        Assert.That(server.Client.WrapForPeer(PeerV6, data, new byte[data.Length + TurnClient.MaxOverhead]), Is.EqualTo(data.Length + TurnClient.MaxOverhead));
        Assert.That(TurnClient.MaxOverhead, Is.EqualTo(51));
    }

    [Test]
    public void TryUnwrap_ChannelData_WithAndWithoutPadding()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(PeerA, S(1));
        server.Client.AddPeer(PeerB, S(1));

        Assert.That(server.Client.TryUnwrap([0x40, 0x01, 0x00, 0x03, 7, 8, 9], out var peer, out var data), Is.True);
        Assert.That(peer, Is.SameAs(PeerB));
        Assert.That(data.ToArray(), Is.EqualTo(new byte[] { 7, 8, 9 }));
        Assert.That(server.Client.TryUnwrap([0x40, 0x00, 0x00, 0x03, 7, 8, 9, 0], out peer, out data), Is.True, "padded");
        Assert.That(peer, Is.SameAs(PeerA));
        Assert.That(data.Length, Is.EqualTo(3));
        Assert.That(server.Client.TryUnwrap([0x40, 0x00, 0x00, 0x00], out _, out data), Is.True, "empty data");
        Assert.That(data.IsEmpty, Is.True);
        Assert.That(server.Client.ChannelDataReceived, Is.EqualTo(3));

        Assert.That(server.Client.TryUnwrap([0x40, 0x00, 0x00, 0x04, 7, 8, 9], out _, out _), Is.False, "length overruns");
        Assert.That(server.Client.TryUnwrap([0x40, 0x00, 0x00, 0x01, 7, 8, 9, 0, 0], out _, out _), Is.False, "more than 3 bytes of padding");
        Assert.That(server.Client.TryUnwrap([0x40, 0x05, 0x00, 0x01, 7], out _, out _), Is.False, "unknown channel");
        Assert.That(server.Client.TryUnwrap([0x50, 0x00, 0x00, 0x01, 7], out _, out _), Is.False, "reserved channel range");
        Assert.That(server.Client.TryUnwrap([0x40, 0x00, 0x00], out _, out _), Is.False, "short header");
        Assert.That(server.Client.MessagesDropped, Is.EqualTo(4));
    }

    [Test]
    public void TryUnwrap_DataIndication_GivesPeerAndData_AndLeavesResponsesAlone()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(PeerA, S(1));
        var buffer = new byte[200];
        var writer = new StunWriter(buffer, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, PeerA);
        writer.AddAttribute(StunAttributeType.Data, [9, 8, 7, 6, 5]);
        byte[] indication = writer.Written.ToArray();

        Assert.That(server.Client.TryUnwrap(indication, out var peer, out var data), Is.True);
        Assert.That(peer, Is.EqualTo(PeerA));
        Assert.That(data.ToArray(), Is.EqualTo(new byte[] { 9, 8, 7, 6, 5 }));
        Assert.That(server.Client.DataIndicationsReceived, Is.EqualTo(1));

        // A Data indication from a peer never added (the server checked its permission) still unwraps.
        writer = new StunWriter(buffer, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, PeerB);
        writer.AddAttribute(StunAttributeType.Data, [1]);
        Assert.That(server.Client.TryUnwrap(writer.Written, out peer, out _), Is.True);
        Assert.That(peer, Is.EqualTo(PeerB));

        // Without DATA it is malformed; a response is not the data path's.
        writer = new StunWriter(buffer, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, PeerA);
        Assert.That(server.Client.TryUnwrap(writer.Written, out _, out _), Is.False);
        Assert.That(server.Client.MessagesDropped, Is.EqualTo(1));
        server.Client.HandleTimeout(S(540));
        Assert.That(server.Client.TryUnwrap(LifetimeSuccess(server.Last, 600), out _, out _), Is.False);
        Assert.That(server.Client.MessagesDropped, Is.EqualTo(1), "left for HandleServerMessage, not counted");
    }

    [Test]
    public void DataPath_ChannelDataAndSendIndications_AllocateNothing()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(PeerA, S(1));
        server.Client.AddPeer(PeerV6, S(1));
        server.Deliver(Success(server.SentSince(0, StunMethod.ChannelBind)[0]), S(1));
        byte[] data = new byte[1200];
        var buffer = new byte[1200 + TurnClient.MaxOverhead];
        byte[] channelData = new byte[4 + 1200];
        channelData[0] = 0x40;
        channelData[2] = 1200 >> 8;
        channelData[3] = 1200 & 0xFF;

        void Run()
        {
            for (int i = 0; i < 1000; i++)
            {
                server.Client.WrapForPeer(PeerA, data, buffer);
                server.Client.WrapForPeer(PeerV6, data, buffer);
                server.Client.TryUnwrap(channelData, out _, out _);
            }
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(server.Client.ChannelDataSent, Is.EqualTo(2000));
        Assert.That(server.Client.SendIndicationsSent, Is.EqualTo(2000));
        Assert.That(server.Client.ChannelDataReceived, Is.EqualTo(2000));
    }

    [Test]
    public void Release_StopsTheDataPath()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(PeerA, S(1));
        server.Deliver(Success(server.SentSince(0, StunMethod.ChannelBind).Single()), S(1));
        server.Client.Release(S(2));
        Assert.That(server.Client.WrapForPeer(PeerA, [1], new byte[100]), Is.EqualTo(-1));
        Assert.That(server.Client.TryUnwrap([0x40, 0x00, 0x00, 0x01, 7], out _, out _), Is.False);
        int mark = server.Sent.Count;
        server.Client.AddPeer(PeerB, S(3));
        Assert.That(server.Sent, Has.Count.EqualTo(mark), "no new peers while releasing");
    }

    [Test]
    public void StreamFrameLength_CutsStunAndPaddedChannelData()
    {
        Assert.That(TurnClient.GetStreamFrameLength([0x01, 0x01]), Is.Zero, "not known yet");
        Assert.That(TurnClient.GetStreamFrameLength([0x01, 0x01, 0x00, 0x08, 0x21]), Is.EqualTo(28));
        Assert.That(TurnClient.GetStreamFrameLength([0x01, 0x01, 0x00, 0x07]), Is.EqualTo(-1), "STUN lengths are multiples of 4");
        Assert.That(TurnClient.GetStreamFrameLength([0x40, 0x00, 0x00, 0x05]), Is.EqualTo(12), "RFC 8656 §12.5: padded over TCP");
        Assert.That(TurnClient.GetStreamFrameLength([0x4F, 0xFF, 0x00, 0x00]), Is.EqualTo(4));
        Assert.That(TurnClient.GetStreamFrameLength([0x50, 0x00, 0x00, 0x00]), Is.EqualTo(-1));
        Assert.That(TurnClient.GetStreamFrameLength([0x80, 0x00, 0x00, 0x00]), Is.EqualTo(-1));
    }

    [Test]
    public void DataPath_FromOtherThreads_WhilePeersAreAddedAndBound()
    {
        // The data path reads snapshots while the serialized side replaces them: no exception,
        // and every answer is one of the two a snapshot can give.
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        var peers = Enumerable.Range(0, 200).Select(i => new IPEndPoint(IPAddress.Parse("203.0.113.5"), 10000 + i)).ToArray();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(index => Task.Run(() =>
        {
            var buffer = new byte[100];
            byte[] channelData = [0x40, 0x00, 0x00, 0x01, 7];
            long wraps = 0;
            do
            {
                foreach (var peer in peers)
                {
                    int length = server.Client.WrapForPeer(peer, [1, 2, 3], buffer);
                    if (length is not (-1 or 7 or 40))
                    {
                        throw new InvalidOperationException($"unexpected length {length}");
                    }

                    wraps++;
                }

                if (server.Client.TryUnwrap(channelData, out var from, out _) && !from!.Equals(peers[0]))
                {
                    throw new InvalidOperationException("channel 0x4000 is the first peer's");
                }
            }
            while (!stop.IsCancellationRequested);

            return wraps;
        })).ToArray();

        foreach (var peer in peers)
        {
            int mark = server.Sent.Count;
            server.Client.AddPeer(peer, S(1));
            foreach (var bind in server.SentSince(mark, StunMethod.ChannelBind))
            {
                server.Deliver(Success(bind), S(1));
            }
        }

        stop.Cancel();
        Assert.That(Task.WhenAll(readers).Wait(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(readers.Sum(r => r.Result), Is.Positive);
        Assert.That(peers.All(server.Client.IsChannelBound), Is.True);
    }
}
