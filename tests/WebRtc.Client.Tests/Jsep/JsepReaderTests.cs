using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Jsep;

public class JsepReaderTests
{
    private static string ChromeOffer => SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer);

    private static SdpSessionDescription OurOffer(DtlsSetup setup = DtlsSetup.ActPass) =>
        JsepBuilder.CreateOffer(SdpOrigin.Create(1, 1), JsepBuilderTests.Transport(), [new JsepDataSection("0")], setup);

    [Test]
    public void Chrome_data_offer()
    {
        var r = JsepReader.ReadOffer(ChromeOffer);
        Assert.Multiple(() =>
        {
            Assert.That(r.IsOffer, Is.True);
            Assert.That(r.IceCredentials.Ufrag, Is.EqualTo("uT4x"));
            Assert.That(r.IceCredentials.Pwd, Is.EqualTo("N8b2QwErTy6uIoP0aSdF3gHj"));
            Assert.That(r.IceLite, Is.False);
            Assert.That(r.Trickle, Is.True);
            Assert.That(r.Fingerprints.Single().Algorithm, Is.EqualTo("sha-256"));
            Assert.That(r.RemoteSetup, Is.EqualTo(DtlsSetup.ActPass));
            Assert.That(r.LocalSetup, Is.EqualTo(DtlsSetup.Active));
            // Offerer actpass + answerer active: the answerer (we) is the DTLS client (RFC 8842 §5.3).
            Assert.That(r.LocalDtlsRole, Is.EqualTo(DtlsRole.Client));
            Assert.That(r.Candidates, Is.Empty);
            Assert.That(r.EndOfCandidates, Is.False);
            Assert.That(r.DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "0", 5000, 262144)));
            Assert.That(r.TransportMLineIndex, Is.Zero);
            Assert.That(r.BundleMids, Is.EqualTo(new[] { "0" }));
        });
    }

    [Test]
    public void Chrome_audio_video_data_offer_uses_the_data_sections_transport()
    {
        var r = JsepReader.ReadOffer(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer));
        Assert.Multiple(() =>
        {
            Assert.That(r.DataSection!.MLineIndex, Is.EqualTo(2));
            Assert.That(r.TransportMLineIndex, Is.EqualTo(2));
            Assert.That(r.TransportMid, Is.EqualTo("2"));
            Assert.That(r.Candidates.Select(c => c.Port), Is.EqualTo(new[] { 36214, 9 }));
            Assert.That(r.Candidates.All(c => c.SdpMid == "2" && c.SdpMLineIndex == 2 && c.UsernameFragment == "Zr7q"), Is.True);
            Assert.That(r.Sections.Select(s => s.IsDataChannel), Is.EqualTo(new[] { false, false, true }));
        });
    }

    [Test]
    public void Firefox_offer_with_session_level_fingerprint()
    {
        var r = JsepReader.ReadOffer(SdpCorpus.Crlf(SdpCorpus.FirefoxAudioVideoDataOffer));
        Assert.Multiple(() =>
        {
            Assert.That(r.Fingerprints, Has.Count.EqualTo(1));
            Assert.That(r.DataSection!.MaxMessageSize, Is.EqualTo(1073741823));
            Assert.That(r.IceCredentials.Ufrag, Is.EqualTo("3e8a1d7c"));
            Assert.That(r.Trickle, Is.True);
        });
    }

    [Test]
    public void Chrome_answer_to_our_offer()
    {
        var r = JsepReader.ReadAnswer(SdpCorpus.Crlf(SdpCorpus.ChromeDataAnswer), OurOffer());
        Assert.Multiple(() =>
        {
            Assert.That(r.IsOffer, Is.False);
            Assert.That(r.RemoteSetup, Is.EqualTo(DtlsSetup.Active));
            Assert.That(r.LocalSetup, Is.EqualTo(DtlsSetup.ActPass));
            Assert.That(r.LocalDtlsRole, Is.EqualTo(DtlsRole.Server));
            Assert.That(r.Candidates, Has.Count.EqualTo(2));
            Assert.That(r.Candidates[0].Port, Is.EqualTo(47212));
        });
    }

    [Test]
    public void Firefox_answer_end_of_candidates()
    {
        var r = JsepReader.ReadAnswer(SdpCorpus.Crlf(SdpCorpus.FirefoxDataAnswer), OurOffer());
        Assert.Multiple(() =>
        {
            Assert.That(r.EndOfCandidates, Is.True);
            Assert.That(r.Candidates, Has.Count.EqualTo(2));
            Assert.That(r.DataSection!.MaxMessageSize, Is.EqualTo(1073741823));
        });
    }

    [Test]
    public void Absent_sctp_port_and_max_message_size_take_the_rfc_defaults()
    {
        var text = ChromeOffer.Replace("a=sctp-port:5000\r\n", "", StringComparison.Ordinal).Replace("a=max-message-size:262144\r\n", "", StringComparison.Ordinal);
        // RFC 8841 §5.2: sctp-port defaults to 5000; §6.1: absent max-message-size means 64 KiB.
        Assert.That(JsepReader.ReadOffer(text).DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "0", 5000, 65536)));
    }

    [Test]
    public void Ice_lite_and_session_level_credentials()
    {
        var text = ChromeOffer
            .Replace("t=0 0\r\n", "t=0 0\r\na=ice-lite\r\na=ice-ufrag:sess\r\na=ice-pwd:SessionLevelPassword0123\r\n", StringComparison.Ordinal)
            .Replace("a=ice-ufrag:uT4x\r\na=ice-pwd:N8b2QwErTy6uIoP0aSdF3gHj\r\n", "", StringComparison.Ordinal);
        var r = JsepReader.ReadOffer(text);
        Assert.Multiple(() =>
        {
            Assert.That(r.IceLite, Is.True);
            Assert.That(r.IceCredentials.Ufrag, Is.EqualTo("sess"));
        });
    }

    [Test]
    public void Missing_setup_in_an_offer_reads_as_actpass()
    {
        var r = JsepReader.ReadOffer(ChromeOffer.Replace("a=setup:actpass\r\n", "", StringComparison.Ordinal));
        Assert.That(r.RemoteSetup, Is.EqualTo(DtlsSetup.ActPass));
    }

    [Test]
    public void Bundle_only_data_section_uses_the_tag_transport()
    {
        // RFC 8843 §6: a bundle-only section has port 0 and takes the tagged section's transport.
        var firefox = SdpCorpus.Crlf(SdpCorpus.FirefoxAudioVideoDataOffer)
            .Replace("m=application 9", "m=application 0", StringComparison.Ordinal)
            .Replace("a=mid:2\r\n", "a=mid:2\r\na=bundle-only\r\n", StringComparison.Ordinal);
        var r = JsepReader.ReadOffer(firefox);
        Assert.Multiple(() =>
        {
            Assert.That(r.DataSection!.MLineIndex, Is.EqualTo(2));
            Assert.That(r.TransportMLineIndex, Is.Zero);
        });
    }

    [TestCase("a=ice-ufrag:uT4x\r\n", "", "ice-ufrag")]
    [TestCase("a=ice-pwd:N8b2QwErTy6uIoP0aSdF3gHj\r\n", "", "ice-pwd")]
    [TestCase("a=ice-ufrag:uT4x", "a=ice-ufrag:u!", "ice-ufrag")]
    [TestCase("a=ice-pwd:N8b2QwErTy6uIoP0aSdF3gHj", "a=ice-pwd:short", "ice-pwd")]
    [TestCase("a=fingerprint:sha-256 ", "a=x-fingerprint:sha-256 ", "fingerprint")]
    [TestCase("a=fingerprint:sha-256 ", "a=fingerprint:md5 ", "hash function")]
    [TestCase("a=setup:actpass", "a=setup:holdconn", "setup")]
    [TestCase("a=group:BUNDLE 0", "a=group:BUNDLE 0 7", "BUNDLE")]
    public void Unusable_offer_is_invalid_access(string original, string replacement, string expected)
    {
        var text = ChromeOffer.Replace(original, replacement, StringComparison.Ordinal);
        Assert.That(text, Is.Not.EqualTo(ChromeOffer));
        Assert.That(() => JsepReader.ReadOffer(text), Throws.TypeOf<InvalidAccessException>().With.Message.Contains(expected));
    }

    [Test]
    public void Invalid_password_is_never_quoted()
    {
        var text = ChromeOffer.Replace("a=ice-pwd:N8b2QwErTy6uIoP0aSdF3gHj", "a=ice-pwd:Secret", StringComparison.Ordinal);
        Assert.That(() => JsepReader.ReadOffer(text), Throws.TypeOf<InvalidAccessException>().With.Message.Not.Contains("Secret"));
    }

    [Test]
    public void Offer_without_data_is_allowed_when_not_required()
    {
        var text = ChromeOffer.Replace("UDP/DTLS/SCTP webrtc-datachannel", "UDP/TLS/RTP/SAVPF 111", StringComparison.Ordinal);
        var r = JsepReader.ReadOffer(text, requireDataSection: false);
        Assert.Multiple(() =>
        {
            Assert.That(r.DataSection, Is.Null);
            Assert.That(r.TransportMLineIndex, Is.Zero);
        });
    }

    [Test]
    public void Duplicate_mids_are_invalid_access()
    {
        var text = ChromeOffer + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n";
        Assert.That(() => JsepReader.ReadOffer(text), Throws.TypeOf<InvalidAccessException>().With.Message.Contains("twice"));
    }

    [Test]
    public void Syntax_error_is_sdp_parse_exception() =>
        Assert.That(() => JsepReader.ReadOffer(ChromeOffer.Replace("a=sctp-port:5000", "a=sctp-port:x", StringComparison.Ordinal)),
            Throws.TypeOf<SdpParseException>());

    [TestCase("a=setup:active", "a=setup:actpass", DtlsSetup.ActPass)]
    [TestCase("a=setup:active", "a=setup:holdconn", DtlsSetup.ActPass)]
    [TestCase("a=setup:active", "a=setup:passive", DtlsSetup.Passive)]
    public void Bad_answer_setup_is_invalid_access(string original, string replacement, DtlsSetup offered)
    {
        // RFC 8842 §5.3: an answer says active or passive, and the opposite of a non-actpass offer.
        var text = SdpCorpus.Crlf(SdpCorpus.ChromeDataAnswer).Replace(original, replacement, StringComparison.Ordinal);
        Assert.That(() => JsepReader.ReadAnswer(text, OurOffer(offered)), Throws.TypeOf<InvalidAccessException>().With.Message.Contains("setup"));
    }

    [Test]
    public void Answer_that_does_not_match_the_offer_is_invalid_access()
    {
        var answer = SdpCorpus.Crlf(SdpCorpus.ChromeDataAnswer);
        Assert.Multiple(() =>
        {
            Assert.That(() => JsepReader.ReadAnswer(answer.Replace("a=mid:0", "a=mid:x", StringComparison.Ordinal).Replace("BUNDLE 0", "BUNDLE x", StringComparison.Ordinal), OurOffer()),
                Throws.TypeOf<InvalidAccessException>().With.Message.Contains("does not match"));
            Assert.That(() => JsepReader.ReadAnswer(answer + "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n", OurOffer()),
                Throws.TypeOf<InvalidAccessException>().With.Message.Contains("m-lines"));
            // A valid answer that rejects our data section: nothing to use, not malformed (W3C OperationError).
            Assert.That(() => JsepReader.ReadAnswer(answer.Replace("m=application 47212", "m=application 0", StringComparison.Ordinal), OurOffer()),
                Throws.TypeOf<OperationErrorException>().With.Message.Contains("port 0"));
        });
    }

    [Test]
    public void Offer_answer_loop_gives_complementary_roles_and_each_others_parameters()
    {
        var offererIce = IceCredentials.Generate();
        var answererIce = IceCredentials.Generate();
        var offererFp = RTCDtlsFingerprint.Compute("sha-256", [1]);
        var answererFp = RTCDtlsFingerprint.Compute("sha-256", [2]);
        var candidate = RTCIceCandidate.Parse("candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host");

        var offer = JsepBuilder.CreateOffer(SdpOrigin.Create(JsepOrigin.NewSessionId(), 0),
            new JsepLocalTransport(offererIce, [offererFp]) { Candidates = [candidate], EndOfCandidates = true }, [new JsepDataSection("0")]);
        var atAnswerer = JsepReader.ReadOffer(offer.ToString());
        var answer = JsepBuilder.CreateAnswer(atAnswerer.Sdp, SdpOrigin.Create(JsepOrigin.NewSessionId(), 0), new JsepLocalTransport(answererIce, [answererFp]));
        var atOfferer = JsepReader.ReadAnswer(answer.ToString(), offer);
        Assert.Multiple(() =>
        {
            Assert.That(atAnswerer.IceCredentials, Is.EqualTo(offererIce));
            Assert.That(atAnswerer.Fingerprints.Single(), Is.EqualTo(offererFp));
            Assert.That(atAnswerer.Candidates.Single().Port, Is.EqualTo(40000));
            Assert.That(atAnswerer.EndOfCandidates, Is.True);
            Assert.That(atOfferer.IceCredentials, Is.EqualTo(answererIce));
            Assert.That(atOfferer.Fingerprints.Single(), Is.EqualTo(answererFp));
            Assert.That(atOfferer.Candidates, Is.Empty);
            Assert.That(atAnswerer.LocalDtlsRole, Is.EqualTo(DtlsRole.Client));
            Assert.That(atOfferer.LocalDtlsRole, Is.EqualTo(DtlsRole.Server));
            Assert.That(atOfferer.DataSection, Is.EqualTo(new JsepRemoteDataSection(0, "0", 5000, 262144)));
        });
    }
}
