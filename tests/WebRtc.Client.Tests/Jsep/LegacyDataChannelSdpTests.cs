using WebRtc.Client.Dtls;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Jsep;

// The data-channel m-section in every form stacks write (RFC 8841 and the drafts before it), read and
// answered in kind; m-sections this library cannot use rejected as JSEP says.
public class LegacyDataChannelSdpTests
{
    private static readonly string Fp = JsepBuilderTests.Fingerprint.ToSdpValue();

    private static string Crlf(string lf) => SdpCorpus.Crlf(lf);

    private static SdpSessionDescription Answer(string offer) =>
        SdpSessionDescription.Parse(JsepBuilder.CreateAnswer(SdpSessionDescription.Parse(offer), SdpOrigin.Create(5, 1), JsepBuilderTests.Transport()).ToString());

    // draft-ietf-mmusic-sctp-sdp-09 (abstract): the protos were 'SCTP', 'SCTP/DTLS' and 'DTLS/SCTP', with webrtc-datachannel and a=sctp-port.
    private static string IntermediateOffer =>
        Crlf(SdpCorpus.ChromeDataOffer).Replace("UDP/DTLS/SCTP webrtc-datachannel", "DTLS/SCTP webrtc-datachannel", StringComparison.Ordinal);

    [Test]
    public void Legacy_chrome_offer_reads_the_sctp_port_from_the_format()
    {
        var r = JsepReader.ReadOffer(Crlf(SdpCorpus.LegacyChromeDataOffer));
        Assert.Multiple(() =>
        {
            // The sctpmap's 1024 is a stream count (libwebrtc: "a=sctpmap:sctpmap-number protocol [streams]"),
            // so the size is RFC 8841 §6.1's 64 KiB for a section without a=max-message-size.
            Assert.That(r.DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "data", 5000, 65536) { IsLegacyForm = true }));
            Assert.That(r.TransportMid, Is.EqualTo("data"));
            Assert.That(r.IceCredentials.Ufrag, Is.EqualTo("Lg7c"));
            Assert.That(r.Candidates.Single().Port, Is.EqualTo(50712));
            Assert.That(r.RemoteSetup, Is.EqualTo(DtlsSetup.ActPass));
            Assert.That(r.Sections.Single().IsUsed, Is.True);
        });
    }

    [Test]
    public void Legacy_firefox_offer_with_session_level_fingerprint()
    {
        var r = JsepReader.ReadOffer(Crlf(SdpCorpus.LegacyFirefoxDataOffer));
        Assert.Multiple(() =>
        {
            Assert.That(r.DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "sdparta_0", 5000, 65536) { IsLegacyForm = true }));
            Assert.That(r.Fingerprints, Has.Count.EqualTo(1));
            Assert.That(r.IceCredentials.Ufrag, Is.EqualTo("0727fc2b"));
        });
    }

    [Test]
    public void Legacy_offer_takes_max_message_size_from_a_max_message_size_or_a_draft_06_sctpmap()
    {
        var withAttribute = Crlf(SdpCorpus.LegacyFirefoxDataOffer) + "a=max-message-size:1073741823\r\n";
        // draft-ietf-mmusic-sctp-sdp-06 (as Firefox's SdpAttribute.h quotes it): app [max-message-size] [streams], each named.
        var named = Crlf(SdpCorpus.LegacyChromeDataOffer).Replace("webrtc-datachannel 1024", "webrtc-datachannel max-message-size=100000 streams=16", StringComparison.Ordinal);
        var otherPort = Crlf(SdpCorpus.LegacyChromeDataOffer).Replace("DTLS/SCTP 5000", "DTLS/SCTP 5001", StringComparison.Ordinal)
            .Replace("a=sctpmap:5000", "a=sctpmap:5001", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(JsepReader.ReadOffer(withAttribute).DataSection!.MaxMessageSize, Is.EqualTo(1073741823));
            Assert.That(JsepReader.ReadOffer(named).DataSection!.MaxMessageSize, Is.EqualTo(100000));
            Assert.That(SdpSessionDescription.Parse(named).Media[0].SctpMaps.Single(), Is.EqualTo(new SdpSctpMap(5000, "webrtc-datachannel", 16, 100000)));
            Assert.That(JsepReader.ReadOffer(otherPort).DataSection!.SctpPort, Is.EqualTo(5001));
        });
    }

    [Test]
    public void Intermediate_dtls_sctp_webrtc_datachannel_offer_uses_sctp_port()
    {
        var text = IntermediateOffer.Replace("a=sctp-port:5000", "a=sctp-port:5001", StringComparison.Ordinal)
            .Replace("a=max-message-size:262144", "a=max-message-size:100000", StringComparison.Ordinal);
        Assert.That(JsepReader.ReadOffer(text).DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "0", 5001, 100000)));
    }

    [TestCase("5000 webrtc-datachannel 1024", 5000, "webrtc-datachannel", 1024, null)]
    [TestCase("5000 webrtc-datachannel", 5000, "webrtc-datachannel", null, null)]
    [TestCase("5000 webrtc-datachannel streams=256", 5000, "webrtc-datachannel", 256, null)]
    [TestCase("5000 webrtc-datachannel max-message-size=65536", 5000, "webrtc-datachannel", null, 65536L)]
    [TestCase("5000 t38 16", 5000, "t38", 16, null)]
    public void Sctpmap_values(string value, int number, string app, int? streams, long? maxMessageSize)
    {
        Assert.That(SdpSctpMap.TryParse(value, out var map), Is.True);
        Assert.That(map, Is.EqualTo(new SdpSctpMap(number, app, streams, maxMessageSize)));
    }

    [TestCase("")]
    [TestCase("5000")]
    [TestCase("x webrtc-datachannel")]
    [TestCase("65536 webrtc-datachannel")]
    [TestCase("5000  webrtc-datachannel")]
    public void Bad_sctpmap_is_a_parse_error_naming_the_line(string value)
    {
        Assert.That(SdpSctpMap.TryParse(value, out _), Is.False);
        var text = Crlf(SdpCorpus.LegacyChromeDataOffer).Replace("a=sctpmap:5000 webrtc-datachannel 1024", "a=sctpmap:" + value, StringComparison.Ordinal);
        Assert.That(() => SdpSessionDescription.Parse(text), Throws.TypeOf<SdpParseException>().With.Message.Contains("sctpmap"));
    }

    [Test]
    public void Answer_to_a_legacy_chrome_offer_is_in_the_legacy_form()
    {
        // What libwebrtc answers to use_sctpmap: the offer's proto, the SCTP port as the format, a=sctpmap with the
        // stream count, no a=sctp-port or a=max-message-size.
        var answer = JsepBuilder.CreateAnswer(SdpSessionDescription.Parse(Crlf(SdpCorpus.LegacyChromeDataOffer)), SdpOrigin.Create(5, 1), JsepBuilderTests.Transport());
        Assert.That(answer.ToString(), Is.EqualTo(
            "v=0\r\no=- 5 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE data\r\n"
            + "m=application 9 DTLS/SCTP 5000\r\nc=IN IP4 0.0.0.0\r\n"
            + "a=ice-ufrag:aB3d\r\na=ice-pwd:0123456789abcdefABCDEF+/\r\na=ice-options:trickle\r\n"
            + $"a=fingerprint:{Fp}\r\na=setup:active\r\na=mid:data\r\na=sctpmap:5000 webrtc-datachannel 65535\r\n"));
    }

    [Test]
    public void Answer_to_a_legacy_firefox_offer_is_in_the_legacy_form_and_reads_back()
    {
        var offer = SdpSessionDescription.Parse(Crlf(SdpCorpus.LegacyFirefoxDataOffer));
        var answer = Answer(Crlf(SdpCorpus.LegacyFirefoxDataOffer));
        var m = answer.Media.Single();
        var back = JsepReader.ReadAnswer(answer, offer);
        Assert.Multiple(() =>
        {
            Assert.That((m.Media, m.Port, m.Proto, m.Formats.Single()), Is.EqualTo(("application", 9, "DTLS/SCTP", "5000")));
            Assert.That(m.IsLegacyDataChannel, Is.True);
            Assert.That(m.SctpMaps.Single(), Is.EqualTo(new SdpSctpMap(5000, "webrtc-datachannel", 65535)));
            Assert.That(m.Attributes.Contains("sctp-port") || m.Attributes.Contains("max-message-size"), Is.False);
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "sdparta_0" }));
            Assert.That((m.IceUfrag, m.IcePwd, m.Setup), Is.EqualTo(("aB3d", "0123456789abcdefABCDEF+/", (DtlsSetup?)DtlsSetup.Active)));
            Assert.That(m.Fingerprints.Single(), Is.EqualTo(JsepBuilderTests.Fingerprint));
            Assert.That(back.DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "sdparta_0", 5000, 65536) { IsLegacyForm = true }));
            Assert.That(back.LocalDtlsRole, Is.EqualTo(DtlsRole.Server));
        });
    }

    [Test]
    public void Answer_to_an_intermediate_offer_keeps_its_proto_and_uses_sctp_port()
    {
        var m = Answer(IntermediateOffer).Media.Single();
        Assert.Multiple(() =>
        {
            Assert.That((m.Proto, m.Formats.Single()), Is.EqualTo(("DTLS/SCTP", "webrtc-datachannel")));
            Assert.That((m.SctpPort, m.MaxMessageSize), Is.EqualTo(((int?)5000, (long?)262144)));
            Assert.That(m.SctpMaps, Is.Empty);
            Assert.That(m.IceUfrag, Is.EqualTo("aB3d"));
        });
    }

    [Test]
    public void Answer_to_a_firefox_offer_is_in_the_rfc_8841_form()
    {
        var offer = JsepReader.ReadOffer(Crlf(SdpCorpus.FirefoxDataOffer));
        var answer = Answer(Crlf(SdpCorpus.FirefoxDataOffer));
        var m = answer.Media.Single();
        Assert.Multiple(() =>
        {
            Assert.That(offer.DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "0", 5000, 1073741823)));
            Assert.That((m.Port, m.Proto, m.Formats.Single()), Is.EqualTo((9, "UDP/DTLS/SCTP", "webrtc-datachannel")));
            Assert.That((m.SctpPort, m.MaxMessageSize), Is.EqualTo(((int?)5000, (long?)262144)));
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0" }));
            Assert.That((m.IceUfrag, m.Setup), Is.EqualTo(("aB3d", (DtlsSetup?)DtlsSetup.Active)));
            Assert.That(m.Fingerprints, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Our_offer_answered_in_the_legacy_form()
    {
        var ours = JsepBuilder.CreateOffer(SdpOrigin.Create(1, 1), JsepBuilderTests.Transport(), [new JsepDataSection("data")]);
        Assert.That(ours.Media[0].Proto, Is.EqualTo("UDP/DTLS/SCTP"), "our own offers stay in the RFC 8841 form");
        var r = JsepReader.ReadAnswer(Crlf(SdpCorpus.LegacyChromeDataAnswer), ours);
        Assert.Multiple(() =>
        {
            Assert.That(r.DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "data", 5000, 65536) { IsLegacyForm = true }));
            Assert.That(r.RemoteSetup, Is.EqualTo(DtlsSetup.Active));
            Assert.That(r.LocalDtlsRole, Is.EqualTo(DtlsRole.Server));
            Assert.That(r.Candidates.Single().Port, Is.EqualTo(4933));
        });
    }

    [Test]
    public void Chrome_audio_video_data_offer_media_rejected_data_accepted_with_transport()
    {
        var offer = Crlf(SdpCorpus.ChromeAudioVideoDataOffer);
        var sections = JsepReader.ClassifySections(SdpSessionDescription.Parse(offer));
        var answer = Answer(offer);
        Assert.Multiple(() =>
        {
            // Audio and video over UDP/TLS/RTP/SAVPF are usable; the data-only answer plan still rejects them.
            Assert.That(sections.Select(s => s.IsUsed), Is.EqualTo(new[] { true, true, true }));
            // RFC 3264 §6 / RFC 8829 §5.3.1: port 0, the offer's media and proto, one of its formats; no transport attributes.
            foreach (var (m, i) in answer.Media.Take(2).Select((m, i) => (m, i)))
            {
                Assert.That((m.Port, m.Proto, m.Formats.Count), Is.EqualTo((0, "UDP/TLS/RTP/SAVPF", 1)), $"m-line {i}");
                Assert.That(m.IceUfrag ?? m.Attributes.GetValue("fingerprint") ?? m.Attributes.GetValue("setup"), Is.Null, $"m-line {i}");
            }
            var data = answer.Media[2];
            Assert.That((data.IceUfrag, data.IcePwd, data.Setup, data.Fingerprints.Count), Is.EqualTo(("aB3d", "0123456789abcdefABCDEF+/", (DtlsSetup?)DtlsSetup.Active, 1)));
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "2" }), "a rejected section leaves the BUNDLE group (RFC 8843 §7.3.1)");
        });
    }

    [Test]
    public void Unusable_application_sections_are_rejected_and_a_second_data_section_too()
    {
        // An offer with a BFCP section, a T.38-over-SCTP sctpmap, and two data sections: only the first data section is used.
        var chrome = Crlf(SdpCorpus.ChromeDataOffer);
        var data = chrome[chrome.IndexOf("m=application", StringComparison.Ordinal)..];
        var text = chrome.Replace("a=group:BUNDLE 0", "a=group:BUNDLE 0 1 2 3", StringComparison.Ordinal)
            + data.Replace("UDP/DTLS/SCTP webrtc-datachannel", "TCP/BFCP *", StringComparison.Ordinal).Replace("a=mid:0", "a=mid:1", StringComparison.Ordinal)
                .Replace("a=sctp-port:5000\r\na=max-message-size:262144\r\n", string.Empty, StringComparison.Ordinal)
            + data.Replace("UDP/DTLS/SCTP webrtc-datachannel", "DTLS/SCTP 5000", StringComparison.Ordinal).Replace("a=mid:0", "a=mid:2", StringComparison.Ordinal)
                .Replace("a=sctp-port:5000\r\na=max-message-size:262144", "a=sctpmap:5000 t38 16", StringComparison.Ordinal)
            + data.Replace("a=mid:0", "a=mid:3", StringComparison.Ordinal);
        var sections = JsepReader.ClassifySections(SdpSessionDescription.Parse(text));
        var answer = Answer(text);
        Assert.Multiple(() =>
        {
            Assert.That(sections.Select(s => s.IsUsed), Is.EqualTo(new[] { true, false, false, false }));
            Assert.That(sections[1].UnusedReason, Does.Contain("TCP/BFCP"));
            Assert.That(sections[2].UnusedReason, Does.Contain("'t38'"));
            Assert.That(sections[3].UnusedReason, Does.Contain("m-line 0 is the data-channel section"));
            Assert.That(answer.Media.Select(m => m.Port), Is.EqualTo(new[] { 9, 0, 0, 0 }));
            Assert.That(answer.Media.Select(m => m.Formats.Single()), Is.EqualTo(new[] { "webrtc-datachannel", "*", "5000", "webrtc-datachannel" }));
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0" }));
        });
    }

    [TestCase("m=application 9", "m=application 0", "port 0")]
    [TestCase("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "lists no RTP codec")]
    [TestCase("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "m=audio 9 RTP/AVP 0", "RTP/AVP has no DTLS-SRTP")]
    [TestCase("UDP/DTLS/SCTP webrtc-datachannel", "UDP/BFCP *", "protocol UDP/BFCP")]
    [TestCase("webrtc-datachannel", "t38", "format 't38'")]
    public void Offer_with_nothing_usable_is_operation_error_naming_each_m_line(string original, string replacement, string expected)
    {
        var chrome = Crlf(SdpCorpus.ChromeDataOffer);
        var text = chrome.Replace(original, replacement, StringComparison.Ordinal);
        Assert.That(text, Is.Not.EqualTo(chrome));
        Assert.That(() => JsepReader.ReadOffer(text), Throws.TypeOf<OperationErrorException>()
            .With.Message.Contains("m-line 0").And.Message.Contains(expected).And.Message.Contains("RFC 8841"));
    }

    [Test]
    public void Offer_with_a_legacy_sctpmap_for_another_application_is_operation_error()
    {
        var text = Crlf(SdpCorpus.LegacyChromeDataOffer).Replace("webrtc-datachannel 1024", "t38 16", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(SdpSessionDescription.Parse(text).Media[0].IsDataChannel, Is.False);
            Assert.That(() => JsepReader.ReadOffer(text), Throws.TypeOf<OperationErrorException>().With.Message.Contains("'t38'"));
        });
    }
}
