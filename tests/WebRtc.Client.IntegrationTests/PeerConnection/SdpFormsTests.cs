using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Ice;
using WebRtc.Client.Sdp;
using static WebRtc.Client.IntegrationTests.PeerConnection.PcEvents;

namespace WebRtc.Client.IntegrationTests.PeerConnection;

/// <summary>
/// Two RTCPeerConnections on 127.0.0.1 whose descriptions are rewritten in transit: the pre-RFC 8841 data-channel
/// form (draft-ietf-mmusic-sctp-sdp-05: <c>DTLS/SCTP 5000</c> + <c>a=sctpmap</c>) in offers and answers, media
/// sections that must be rejected, and descriptions with nothing to connect.
/// </summary>
public class SdpFormsTests
{
    private static RTCPeerConnection NewPeer(ILoggerFactory? logs = null) =>
        new(new RTCConfiguration(), new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback], LoggerFactory = logs });

    private static Task Gathered(RTCPeerConnection pc) =>
        Next<RTCIceGatheringState>(h => pc.IceGatheringStateChange += (_, s) => h(s), s => s == RTCIceGatheringState.Complete);

    // Our RFC 8841 data section rewritten as a stack of the draft-05 era writes it: the SCTP port as the format,
    // a=sctpmap with libwebrtc's 1024 streams, no a=sctp-port or a=max-message-size.
    private static RTCSessionDescription ToLegacy(RTCSessionDescription d)
    {
        var sdp = d.Sdp.Replace("UDP/DTLS/SCTP webrtc-datachannel", "DTLS/SCTP 5000", StringComparison.Ordinal);
        sdp = Regex.Replace(sdp, "a=sctp-port:5000\r\na=max-message-size:[0-9]+\r\n", string.Empty);
        Assert.That(sdp, Does.Not.Contain("sctp-port").And.Not.Contain("max-message-size"));
        return new RTCSessionDescription(d.Type, sdp + "a=sctpmap:5000 webrtc-datachannel 1024\r\n");
    }

    // Non-trickle: each side waits for gathering and sends its whole description, as old stacks did.
    private static async Task<(RTCDataChannel Local, RTCDataChannel Remote, RTCSessionDescription Answer)> Connect(
        RTCPeerConnection offerer, RTCPeerConnection answerer, Func<RTCSessionDescription, RTCSessionDescription> rewriteOffer,
        Func<RTCSessionDescription, RTCSessionDescription> rewriteAnswer)
    {
        var local = offerer.CreateDataChannel("forms");
        var remote = RemoteChannel(answerer, "forms");
        var gathered = Gathered(offerer);
        await offerer.SetLocalDescriptionAsync();
        await gathered;
        await answerer.SetRemoteDescriptionAsync(rewriteOffer(offerer.LocalDescription!));
        gathered = Gathered(answerer);
        await answerer.SetLocalDescriptionAsync();
        await gathered;
        var answer = answerer.LocalDescription!;
        await offerer.SetRemoteDescriptionAsync(rewriteAnswer(answer));
        return (local, await remote, answer);
    }

    [Test]
    public async Task LegacyOffer_IsAnsweredInTheLegacyForm_AndDataChannelsWork()
    {
        await using var offerer = NewPeer();
        await using var answerer = NewPeer();
        var (local, remote, answer) = await Connect(offerer, answerer, ToLegacy, a => a);

        var m = SdpSessionDescription.Parse(answer.Sdp).Media.Single();
        Assert.Multiple(() =>
        {
            Assert.That((m.Proto, m.Formats.Single()), Is.EqualTo(("DTLS/SCTP", "5000")));
            Assert.That(m.SctpMaps.Single().App, Is.EqualTo("webrtc-datachannel"));
            Assert.That(m.SctpPort, Is.Null, "no a=sctp-port in the legacy form");
            Assert.That(m.IceUfrag, Is.Not.Null);
            Assert.That(m.IcePwd, Is.Not.Null);
            Assert.That(m.Fingerprints, Has.Count.EqualTo(1));
            Assert.That(m.Setup, Is.EqualTo(Dtls.DtlsSetup.Active));
            Assert.That(SdpSessionDescription.Parse(answer.Sdp).BundleGroup!.Mids, Is.EqualTo(new[] { "0" }));
        });
        Assert.That(await Echo(local, remote, "legacy offer"), Is.EqualTo("legacy offer"));
        Assert.That(await Echo(remote, local, "and back"), Is.EqualTo("and back"));
        // The legacy offer carried no a=max-message-size: RFC 8841 §6.1's 64 KiB applies to what the answerer sends.
        Assert.That(answerer.Sctp!.MaxMessageSize, Is.EqualTo(65536));
    }

    [Test]
    public async Task OurOffer_AnsweredInTheLegacyForm_Connects()
    {
        await using var offerer = NewPeer();
        await using var answerer = NewPeer();
        var (local, remote, _) = await Connect(offerer, answerer, o => o, ToLegacy);
        Assert.That(offerer.CurrentLocalDescription!.Sdp, Does.Contain("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"), "our offers stay RFC 8841");
        Assert.That(offerer.CurrentRemoteDescription!.Sdp, Does.Contain("a=sctpmap:5000 webrtc-datachannel 1024"));
        Assert.That(await Echo(local, remote, "legacy answer"), Is.EqualTo("legacy answer"));
        Assert.That(await Echo(remote, local, "and back"), Is.EqualTo("and back"));
    }

    [Test]
    public async Task AudioVideoDataOffer_MediaIsRejected_DataConnects()
    {
        using var logs = new CapturingLoggerFactory();
        await using var offerer = NewPeer();
        await using var answerer = NewPeer(logs);

        // Our offer with an audio and a video section in front of the data section, as Chromium orders them.
        static RTCSessionDescription AddMedia(RTCSessionDescription d)
        {
            var sdp = SdpSessionDescription.Parse(d.Sdp);
            var data = sdp.Media[0];
            foreach (var (kind, mid, pt) in new[] { ("video", "v1", "96"), ("audio", "a0", "111") })
            {
                var m = new SdpMediaDescription(kind, 9, "UDP/TLS/RTP/SAVPF", [pt]);
                m.Connections.Add(SdpConnection.Placeholder);
                foreach (var name in new[] { "ice-ufrag", "ice-pwd", "ice-options", "fingerprint", "setup" })
                {
                    m.Attributes.Add(name, data.Attributes.GetValue(name));
                }

                m.Attributes.Add("mid", mid);
                m.Attributes.Add("sendrecv");
                m.Attributes.Add("rtcp-mux");
                m.Attributes.Add("rtpmap", pt == "111" ? "111 opus/48000/2" : "96 VP8/90000");
                sdp.Media.Insert(0, m);
            }

            sdp.Attributes.RemoveAll("group");
            sdp.Attributes.Insert(0, new SdpAttribute("group", "BUNDLE a0 v1 0"));
            return new RTCSessionDescription(d.Type, sdp.ToString());
        }

        // Candidate events name the BUNDLE tag by mid and by index: the offerer's offer tags a0 (index 0, RFC 8843 §7.1),
        // the answerer's answer tags the data section (index 2), the only one it accepts.
        var located = new System.Collections.Concurrent.ConcurrentQueue<(string Side, string? Mid, int? Index)>();
        offerer.IceCandidate += (_, e) => located.Enqueue(("offerer", e.Candidate?.SdpMid, e.Candidate?.SdpMLineIndex));
        answerer.IceCandidate += (_, e) => located.Enqueue(("answerer", e.Candidate?.SdpMid, e.Candidate?.SdpMLineIndex));

        // The offerer applies the same three-section offer it sends, so the answer matches its m-lines.
        var local = offerer.CreateDataChannel("av");
        var remote = RemoteChannel(answerer, "av");
        var gathered = Gathered(offerer);
        var offer = AddMedia(await offerer.CreateOfferAsync());
        await offerer.SetLocalDescriptionAsync(offer);
        await gathered;
        var candidates = offerer.LocalDescription!.Sdp.Split("\r\n").Where(l => l.StartsWith("a=candidate:", StringComparison.Ordinal)).ToArray();
        await answerer.SetRemoteDescriptionAsync(offer);
        foreach (var c in candidates)
        {
            await answerer.AddIceCandidateAsync(new RTCIceCandidateInit(c[2..], "0", 2, null));
        }

        gathered = Gathered(answerer);
        await answerer.SetLocalDescriptionAsync();
        await gathered;
        var answer = SdpSessionDescription.Parse(answerer.LocalDescription!.Sdp);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Media.Select(m => (m.Media, m.Port == 0)), Is.EqualTo(new[] { ("audio", true), ("video", true), ("application", false) }));
            Assert.That(answer.Media.Select(m => m.Mid), Is.EqualTo(new[] { "a0", "v1", "0" }));
            Assert.That(answer.Media.Take(2).Select(m => m.Proto), Is.All.EqualTo("UDP/TLS/RTP/SAVPF"));
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0" }));
            Assert.That(answer.Media[2].IceUfrag, Is.Not.Null);
            Assert.That(answer.Media[2].GetCandidates(), Is.Not.Empty, "the accepted section carries the candidates");
            // JSEP now reads audio/video as usable sections; this data-only answer plan rejects them without a reason to log.
        });

        await offerer.SetRemoteDescriptionAsync(answerer.LocalDescription!);
        Assert.That(await Echo(local, await remote, "data beside media"), Is.EqualTo("data beside media"));
        var withCandidate = located.Where(l => l.Mid is not null).ToList();
        Assert.That(withCandidate.Select(l => l.Side).Distinct(), Is.EquivalentTo(new[] { "offerer", "answerer" }));
        Assert.That(withCandidate.Where(l => l.Side == "answerer").Select(l => (l.Mid, l.Index)), Is.All.EqualTo(("0", (int?)2)));
        Assert.That(withCandidate.Where(l => l.Side == "offerer").Select(l => (l.Mid, l.Index)), Is.All.EqualTo(("a0", (int?)0)));
    }

    [TestCase("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "lists no RTP codec")]
    [TestCase("UDP/DTLS/SCTP webrtc-datachannel", "DTLS/SCTP 5000", "'t38'")]
    [TestCase("UDP/DTLS/SCTP webrtc-datachannel", "UDP/BFCP *", "UDP/BFCP")]
    public async Task OfferWithNothingUsable_Fails_AndChangesNothing(string original, string replacement, string reason)
    {
        await using var other = NewPeer();
        await using var pc = NewPeer();
        other.CreateDataChannel("x");
        var good = await other.CreateOfferAsync();
        var sdp = good.Sdp.Replace(original, replacement, StringComparison.Ordinal);
        if (reason == "'t38'")
        {
            sdp += "a=sctpmap:5000 t38 16\r\n";
        }

        var events = new ConcurrentQueue<string>();
        pc.SignalingStateChange += (_, s) => events.Enqueue("signaling " + s);
        pc.IceGatheringStateChange += (_, s) => events.Enqueue("gathering " + s);
        var error = await Assert.ThrowsAsync<OperationErrorException>(() => pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, sdp)));
        Assert.That(error!.Message, Does.Contain("m-line 0").And.Contain(reason).And.Contain("data-channel m-section"));
        Assert.Multiple(() =>
        {
            Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
            Assert.That(pc.RemoteDescription, Is.Null);
            Assert.That(pc.IceTransport, Is.Null, "no ICE agent was created");
            Assert.That(pc.IceGatheringState, Is.EqualTo(RTCIceGatheringState.New));
        });

        // The same connection still takes a usable offer afterwards.
        await pc.SetRemoteDescriptionAsync(good);
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.HaveRemoteOffer));
        await Task.Delay(50);
        Assert.That(events.Where(e => e.StartsWith("signaling", StringComparison.Ordinal)), Is.EqualTo(new[] { "signaling HaveRemoteOffer" }));
    }

    [Test]
    public async Task AnswerRejectingOurDataSection_IsApplied_AndTheChannelsCloseWithAnError()
    {
        await using var pc = NewPeer();
        var channel = pc.CreateDataChannel("refused");
        var error = Next<RTCException>(h => channel.Error += (_, e) => h(e.Error));
        var closed = Next<bool>(h => channel.Close += (_, _) => h(true));
        await pc.SetLocalDescriptionAsync();

        // RFC 3264 §6: port 0 rejects the offered stream; a rejected m= section needs no ICE or DTLS attributes.
        var rejecting = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n";
        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, rejecting));
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
        Assert.That(pc.CurrentRemoteDescription!.Sdp, Is.EqualTo(rejecting));
        Assert.That((await error).Message, Does.Contain("rejected the data-channel m-section (mid 0)"));
        Assert.That(await closed, Is.True);
        Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.That(pc.ConnectionState, Is.EqualTo(RTCPeerConnectionState.New), "nothing was left to connect");
    }

    // Records formatted messages at Debug and above.
    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<string> Debug { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Debug)
            {
                Debug.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
