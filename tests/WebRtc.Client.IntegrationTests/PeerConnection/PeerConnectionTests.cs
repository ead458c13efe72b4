using System.Collections.Concurrent;
using System.Net;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Ice;
using WebRtc.Client.Sdp;
using WebRtc.Client.Signaling;
using static WebRtc.Client.IntegrationTests.PeerConnection.PcEvents;

namespace WebRtc.Client.IntegrationTests.PeerConnection;

/// <summary>Two RTCPeerConnections in one process on 127.0.0.1: offer/answer, trickle, glare, renegotiation, close, W3C state rules.</summary>
public class PeerConnectionTests
{
    private static RTCPeerConnection NewPeer() =>
        new(new RTCConfiguration(), new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback] });

    private static Task Connected(RTCPeerConnection pc) =>
        Next<RTCPeerConnectionState>(h => pc.ConnectionStateChange += (_, s) => h(s), s => s == RTCPeerConnectionState.Connected);

    // Candidates reach the other side in order, after the description they belong to, as a
    // signaling channel would deliver them (AddIceCandidate before SetRemoteDescription is an error).
    private static Func<Task> Trickle(RTCPeerConnection from, RTCPeerConnection to)
    {
        var pending = new ConcurrentQueue<RTCIceCandidateInit?>();
        from.IceCandidate += (_, e) => pending.Enqueue(e.Candidate?.ToJson());
        return async () =>
        {
            while (pending.TryDequeue(out var candidate))
            {
                await to.AddIceCandidateAsync(candidate);
            }
        };
    }

    private static async Task Pump(Func<Task> flush, RTCPeerConnection to, Func<bool> until)
    {
        var end = DateTime.UtcNow + PcEvents.Timeout;
        while (!until() && DateTime.UtcNow < end && to.RemoteDescription is not null)
        {
            await flush();
            await Task.Delay(5);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task OfferAnswer_WithTrickle_OpensADataChannel_EitherSideOffering(bool firstOffers)
    {
        await using var first = NewPeer();
        await using var second = NewPeer();
        var (offerer, answerer) = firstOffers ? (first, second) : (second, first);
        var toAnswerer = Trickle(offerer, answerer);
        var toOfferer = Trickle(answerer, offerer);
        var signaling = new ConcurrentQueue<string>();
        offerer.SignalingStateChange += (_, s) => signaling.Enqueue("offerer " + s);
        answerer.SignalingStateChange += (_, s) => signaling.Enqueue("answerer " + s);
        var connected = Task.WhenAll(Connected(offerer), Connected(answerer));
        var remote = RemoteChannel(answerer, "chat");

        var local = offerer.CreateDataChannel("chat");
        var offer = await offerer.CreateOfferAsync();
        Assert.That(offer.Sdp, Does.Contain("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
        Assert.That(offer.Sdp, Does.Contain("a=setup:actpass"));
        await offerer.SetLocalDescriptionAsync(offer);
        await answerer.SetRemoteDescriptionAsync(offer);
        var answer = await answerer.CreateAnswerAsync();
        Assert.That(answer.Sdp, Does.Contain("a=setup:active"));
        await answerer.SetLocalDescriptionAsync(answer);
        await offerer.SetRemoteDescriptionAsync(answer);

        bool Done() => connected.IsCompleted;
        await Task.WhenAll(Pump(toAnswerer, answerer, Done), Pump(toOfferer, offerer, Done));
        await connected;
        var channel = await remote;
        Assert.That(await Echo(local, channel, "hello"), Is.EqualTo("hello"));
        Assert.That(await Echo(channel, local, "back"), Is.EqualTo("back"));
        Assert.That(signaling, Is.EqualTo(new[] { "offerer HaveLocalOffer", "answerer HaveRemoteOffer", "answerer Stable", "offerer Stable" }));
        Assert.That(offerer.IceConnectionState, Is.AnyOf(RTCIceConnectionState.Connected, RTCIceConnectionState.Completed));
        Assert.That(offerer.DtlsTransport!.Role, Is.EqualTo(Dtls.DtlsRole.Server), "the answerer took setup:active, so it is the DTLS client");
        Assert.That(local.Id! % 2, Is.EqualTo(1), "the DTLS server uses odd stream ids");
    }

    [Test]
    public async Task NonTrickle_CandidatesTravelInsideTheDescriptions()
    {
        await using var a = NewPeer();
        await using var b = NewPeer();
        var gatheredA = Next<RTCIceGatheringState>(h => a.IceGatheringStateChange += (_, s) => h(s), s => s == RTCIceGatheringState.Complete);
        var mine = a.CreateDataChannel("nt");
        await a.SetLocalDescriptionAsync();
        await gatheredA;
        var offer = a.LocalDescription!;
        Assert.That(offer.Sdp, Does.Contain("a=candidate:"));
        Assert.That(offer.Sdp, Does.Contain("a=end-of-candidates"));

        var gatheredB = Next<RTCIceGatheringState>(h => b.IceGatheringStateChange += (_, s) => h(s), s => s == RTCIceGatheringState.Complete);
        var remote = RemoteChannel(b, "nt");
        await b.SetRemoteDescriptionAsync(offer);
        await b.SetLocalDescriptionAsync();
        await gatheredB;
        await a.SetRemoteDescriptionAsync(b.LocalDescription!);
        var channel = await remote;
        Assert.That(await Echo(mine, channel, "no trickle"), Is.EqualTo("no trickle"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task PerfectNegotiation_BothSidesOfferAtOnce(bool trickle)
    {
        // W3C perfect negotiation: both create a channel at the same moment, so both offer (glare).
        await using var a = NewPeer();
        await using var b = NewPeer();
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false, trickle);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true, trickle);
        var fromA = RemoteChannel(b, "from-a");
        var fromB = RemoteChannel(a, "from-b");
        var ca = a.CreateDataChannel("from-a");
        var cb = b.CreateDataChannel("from-b");
        var remoteA = await fromA;
        var remoteB = await fromB;
        Assert.That(await Echo(ca, remoteA, "a->b"), Is.EqualTo("a->b"));
        Assert.That(await Echo(cb, remoteB, "b->a"), Is.EqualTo("b->a"));
        Assert.That(a.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(b.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        await sa.DisposeAsync();
        await sb.DisposeAsync();
    }

    [Test]
    public async Task Renegotiation_AfterConnecting_KeepsTheConnection_AndNewChannelsWork()
    {
        await using var a = NewPeer();
        await using var b = NewPeer();
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var first = RemoteChannel(b, "first");
        var c1 = a.CreateDataChannel("first");
        await first;
        Assert.That(() => a.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected).After(5000, 10));

        // A second channel needs no new offer (the data m-line is negotiated).
        bool negotiationNeeded = false;
        a.NegotiationNeeded += (_, _) => negotiationNeeded = true;
        var second = RemoteChannel(b, "second");
        var c2 = a.CreateDataChannel("second");
        Assert.That(await Echo(c2, await second, "2"), Is.EqualTo("2"));
        Assert.That(negotiationNeeded, Is.False);

        // An explicit re-offer from the other side: same transport, DTLS role kept, still connected.
        var version = SdpSessionDescription.Parse(a.LocalDescription!.Sdp).Origin.SessionVersionNumber;
        var answered = Next<RTCSignalingState>(h => b.SignalingStateChange += (_, s) => h(s), s => s == RTCSignalingState.Stable);
        await b.SetLocalDescriptionAsync();
        await sb.SendAsync(SignalingMessage.Offer(b.LocalDescription!.Sdp));
        await answered;
        Assert.That(b.CurrentRemoteDescription!.Sdp, Does.Contain("a=setup:passive"), "a re-answer keeps the DTLS role");
        Assert.That(SdpSessionDescription.Parse(a.LocalDescription!.Sdp).Origin.SessionVersionNumber, Is.GreaterThanOrEqualTo(version!));
        var third = RemoteChannel(b, "third");
        var c3 = a.CreateDataChannel("third");
        Assert.That(await Echo(c3, await third, "3"), Is.EqualTo("3"));
        Assert.That(a.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
        Assert.That(c1.ReadyState, Is.EqualTo(RTCDataChannelState.Open));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Close_IsSeenByTheOtherSide(bool offererCloses)
    {
        var a = NewPeer();
        var b = NewPeer();
        await using var _a = a;
        await using var _b = b;
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var remote = RemoteChannel(b, "bye");
        var local = a.CreateDataChannel("bye");
        var channel = await remote;
        Assert.That(await Echo(local, channel, "x"), Is.EqualTo("x"));

        var (closer, other, otherChannel) = offererCloses ? (a, b, channel) : (b, a, local);
        var closed = Next<bool>(h => otherChannel.Close += (_, _) => h(true));
        closer.Close();
        Assert.That(closer.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Closed));
        Assert.That(closer.SignalingState, Is.EqualTo(RTCSignalingState.Closed));
        await closed;
        Assert.That(otherChannel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.That(() => other.Sctp!.State, Is.EqualTo(Sctp.RTCSctpTransportState.Closed).After(5000, 10));
    }

    [Test]
    public async Task W3CStateRules_ThrowTheW3CErrors()
    {
        await using var pc = NewPeer();
        await using var other = NewPeer();
        other.CreateDataChannel("x");
        var offer = await other.CreateOfferAsync();

        // Answers and rollbacks make no sense in stable.
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, offer.Sdp)));
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.SetLocalDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, offer.Sdp)));
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.SetLocalDescriptionAsync(new RTCSessionDescription(RTCSdpType.Rollback, string.Empty)));
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.CreateAnswerAsync());
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0, null)));

        // Bad SDP: a syntax error names the line; a semantic one is InvalidAccess.
        var syntax = await Assert.ThrowsAsync<SdpParseException>(() => pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, "v=0\r\nbogus\r\n")));
        Assert.That(syntax!.LineNumber, Is.EqualTo(2));
        await Assert.ThrowsAsync<InvalidAccessException>(() => pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer.Sdp.Replace("a=fingerprint", "a=x-fingerprint", StringComparison.Ordinal))));

        // have-remote-offer: another local offer is not allowed; a remote answer is not either.
        await pc.SetRemoteDescriptionAsync(offer);
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.HaveRemoteOffer));
        var ownOffer = await other.CreateOfferAsync();
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.SetLocalDescriptionAsync(ownOffer));
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.CreateOfferAsync());
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, offer.Sdp)));

        // Candidates: need sdpMid or sdpMLineIndex; an unknown mid is an OperationError.
        await Assert.ThrowsAsync<ArgumentException>(() => pc.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", null, null, null)));
        await Assert.ThrowsAsync<OperationErrorException>(() => pc.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", "nope", null, null)));
        await Assert.ThrowsAsync<OperationErrorException>(() => pc.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0, "otherufrag")));

        // Rollback of the remote offer returns to stable.
        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Rollback, string.Empty));
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(pc.RemoteDescription, Is.Null);

        // SetConfiguration may not change certificates.
        Assert.Throws<InvalidModificationException>(() => pc.SetConfiguration(new RTCConfiguration { Certificates = [Dtls.RTCCertificate.Generate()] }));

        // After close every call is an InvalidStateError.
        pc.Close();
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.CreateOfferAsync());
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.SetRemoteDescriptionAsync(offer));
        await Assert.ThrowsAsync<InvalidStateException>(() => pc.AddIceCandidateAsync(new RTCIceCandidateInit(string.Empty, "0", 0, null)));
        Assert.Throws<InvalidStateException>(() => pc.CreateDataChannel("late"));
        Assert.Throws<InvalidStateException>(() => pc.SetConfiguration(new RTCConfiguration()));
    }

    [Test]
    public async Task CanceledCalls_ThrowOperationCanceled_AndChangeNothing()
    {
        await using var pc = NewPeer();
        await using var other = NewPeer();
        other.CreateDataChannel("x");
        var offer = await other.CreateOfferAsync();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.CatchAsync<OperationCanceledException>(() => pc.SetRemoteDescriptionAsync(offer, canceled.Token));
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(pc.RemoteDescription, Is.Null);
        await Assert.CatchAsync<OperationCanceledException>(() => pc.CreateOfferAsync(canceled.Token));
        await Assert.CatchAsync<OperationCanceledException>(() => pc.SetLocalDescriptionAsync(null, canceled.Token));
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(pc.LocalDescription, Is.Null);

        // The connection still works afterwards: the chain was not left taken.
        await pc.SetRemoteDescriptionAsync(offer);
        await Assert.CatchAsync<OperationCanceledException>(() => pc.CreateAnswerAsync(canceled.Token));
        await Assert.CatchAsync<OperationCanceledException>(() => pc.AddIceCandidateAsync(new RTCIceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0, null), canceled.Token));
        await pc.SetLocalDescriptionAsync();
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(pc.LocalDescription!.Type, Is.EqualTo(RTCSdpType.Answer));
    }

    [Test]
    public async Task LocalOffer_ThenRemoteOffer_RollsBackImplicitly()
    {
        await using var pc = NewPeer();
        await using var other = NewPeer();
        pc.CreateDataChannel("mine");
        other.CreateDataChannel("theirs");
        await pc.SetLocalDescriptionAsync();
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.HaveLocalOffer));
        await pc.SetRemoteDescriptionAsync(await other.CreateOfferAsync());
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.HaveRemoteOffer));
        Assert.That(pc.PendingLocalDescription, Is.Null);
    }

    [Test]
    public async Task GetStats_ReportsW3CObjects()
    {
        await using var a = NewPeer();
        await using var b = NewPeer();
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var remote = RemoteChannel(b, "stats");
        var local = a.CreateDataChannel("stats", new RTCDataChannelInit { Protocol = "p" });
        var channel = await remote;
        for (int i = 0; i < 3; i++)
        {
            Assert.That(await Echo(local, channel, "m" + i), Is.EqualTo("m" + i));
        }

        var report = await a.GetStatsAsync();
        var pcStats = report.OfType<RTCPeerConnectionStats>().Single();
        Assert.That(pcStats.DataChannelsOpened, Is.EqualTo(1));
        var dc = report.OfType<RTCDataChannelStats>().Single();
        Assert.That((dc.Label, dc.Protocol, dc.State, dc.MessagesSent, dc.BytesSent), Is.EqualTo(("stats", "p", "open", 3L, 6L)));
        var transport = report.OfType<RTCTransportStats>().Single();
        Assert.That(transport.DtlsState, Is.EqualTo("connected"));
        Assert.That(transport.DtlsCipher, Is.EqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        Assert.That(transport.SrtpCipher, Is.EqualTo("SRTP_AEAD_AES_128_GCM"));
        Assert.That(transport.IceRole, Is.EqualTo("controlling"));
        var pair = (RTCIceCandidatePairStats)report[transport.SelectedCandidatePairId!];
        Assert.That(pair.State, Is.EqualTo("succeeded"));
        Assert.That(report[pair.LocalCandidateId], Is.TypeOf<RTCIceCandidateStats>());
        Assert.That(((RTCIceCandidateStats)report[pair.LocalCandidateId]).Address, Is.EqualTo("127.0.0.1"));
        Assert.That(report.OfType<RTCCertificateStats>().Count(), Is.EqualTo(2));
        Assert.That(report.Values.Select(s => s.Type).Distinct(), Is.SupersetOf(new[] { "peer-connection", "transport", "candidate-pair", "local-candidate", "remote-candidate", "certificate", "data-channel" }));
        var remoteStats = (await b.GetStatsAsync()).OfType<RTCDataChannelStats>().Single();
        Assert.That(remoteStats.MessagesReceived, Is.EqualTo(3));
    }

    [Test]
    public async Task DtlsOptions_PinnedCipherSuite_ReachesTheTransport([Values] bool offererPins)
    {
        // The test hook of DtlsTransportOptions (internal CipherSuites) must not be lost on the way
        // through the peer connection: interop tests pin ChaCha20-Poly1305 with it.
        var pinned = new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback], Dtls = new Dtls.DtlsTransportOptions { CipherSuites = [0xCCA9] } };
        await using var a = offererPins ? new RTCPeerConnection(new RTCConfiguration(), pinned) : NewPeer();
        await using var b = offererPins ? NewPeer() : new RTCPeerConnection(new RTCConfiguration(), pinned);
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var remote = RemoteChannel(b, "pinned");
        var local = a.CreateDataChannel("pinned");
        Assert.That(await Echo(local, await remote, "m"), Is.EqualTo("m"));
        foreach (var pc in new[] { a, b })
        {
            var transport = (await pc.GetStatsAsync()).OfType<RTCTransportStats>().Single();
            Assert.That(transport.DtlsCipher, Is.EqualTo("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
        }
    }

    [Test]
    public async Task DtlsOptions_SrtpProfiles_ReachTheTransport_AndStatsNameTheProfile([Values] bool offererPins)
    {
        // Whichever side is the DTLS client, the only profile one side accepts is what both negotiate.
        var pinned = new RTCPeerConnectionOptions
        {
            BindAddresses = [IPAddress.Loopback],
            Dtls = new Dtls.DtlsTransportOptions { SrtpProfiles = [Srtp.SrtpProfile.AesCm128HmacSha1_32] },
        };
        await using var a = offererPins ? new RTCPeerConnection(new RTCConfiguration(), pinned) : NewPeer();
        await using var b = offererPins ? NewPeer() : new RTCPeerConnection(new RTCConfiguration(), pinned);
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var remote = RemoteChannel(b, "srtp");
        var local = a.CreateDataChannel("srtp");
        Assert.That(await Echo(local, await remote, "m"), Is.EqualTo("m"));
        foreach (var pc in new[] { a, b })
        {
            var transport = (await pc.GetStatsAsync()).OfType<RTCTransportStats>().Single();
            Assert.That(transport.SrtpCipher, Is.EqualTo("SRTP_AES128_CM_HMAC_SHA1_32"));
        }
    }

    [Test]
    public async Task ThrowingEventHandlers_DoNotBreakTheConnection()
    {
        await using var a = NewPeer();
        await using var b = NewPeer();
        foreach (var pc in new[] { a, b })
        {
            pc.IceCandidate += (_, _) => throw new InvalidOperationException("handler bug");
            pc.SignalingStateChange += (_, _) => throw new InvalidOperationException("handler bug");
            pc.ConnectionStateChange += (_, _) => throw new InvalidOperationException("handler bug");
            pc.IceGatheringStateChange += (_, _) => throw new InvalidOperationException("handler bug");
            pc.DataChannel += (_, e) =>
            {
                e.Channel.MessageReceived += (_, _) => throw new InvalidOperationException("handler bug");
                throw new InvalidOperationException("handler bug");
            };
        }

        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var remote = RemoteChannel(b, "robust");
        var local = a.CreateDataChannel("robust");
        var channel = await remote;
        Assert.That(await Echo(local, channel, "still works"), Is.EqualTo("still works"));
        Assert.That(await Echo(channel, local, "both ways"), Is.EqualTo("both ways"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task RestartIce_NewCredentials_DataKeepsFlowing(bool offererRestarts)
    {
        await using var a = NewPeer();
        await using var b = NewPeer();
        var (sa, sb) = InMemorySignalingChannel.CreatePair();
        await using var na = PerfectNegotiator.Attach(a, sa, polite: false);
        await using var nb = PerfectNegotiator.Attach(b, sb, polite: true);
        var remote = RemoteChannel(b, "steady");
        var local = a.CreateDataChannel("steady");
        var channel = await remote;
        Assert.That(await Echo(local, channel, "before"), Is.EqualTo("before"));

        var restarter = offererRestarts ? a : b;
        var other = offererRestarts ? b : a;
        string Ufrag(RTCSessionDescription d) => SdpSessionDescription.Parse(d.Sdp).IceUfrag ?? SdpSessionDescription.Parse(d.Sdp).Media[0].IceUfrag!;
        var oldRestarter = Ufrag(restarter.LocalDescription!);
        var oldOther = Ufrag(other.LocalDescription!);

        // Keep a stream of messages going through the restart: none may be lost (reliable channel).
        long received = 0;
        channel.MessageReceived += (_, _) => Interlocked.Increment(ref received);
        using var stop = new CancellationTokenSource();
        long sent = 0;
        var pump = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                local.Send(new byte[100]);
                Interlocked.Increment(ref sent);
                await Task.Delay(2);
            }
        });

        restarter.RestartIce();
        var end = DateTime.UtcNow + PcEvents.Timeout;
        while (DateTime.UtcNow < end && !(restarter.SignalingState == RTCSignalingState.Stable && other.SignalingState == RTCSignalingState.Stable
            && restarter.CurrentLocalDescription is { } l && Ufrag(l) != oldRestarter && other.CurrentLocalDescription is { } o && Ufrag(o) != oldOther
            && restarter.IceTransport!.IsRestarting == false && other.IceTransport!.IsRestarting == false))
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await pump;
        Assert.That(Ufrag(restarter.CurrentLocalDescription!), Is.Not.EqualTo(oldRestarter), "the restarting side has new credentials");
        Assert.That(Ufrag(other.CurrentLocalDescription!), Is.Not.EqualTo(oldOther), "the answer to a restart has new credentials too");
        Assert.That(restarter.IceTransport!.IsRestarting || other.IceTransport!.IsRestarting, Is.False, "the new checks nominated a pair");
        Assert.That(() => Interlocked.Read(ref received), Is.EqualTo(Interlocked.Read(ref sent)).After(5000, 10));
        Assert.That(a.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
        var stats = (await restarter.GetStatsAsync()).OfType<RTCTransportStats>().Single();
        Assert.That(stats.IceLocalUsernameFragment, Is.EqualTo(Ufrag(restarter.CurrentLocalDescription!)));
        Assert.That(await Echo(local, channel, "after"), Is.EqualTo("after"));
    }
}
