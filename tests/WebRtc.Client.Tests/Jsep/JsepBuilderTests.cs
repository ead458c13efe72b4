using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Jsep;

public class JsepBuilderTests
{
    internal static readonly IceCredentials Credentials = new("aB3d", "0123456789abcdefABCDEF+/");
    internal static readonly RTCDtlsFingerprint Fingerprint = RTCDtlsFingerprint.Compute("sha-256", [1, 2, 3]);

    internal static JsepLocalTransport Transport(params RTCIceCandidate[] candidates) =>
        new(Credentials, [Fingerprint]) { Candidates = candidates };

    [Test]
    public void Data_only_offer_matches_what_chrome_writes()
    {
        var offer = JsepBuilder.CreateOffer(SdpOrigin.Create(7203985518221347712, 2), Transport(), [new JsepDataSection("0")]);
        Assert.That(offer.ToString(), Is.EqualTo(
            "v=0\r\no=- 7203985518221347712 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
            + "a=ice-ufrag:aB3d\r\na=ice-pwd:0123456789abcdefABCDEF+/\r\na=ice-options:trickle\r\n"
            + $"a=fingerprint:{Fingerprint.ToSdpValue()}\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"));
    }

    [Test]
    public void Non_trickle_offer_carries_candidates_default_address_and_end_of_candidates()
    {
        var host = RTCIceCandidate.Parse("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0");
        var tcp = RTCIceCandidate.Parse("candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0");
        var srflx = RTCIceCandidate.Parse("candidate:3 1 udp 1686052607 2001:db8::7 61001 typ srflx raddr ::1 rport 50000");
        var transport = Transport(host, tcp, srflx) with { EndOfCandidates = true, Trickle = false };
        var offer = JsepBuilder.CreateOffer(SdpOrigin.Create(1, 1), transport, [new JsepDataSection("d") { MaxMessageSize = 0 }]);
        var m = SdpSessionDescription.Parse(offer.ToString()).Media[0];
        Assert.Multiple(() =>
        {
            // RFC 8839 §4.2.1.2: m= port and c= address are the default candidate's (server reflexive over host).
            Assert.That(m.Port, Is.EqualTo(61001));
            Assert.That(m.Connections.Single(), Is.EqualTo(new SdpConnection("IN", "IP6", "2001:db8::7")));
            Assert.That(m.GetCandidates().Select(c => c.Candidate), Is.EqualTo(new[] { host.Candidate, tcp.Candidate, srflx.Candidate }));
            Assert.That(m.EndOfCandidates, Is.True);
            Assert.That(m.IceOptions, Is.Empty);
            Assert.That(m.MaxMessageSize, Is.Zero);
            Assert.That(m.Mid, Is.EqualTo("d"));
        });
    }

    [Test]
    public void Candidates_go_only_in_the_bundle_tag_section()
    {
        var host = RTCIceCandidate.Parse("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host");
        var offer = JsepBuilder.CreateOffer(SdpOrigin.Create(1, 1), Transport(host), [new JsepDataSection("a"), new JsepDataSection("b")]);
        Assert.Multiple(() =>
        {
            Assert.That(offer.BundleGroup!.Mids, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(offer.Media[0].GetCandidates(), Has.Count.EqualTo(1));
            Assert.That(offer.Media[1].GetCandidates(), Is.Empty);
            Assert.That(offer.Media[1].Port, Is.EqualTo(9));
        });
    }

    [Test]
    public void Offer_rejects_bad_input()
    {
        var origin = SdpOrigin.Create(1, 1);
        Assert.Multiple(() =>
        {
            Assert.That(() => JsepBuilder.CreateOffer(origin, Transport(), [new JsepDataSection("a"), new JsepDataSection("a")]), Throws.ArgumentException);
            Assert.That(() => JsepBuilder.CreateOffer(origin, Transport(), [new JsepDataSection("a b")]), Throws.ArgumentException);
            Assert.That(() => JsepBuilder.CreateOffer(origin, new JsepLocalTransport(Credentials, []), [new JsepDataSection("a")]), Throws.ArgumentException);
        });
    }

    [Test]
    public void Origin_version_grows_only_when_the_description_changes()
    {
        // RFC 8829 §5.2.2: sess-version is incremented when the description differs from the last one.
        var origin = new JsepOrigin();
        var first = JsepBuilder.CreateOffer(SdpOrigin.Create(0, 0), Transport(), [new JsepDataSection("0")]);
        var same = JsepBuilder.CreateOffer(SdpOrigin.Create(0, 0), Transport(), [new JsepDataSection("0")]);
        var changed = JsepBuilder.CreateOffer(SdpOrigin.Create(0, 0), Transport(), [new JsepDataSection("0"), new JsepDataSection("1")]);
        Assert.Multiple(() =>
        {
            Assert.That(origin.Stamp(first).SessionVersion, Is.EqualTo("0"));
            Assert.That(origin.Stamp(same).SessionVersion, Is.EqualTo("0"));
            Assert.That(origin.Stamp(changed).SessionVersion, Is.EqualTo("1"));
            Assert.That(changed.Origin.SessionId, Is.EqualTo(first.Origin.SessionId));
            // RFC 8829 §5.2.1: a 64-bit id with the highest bit zero.
            Assert.That(origin.SessionId, Is.LessThan(1UL << 63).And.GreaterThan(0UL));
            Assert.That(new JsepOrigin().SessionId, Is.Not.EqualTo(origin.SessionId));
        });
    }

    [Test]
    public void Answer_to_chrome_data_offer()
    {
        var offer = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer));
        var answer = JsepBuilder.CreateAnswer(offer, SdpOrigin.Create(5, 1), Transport());
        var m = answer.Media.Single();
        Assert.Multiple(() =>
        {
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0" }));
            Assert.That(m.IsDataChannel, Is.True);
            Assert.That(m.Mid, Is.EqualTo("0"));
            // RFC 8842 §5.3: the answerer to actpass says active.
            Assert.That(m.Setup, Is.EqualTo(DtlsSetup.Active));
            Assert.That(m.SctpPort, Is.EqualTo(5000));
            Assert.That(m.MaxMessageSize, Is.EqualTo(262144));
            Assert.That(m.IceUfrag, Is.EqualTo("aB3d"));
            Assert.That(m.Fingerprints.Single(), Is.EqualTo(Fingerprint));
        });
    }

    [Test]
    public void Answer_to_chrome_audio_video_data_offer_rejects_media_and_bundles_data()
    {
        var offer = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer));
        var host = RTCIceCandidate.Parse("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host");
        var answer = SdpSessionDescription.Parse(JsepBuilder.CreateAnswer(offer, SdpOrigin.Create(5, 1), Transport(host)).ToString());
        Assert.Multiple(() =>
        {
            Assert.That(answer.Media.Select(m => m.Media), Is.EqualTo(new[] { "audio", "video", "application" }));
            Assert.That(answer.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "2" }));
            Assert.That(answer.Media.Select(m => m.Port), Is.EqualTo(new[] { 0, 0, 50000 }));
            Assert.That(answer.Media[0].Direction, Is.EqualTo(SdpDirection.Inactive));
            Assert.That(answer.Media[0].Formats, Is.EqualTo(new[] { "111" }));
            // RFC 8843 §7.3.1: rejected sections leave the group; the data section becomes the tag.
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "2" }));
            Assert.That(answer.Media[2].GetCandidates(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Answer_to_an_active_offer_is_passive()
    {
        var text = SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer).Replace("a=setup:actpass", "a=setup:active", StringComparison.Ordinal);
        var answer = JsepBuilder.CreateAnswer(SdpSessionDescription.Parse(text), SdpOrigin.Create(5, 1), Transport());
        Assert.That(answer.Media[0].Setup, Is.EqualTo(DtlsSetup.Passive));
    }

    [Test]
    public void Answer_with_explicit_sections_and_setup()
    {
        var offer = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer));
        var answer = JsepBuilder.CreateAnswer(offer, SdpOrigin.Create(5, 1), Transport(), [new JsepDataSection("ignored") { SctpPort = 5001 }], DtlsSetup.Passive);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Media[0].Mid, Is.EqualTo("0"));
            Assert.That(answer.Media[0].SctpPort, Is.EqualTo(5001));
            Assert.That(answer.Media[0].Setup, Is.EqualTo(DtlsSetup.Passive));
            Assert.That(() => JsepBuilder.CreateAnswer(offer, SdpOrigin.Create(5, 1), Transport(), []), Throws.ArgumentException);
        });
    }

    [Test]
    public void Answer_rejects_an_offer_with_holdconn()
    {
        var text = SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer).Replace("a=setup:actpass", "a=setup:holdconn", StringComparison.Ordinal);
        Assert.That(() => JsepBuilder.CreateAnswer(SdpSessionDescription.Parse(text), SdpOrigin.Create(5, 1), Transport()),
            Throws.TypeOf<InvalidAccessException>());
    }
}
