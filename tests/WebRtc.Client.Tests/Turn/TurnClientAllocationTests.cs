using System.Net;
using System.Net.Sockets;
using WebRtc.Client.Stun;
using WebRtc.Client.Turn;
using static WebRtc.Client.Tests.Turn.ScriptedTurnServer;

namespace WebRtc.Client.Tests.Turn;

/// <summary>Allocate, Refresh and Release against a scripted server on a fake clock (RFC 8656 §7, RFC 8489 §9.2).</summary>
public class TurnClientAllocationTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Test]
    public void Allocate_FirstUnsigned_ThenSignedAfter401_ThenAllocated()
    {
        var server = new ScriptedTurnServer(configure: o => o.Software = "webrtc-client-test");
        server.Client.Allocate(S(0));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocating));

        byte[] first = server.Last;
        Assert.Multiple(() =>
        {
            Assert.That(TypeOf(first), Is.EqualTo(new StunMessageType(StunMethod.Allocate, StunClass.Request)));
            Assert.That(UInt32Of(first, StunAttributeType.RequestedTransport), Is.EqualTo(17u << 24), "REQUESTED-TRANSPORT UDP");
            Assert.That(UInt32Of(first, StunAttributeType.Lifetime), Is.EqualTo(600u));
            Assert.That(StringOf(first, StunAttributeType.Software), Is.EqualTo("webrtc-client-test"));
            Assert.That(HasAttribute(first, StunAttributeType.Username), Is.False, "RFC 8489 §9.2.3.1: no credentials before the challenge");
            Assert.That(HasAttribute(first, StunAttributeType.MessageIntegrity), Is.False);
            Assert.That(HasAttribute(first, StunAttributeType.RequestedAddressFamily), Is.False, "IPv4 is the default family");
            Assert.That(StunReader.TryParse(first, out var r, out _) && r.HasFingerprint, Is.True);
        });

        server.Deliver(Challenge(first), S(0.05));
        byte[] second = server.Last;
        Assert.That(server.Sent, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(IdOf(second), Is.Not.EqualTo(IdOf(first)), "the retry is a new transaction");
            Assert.That(StringOf(second, StunAttributeType.Username), Is.EqualTo(Username));
            Assert.That(StringOf(second, StunAttributeType.Realm), Is.EqualTo(Realm));
            Assert.That(StringOf(second, StunAttributeType.Nonce), Is.EqualTo(Nonce));
            Assert.That(UInt32Of(second, StunAttributeType.RequestedTransport), Is.EqualTo(17u << 24));
            Assert.That(VerifiesWith(second, Key()), Is.True, "MESSAGE-INTEGRITY with MD5(user:realm:pass)");
            Assert.That(HasAttribute(second, StunAttributeType.PasswordAlgorithm), Is.False);
            Assert.That(StunReader.TryParse(second, out var r, out _) && r.HasFingerprint, Is.True);
        });

        server.Deliver(AllocateSuccess(second, lifetime: 600), S(0.1));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocated));
        Assert.That(server.Client.RelayedAddress, Is.EqualTo(Relayed));
        Assert.That(server.Client.MappedAddress, Is.EqualTo(Mapped));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnAllocatedEvent(Relayed, Mapped, S(600)) }));
    }

    [Test]
    public void Allocate_IPv6Relay_SendsRequestedAddressFamily()
    {
        var server = new ScriptedTurnServer(configure: o => o.RelayFamily = AddressFamily.InterNetworkV6);
        server.Client.Allocate(S(0));
        // RFC 8656 §14.1: family 0x02 then three RFFU bytes.
        Assert.That(UInt32Of(server.Last, StunAttributeType.RequestedAddressFamily), Is.EqualTo(0x02000000u));
    }

    [Test]
    public void Allocate_SuccessWithoutOrWithWrongIntegrity_IsDiscarded()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        byte[] request = server.Last;

        Assert.That(server.Client.HandleServerMessage(Respond(request, StunClass.SuccessResponse, null, (ref StunWriter w) =>
            w.AddXorAddress(StunAttributeType.XorRelayedAddress, Relayed)), S(0)), Is.False, "unsigned success");
        Assert.That(server.Client.HandleServerMessage(AllocateSuccess(request, key: Key("other.realm")), S(0)), Is.False, "wrong key");
        Assert.That(server.Client.HandleServerMessage(Respond(request, StunClass.SuccessResponse, Key(), (ref StunWriter w) =>
            w.AddXorAddress(StunAttributeType.XorRelayedAddress, Relayed)), S(0)), Is.False, "no XOR-MAPPED-ADDRESS");
        Assert.That(server.Client.MessagesDropped, Is.EqualTo(3));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocating));

        server.Deliver(AllocateSuccess(request), S(0));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocated));
        Assert.That(server.Client.HandleServerMessage(AllocateSuccess(request), S(0)), Is.False, "a duplicate answers nothing of ours");
    }

    [Test]
    public void Allocate_UnsignedSuccessToTheFirstRequest_IsNotBelieved()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        Assert.That(server.Client.HandleServerMessage(AllocateSuccess(server.Last, key: Key()), S(0)), Is.False);
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocating));
    }

    [Test]
    public void Allocate_401Twice_IsError401AndFailed()
    {
        var server = new ScriptedTurnServer(configure: o => o.Password = "wrong");
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        server.Deliver(Challenge(server.Last, nonce: "nonce-two"), S(0.1));

        Assert.That(server.Sent, Has.Count.EqualTo(2), "no third Allocate");
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnErrorEvent(StunMethod.Allocate, 401, "Unauthorized", null) }));
        Assert.That(server.Client.NextDeadline, Is.Null);
    }

    [Test]
    public void Allocate_ChallengeWithoutNonce_IsError401()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Error(server.Last, 401, "Unauthorized"), S(0));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(server.DrainEvents().OfType<TurnErrorEvent>().Single().ErrorCode, Is.EqualTo(401));
    }

    [TestCase(486, "Allocation Quota Reached")]
    [TestCase(437, "Allocation Mismatch")]
    [TestCase(441, "Wrong Credentials")]
    [TestCase(508, "Insufficient Capacity")]
    [TestCase(300, "Try Alternate")]
    public void Allocate_ErrorResponse_IsReportedAndFailed(int code, string reason)
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        server.Deliver(Error(server.Last, code, reason, Key()), S(0.1));

        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnErrorEvent(StunMethod.Allocate, code, reason, null) }));
        Assert.That(server.Client.NextDeadline, Is.Null);
    }

    [Test]
    public void Allocate_ErrorSignedWithAnotherKey_OrUnsigned_IsDiscarded()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        Assert.That(server.Client.HandleServerMessage(Error(server.Last, 486, "Allocation Quota Reached", Key("x")), S(0)), Is.False);
        // RFC 8489 §9.2.5: a response to a signed request that is not signed is discarded as if
        // never received (400 named explicitly); only the 401/438 challenges come unsigned.
        Assert.That(server.Client.HandleServerMessage(Error(server.Last, 400, "Bad Request"), S(0)), Is.False);
        Assert.That(server.Client.HandleServerMessage(Error(server.Last, 486, "Allocation Quota Reached"), S(0)), Is.False);
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocating));
    }

    [Test]
    public void Allocate_NoAnswer_RetransmitsOnTheRfcScheduleThen701()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        var sendTimes = new List<double> { 0 };
        // RFC 8489 §6.2.1: RTO 500 ms doubling, 7 requests, then 16 × RTO: a timeout at 39.5 s.
        while (server.Client.NextDeadline is { } deadline)
        {
            int before = server.Sent.Count;
            server.Client.HandleTimeout(deadline);
            if (server.Sent.Count > before)
            {
                sendTimes.Add(deadline.TotalSeconds);
                Assert.That(server.Last, Is.EqualTo(server.Sent[0]), "a retransmission is the same request");
            }

            Assert.That(server.Client.HandleServerMessage([1, 2, 3], deadline), Is.False);
        }

        Assert.That(sendTimes, Is.EqualTo(new[] { 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 }));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        var error = server.DrainEvents().OfType<TurnErrorEvent>().Single();
        Assert.That(error.ErrorCode, Is.EqualTo(701));
        Assert.That(error.Method, Is.EqualTo(StunMethod.Allocate));
    }

    [TestCase(TurnTransportProtocol.Tcp)]
    [TestCase(TurnTransportProtocol.Tls)]
    public void Allocate_OverStream_NoRetransmissionsAndOneTimeout(TurnTransportProtocol transport)
    {
        var server = new ScriptedTurnServer(transport);
        server.Client.Allocate(S(0));
        // RFC 8489 §6.2.2: one timeout of 39.5 s, nothing resent.
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(39.5)));
        server.Client.HandleTimeout(S(39.4));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocating));
        server.Client.HandleTimeout(S(39.5));
        Assert.That(server.Sent, Has.Count.EqualTo(1));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(server.DrainEvents().OfType<TurnErrorEvent>().Single().ErrorCode, Is.EqualTo(701));
    }

    [Test]
    public void Allocate_SignedResponsesAllFailingIntegrity_TimeOutSayingSo()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        Assert.That(server.Client.HandleServerMessage(AllocateSuccess(server.Last, key: Key("forged")), S(0)), Is.False);
        while (server.Client.NextDeadline is { } deadline)
        {
            server.Client.HandleTimeout(deadline);
        }

        var error = server.DrainEvents().OfType<TurnErrorEvent>().Single();
        Assert.That(error.Reason, Does.Contain("integrity"));
    }

    [Test]
    public void Allocate_CalledTwice_Throws()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        Assert.That(() => server.Client.Allocate(S(1)), Throws.InvalidOperationException);
    }

    [Test]
    public void Refresh_ScheduledAMinuteBeforeExpiry_SignedWithLifetime_AndRescheduled()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(10), lifetime: 600);
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(550)), "lifetime − 60 s");

        server.Client.HandleTimeout(S(549));
        Assert.That(server.SentSince(0, StunMethod.Refresh), Is.Empty);
        int mark = server.Sent.Count;
        server.Client.HandleTimeout(S(550));
        var refresh = server.SentSince(mark, StunMethod.Refresh).Single();
        Assert.Multiple(() =>
        {
            Assert.That(UInt32Of(refresh, StunAttributeType.Lifetime), Is.EqualTo(600u));
            Assert.That(VerifiesWith(refresh, Key()), Is.True);
            Assert.That(StringOf(refresh, StunAttributeType.Nonce), Is.EqualTo(Nonce));
        });

        // The server grants less: half of a lifetime under two minutes.
        server.Deliver(LifetimeSuccess(refresh, 100), S(550.2));
        Assert.That(server.Client.Lifetime, Is.EqualTo(S(100)));
        Assert.That(server.Client.NextDeadline, Is.EqualTo(S(600.2)));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocated));
        Assert.That(server.DrainEvents(), Is.Empty);
    }

    [Test]
    public void Refresh_StaleNonce_RetriedOnceWithTheNewNonce()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.HandleTimeout(S(540));
        byte[] refresh = server.Last;
        server.Deliver(Challenge(refresh, 438, "nonce-two", realm: null), S(540.1));

        byte[] retry = server.Last;
        Assert.Multiple(() =>
        {
            Assert.That(TypeOf(retry), Is.EqualTo(new StunMessageType(StunMethod.Refresh, StunClass.Request)));
            Assert.That(IdOf(retry), Is.Not.EqualTo(IdOf(refresh)));
            Assert.That(StringOf(retry, StunAttributeType.Nonce), Is.EqualTo("nonce-two"));
            Assert.That(StringOf(retry, StunAttributeType.Realm), Is.EqualTo(Realm), "REALM kept when the 438 has none");
            Assert.That(VerifiesWith(retry, Key()), Is.True);
        });

        server.Deliver(LifetimeSuccess(retry, 600), S(540.2));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocated));
        Assert.That(server.DrainEvents(), Is.Empty);
    }

    [Test]
    public void Allocate_StaleNonce_RetriedOnce_ThenSecond438IsAnError()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        server.Deliver(Challenge(server.Last, 438, "nonce-two"), S(0.1));
        Assert.That(StringOf(server.Last, StunAttributeType.Nonce), Is.EqualTo("nonce-two"));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocating));

        server.Deliver(Challenge(server.Last, 438, "nonce-three"), S(0.2));
        Assert.That(server.Sent, Has.Count.EqualTo(3));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(server.DrainEvents().OfType<TurnErrorEvent>().Single().ErrorCode, Is.EqualTo(438));
    }

    [Test]
    public void Refresh_401WithANewNonce_RetriedOnce_SameNonceIsFinal()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.HandleTimeout(S(540));
        server.Deliver(Challenge(server.Last, 401, "rotated"), S(540.1));
        Assert.That(StringOf(server.Last, StunAttributeType.Nonce), Is.EqualTo("rotated"));
        server.Deliver(Challenge(server.Last, 401, "rotated"), S(540.2));

        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnErrorEvent(StunMethod.Refresh, 401, "Unauthorized", null) }));
    }

    [Test]
    public void Refresh_Failure_IsErrorAndFailed()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 5000), S(1));
        server.Client.HandleTimeout(S(540));
        server.Deliver(Error(server.SentSince(0, StunMethod.Refresh).Single(), 437, "Allocation Mismatch", Key()), S(541));

        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Failed));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnErrorEvent(StunMethod.Refresh, 437, "Allocation Mismatch", null) }));
        Assert.That(server.Client.NextDeadline, Is.Null, "no refreshes of anything after a failure");
        Assert.That(server.Client.WrapForPeer(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 5000), [1], new byte[100]), Is.EqualTo(-1));
    }

    [Test]
    public void Refresh_NoAnswer_IsError701AndFailed()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.HandleTimeout(S(540));
        while (server.Client.NextDeadline is { } deadline && server.Client.State == TurnClientState.Allocated)
        {
            server.Client.HandleTimeout(deadline);
        }

        Assert.That(server.SentSince(0, StunMethod.Refresh), Has.Count.EqualTo(7));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnErrorEvent(StunMethod.Refresh, 701, "The TURN server did not answer", null) }));
    }

    [Test]
    public void Release_SendsLifetimeZero_ThenReleasedOnTheAnswer()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.AddPeer(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 5000), S(1));
        int mark = server.Sent.Count;
        server.Client.Release(S(2));

        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Releasing));
        byte[] release = server.SentSince(mark, StunMethod.Refresh).Single();
        Assert.That(UInt32Of(release, StunAttributeType.Lifetime), Is.EqualTo(0u), "RFC 8656 §7.3: LIFETIME 0 deletes");
        Assert.That(VerifiesWith(release, Key()), Is.True);

        server.Deliver(LifetimeSuccess(release, 0), S(2.1));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Released));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnReleasedEvent() }));
        Assert.That(server.Client.NextDeadline, Is.Null);
        server.Client.Release(S(3));
        Assert.That(server.DrainEvents(), Is.Empty, "a second Release does nothing");
    }

    [Test]
    public void Release_StaleNonce_IsRetried_And437CountsAsReleased()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.Release(S(2));
        server.Deliver(Challenge(server.Last, 438, "nonce-two"), S(2.1));
        Assert.That(UInt32Of(server.Last, StunAttributeType.Lifetime), Is.EqualTo(0u));
        Assert.That(StringOf(server.Last, StunAttributeType.Nonce), Is.EqualTo("nonce-two"));
        server.Deliver(Error(server.Last, 437, "Allocation Mismatch", Key()), S(2.2));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Released));
    }

    [Test]
    public void Release_NoAnswer_ReleasedAfterTheTimeout()
    {
        var server = new ScriptedTurnServer();
        server.Allocate(S(0));
        server.Client.Release(S(2));
        while (server.Client.NextDeadline is { } deadline)
        {
            server.Client.HandleTimeout(deadline);
        }

        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Released));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnReleasedEvent() }));
    }

    [Test]
    public void Release_WhileAllocating_DeletesTheAllocationOnceMade()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        byte[] allocate = server.Last;
        server.Client.Release(S(0.1));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Releasing));

        server.Deliver(AllocateSuccess(allocate), S(0.2));
        Assert.That(UInt32Of(server.Last, StunAttributeType.Lifetime), Is.EqualTo(0u), "the late allocation is deleted");
        server.Deliver(LifetimeSuccess(server.Last, 0), S(0.3));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Released));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnReleasedEvent() }));
    }

    [Test]
    public void Release_BeforeTheChallenge_IsReleasedAtOnce()
    {
        // Only the unsigned Allocate is out: the server allocates nothing on it, so nothing to delete.
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Client.Release(S(0.1));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Released));
        Assert.That(server.Client.HandleServerMessage(Challenge(server.Last), S(0.2)), Is.False);
        Assert.That(server.Sent, Has.Count.EqualTo(1));
        Assert.That(server.DrainEvents(), Is.EqualTo(new TurnClientEvent[] { new TurnReleasedEvent() }));
    }

    [Test]
    public void Release_BeforeAllocate_IsReleasedAtOnce()
    {
        var server = new ScriptedTurnServer();
        server.Client.Release(S(0));
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Released));
        Assert.That(server.Sent, Is.Empty);
    }

    [Test]
    public void Options_ToString_NeverShowsThePassword()
    {
        var options = new TurnClientOptionsBuilder { Password = "s3cr3t-pa55" }.Build();
        Assert.That(options.ToString(), Does.Not.Contain("s3cr3t-pa55"));
        Assert.That(options.ToString(), Does.Contain(Username));
    }

    [Test]
    public void Responses_OfTheWrongMethodOrClass_AreNotOurs()
    {
        var server = new ScriptedTurnServer();
        server.Client.Allocate(S(0));
        server.Deliver(Challenge(server.Last), S(0));
        byte[] request = server.Last;
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, new StunMessageType(StunMethod.Refresh, StunClass.SuccessResponse), IdOf(request));
        writer.AddMessageIntegrity(Key());
        Assert.That(server.Client.HandleServerMessage(writer.Written, S(0)), Is.False, "method mismatch");
        Assert.That(server.Client.HandleServerMessage(request, S(0)), Is.False, "a request");
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocating));
    }
}
