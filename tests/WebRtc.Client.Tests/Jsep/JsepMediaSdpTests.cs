using WebRtc.Client.Codecs;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;
using static WebRtc.Client.Tests.Jsep.JsepBuilderTests;

namespace WebRtc.Client.Tests.Jsep;

// Audio/video m-sections through JsepBuilder and JsepReader.
public class JsepMediaSdpTests
{
    private static readonly JsepLocalTransport Remote = new(new IceCredentials("Zr7q", "k3Jd9LqX2vWn0pT5sYbH8mQe"), [RTCDtlsFingerprint.Compute("sha-256", [9])]);

    private static JsepMediaSection Sending(string mid, CodecKind kind, CodecRegistry registry, uint ssrc, uint? rtx) => new(mid, kind)
    {
        Codecs = JsepMedia.OfferCodecs(kind, registry),
        HeaderExtensions = JsepMedia.OfferHeaderExtensions(kind),
        StreamIds = ["stream"],
        TrackId = kind == CodecKind.Audio ? "a-track" : "v-track",
        Ssrc = ssrc,
        RtxSsrc = rtx,
        Cname = "cname1",
    };

    private static SdpSessionDescription OfferAvData(CodecRegistry registry, params RTCIceCandidate[] candidates) =>
        JsepBuilder.CreateOffer(SdpOrigin.Create(1, 1), Transport(candidates),
            [Sending("0", CodecKind.Audio, registry, 1111, null), Sending("1", CodecKind.Video, registry, 2222, 3333), new JsepDataSection("2")]);

    [Test]
    public void Video_section_is_written_in_chromium_attribute_order()
    {
        var host = RTCIceCandidate.Parse("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host");
        var offer = OfferAvData(JsepMediaTests.Registry(), host);
        var text = offer.ToString();
        var video = text[text.IndexOf("m=video", StringComparison.Ordinal)..text.IndexOf("m=application", StringComparison.Ordinal)];
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\na=extmap-allow-mixed\r\nm=audio 50000 UDP/TLS/RTP/SAVPF 111 9 0 8\r\n"));
            Assert.That(video, Is.EqualTo(
                "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 109 114\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=ice-ufrag:aB3d\r\na=ice-pwd:0123456789abcdefABCDEF+/\r\na=ice-options:trickle\r\n"
                + $"a=fingerprint:{Fingerprint.ToSdpValue()}\r\na=setup:actpass\r\na=mid:1\r\n"
                + "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
                + "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                + "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                + "a=sendrecv\r\na=msid:stream v-track\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
                + "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\na=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
                + "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
                + "a=rtpmap:98 VP9/90000\r\na=rtcp-fb:98 goog-remb\r\na=rtcp-fb:98 transport-cc\r\na=rtcp-fb:98 ccm fir\r\na=rtcp-fb:98 nack\r\na=rtcp-fb:98 nack pli\r\n"
                + "a=fmtp:98 profile-id=0\r\na=rtpmap:99 rtx/90000\r\na=fmtp:99 apt=98\r\n"
                + "a=rtpmap:109 H264/90000\r\na=rtcp-fb:109 goog-remb\r\na=rtcp-fb:109 transport-cc\r\na=rtcp-fb:109 ccm fir\r\na=rtcp-fb:109 nack\r\na=rtcp-fb:109 nack pli\r\n"
                + $"a=fmtp:109 {JsepMediaTests.H264Fmtp}\r\na=rtpmap:114 rtx/90000\r\na=fmtp:114 apt=109\r\n"
                + "a=ssrc-group:FID 2222 3333\r\na=ssrc:2222 cname:cname1\r\na=ssrc:2222 msid:stream v-track\r\na=ssrc:3333 cname:cname1\r\na=ssrc:3333 msid:stream v-track\r\n"));
            Assert.That(offer.Media[0].GetCandidates(), Has.Count.EqualTo(1), "candidates only in the bundle tag");
            Assert.That(offer.Media[0].Ssrcs.Select(s => s.ToString()), Is.EqualTo(new[] { "1111 cname:cname1", "1111 msid:stream a-track" }));
            Assert.That(offer.Media[0].SsrcGroups, Is.Empty, "audio has no RTX");
        });
    }

    [Test]
    public void Recvonly_section_has_no_ssrc_or_msid_and_a_track_in_no_stream_writes_a_dash()
    {
        var registry = JsepMediaTests.Registry();
        var offer = JsepBuilder.CreateOffer(SdpOrigin.Create(1, 1), Transport(),
        [
            new JsepMediaSection("0", CodecKind.Video) { Direction = SdpDirection.RecvOnly, Codecs = JsepMedia.OfferCodecs(CodecKind.Video, registry), RtcpRsize = false },
            new JsepMediaSection("1", CodecKind.Audio) { Codecs = JsepMedia.OfferCodecs(CodecKind.Audio, registry), TrackId = "t", Ssrc = 5, Cname = "c" },
        ]);
        var m = offer.Media[0];
        Assert.Multiple(() =>
        {
            Assert.That(m.Direction, Is.EqualTo(SdpDirection.RecvOnly));
            Assert.That(m.Ssrcs, Is.Empty);
            Assert.That(m.SsrcGroups, Is.Empty);
            Assert.That(m.Msids, Is.Empty);
            Assert.That(m.RtcpRsize, Is.False);
            Assert.That(m.RtcpMux, Is.True);
            Assert.That(offer.Media[1].Msids, Is.EqualTo(new[] { new SdpMsid("-", "t") }));
            Assert.That(offer.Media[1].Ssrcs.Select(s => s.ToString()), Is.EqualTo(new[] { "5 cname:c", "5 msid:- t" }));
        });
    }

    [Test]
    public void Invalid_media_sections_are_argument_exceptions()
    {
        var codecs = JsepMedia.OfferCodecs(CodecKind.Audio, JsepMediaTests.Registry());
        JsepSection[][] bad =
        [
            [new JsepMediaSection("0", CodecKind.Audio)],
            [new JsepMediaSection("0", CodecKind.Audio) { Codecs = [codecs[0], codecs[0]] }],
            [new JsepMediaSection("0", CodecKind.Audio) { Codecs = codecs, Ssrc = 1 }],
            [new JsepMediaSection("0", CodecKind.Audio) { Codecs = codecs, HeaderExtensions = [new(0, "urn:x")] }],
            [new JsepMediaSection("0", CodecKind.Audio) { Codecs = codecs, TrackId = "a b" }],
        ];
        foreach (var sections in bad)
        {
            Assert.That(() => JsepBuilder.CreateOffer(SdpOrigin.Create(1, 1), Transport(), sections), Throws.ArgumentException);
        }
    }

    [Test]
    public void Offer_answer_round_trip_with_audio_video_and_data_in_one_bundle()
    {
        var registry = JsepMediaTests.Registry();
        var ourOffer = OfferAvData(registry);
        var offerText = ourOffer.ToString();

        // The remote side reads our offer and answers with what it has in common.
        var plan = new JsepSection?[3];
        var offered = JsepReader.ReadOffer(offerText);
        foreach (var m in offered.MediaSections)
        {
            plan[m.MLineIndex] = new JsepMediaSection(m.Mid!, m.Kind)
            {
                Codecs = JsepMedia.AnswerCodecs(m, registry),
                HeaderExtensions = JsepMedia.AnswerHeaderExtensions(m),
                Direction = JsepMedia.AnswerDirection(m.Direction, wantSend: m.Kind == CodecKind.Video, wantReceive: true),
                StreamIds = ["remote"],
                TrackId = m.Kind == CodecKind.Video ? "rv" : null,
                Ssrc = m.Kind == CodecKind.Video ? 7777u : null,
                RtxSsrc = m.Kind == CodecKind.Video ? 8888u : null,
                Cname = "rc",
            };
        }
        plan[2] = new JsepDataSection("2");
        var forAnswer = JsepReader.ReadOffer(SdpSessionDescription.Parse(offerText), plan);
        var answer = JsepBuilder.CreateAnswer(forAnswer.Sdp, SdpOrigin.Create(2, 1), Remote, plan);
        var answerText = answer.ToString();

        // We read the answer against our offer.
        var read = JsepReader.ReadAnswer(answerText, ourOffer);
        var ourVideo = (JsepMediaSection)JsepBuilder_Sections(ourOffer, registry)[1];
        var dropped = new List<string>();
        var sendVideo = JsepMedia.AcceptedCodecs(ourVideo, read.MediaSections[1], dropped);
        Assert.Multiple(() =>
        {
            Assert.That(forAnswer.TransportMLineIndex, Is.Zero);
            Assert.That(offered.MediaSections.Select(m => (m.Ssrcs.Single(), m.Cname, m.TrackId)),
                Is.EqualTo(new[] { (1111u, (string?)"cname1", (string?)"a-track"), (2222u, "cname1", "v-track") }));
            Assert.That(offered.MediaSections[1].RtxSsrcs[2222], Is.EqualTo(3333u));
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
            Assert.That(answer.Attributes.Contains("extmap-allow-mixed"), Is.True);
            Assert.That(answer.Media.Select(m => m.Setup), Is.All.EqualTo(DtlsSetup.Active));
            Assert.That(read.MediaSections.Select(m => m.Direction), Is.EqualTo(new[] { SdpDirection.RecvOnly, SdpDirection.SendRecv }));
            Assert.That(read.MediaSections[0].Ssrcs, Is.Empty);
            Assert.That((read.MediaSections[1].Ssrcs.Single(), read.MediaSections[1].RtxSsrcs[7777], read.MediaSections[1].Cname), Is.EqualTo((7777u, 8888u, "rc")));
            Assert.That(read.MediaSections[1].StreamIds, Is.EqualTo(new[] { "remote" }));
            Assert.That(read.MediaSections[1].TrackId, Is.EqualTo("rv"));
            Assert.That(read.MediaSections[0].Codecs.Select(c => c.PayloadType), Is.EqualTo(new[] { 111, 9, 0, 8 }));
            Assert.That(read.DataSection!.MLineIndex, Is.EqualTo(2));
            Assert.That(read.TransportMLineIndex, Is.Zero);
            Assert.That(sendVideo.Select(c => (c.PayloadType, c.RtxPayloadType, c.Local!.Name)),
                Is.EqualTo(new[] { (96, (int?)97, "VP8"), (98, 99, "VP9"), (109, 114, "H264") }));
            Assert.That(dropped, Is.Empty);
            Assert.That(read.MediaSections[1].HeaderExtensions.Select(e => e.Id), Is.EqualTo(new[] { 2, 3, 4 }));
        });
    }

    // Rebuilds our offered sections the way the offer was made (the peer connection keeps them).
    private static JsepSection[] JsepBuilder_Sections(SdpSessionDescription offer, CodecRegistry registry) =>
        [Sending("0", CodecKind.Audio, registry, 1111, null), Sending("1", CodecKind.Video, registry, 2222, 3333), new JsepDataSection("2")];

    [Test]
    public void Answer_rejects_audio_keeps_its_kind_and_moves_the_bundle_tag()
    {
        var chrome = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer));
        var video = JsepReader.ReadOffer(chrome).MediaSections[1];
        var plan = new JsepSection?[]
        {
            null,
            new JsepMediaSection("ignored", CodecKind.Video) { Codecs = JsepMedia.AnswerCodecs(video, JsepMediaTests.Registry()), Direction = SdpDirection.RecvOnly },
            new JsepDataSection("2"),
        };
        var host = RTCIceCandidate.Parse("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host");
        var forAnswer = JsepReader.ReadOffer(chrome, plan);
        var answer = SdpSessionDescription.Parse(JsepBuilder.CreateAnswer(chrome, SdpOrigin.Create(1, 1), Transport(host), plan).ToString());
        Assert.Multiple(() =>
        {
            Assert.That((answer.Media[0].Media, answer.Media[0].Port, answer.Media[0].Direction), Is.EqualTo(("audio", 0, (SdpDirection?)SdpDirection.Inactive)));
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "1", "2" }));
            Assert.That(answer.Media[1].Mid, Is.EqualTo("1"));
            Assert.That(answer.Media[1].Formats, Is.EqualTo(new[] { "96", "97", "109", "114", "98", "99" }));
            Assert.That(answer.Media[1].GetCandidates(), Has.Count.EqualTo(1));
            Assert.That(answer.Media[2].GetCandidates(), Is.Empty);
            // The offerer keeps the transport of the answer's tag: mid 1, port 52907 in Chromium's offer.
            Assert.That(forAnswer.TransportMLineIndex, Is.EqualTo(1));
            Assert.That(forAnswer.Candidates.Select(c => c.Port).Distinct(), Is.EqualTo(new[] { 52907, 9 }));
            Assert.That(JsepReader.ReadOffer(chrome).TransportMLineIndex, Is.EqualTo(2), "without a plan the data section stays the transport");
        });

        var back = JsepReader.ReadAnswer(answer, chrome);
        Assert.That((back.MediaSections[0].IsRejected, back.MediaSections[0].Kind, back.MediaSections[1].IsRejected), Is.EqualTo((true, CodecKind.Audio, false)));
        Assert.That(() => JsepBuilder.CreateAnswer(chrome, SdpOrigin.Create(1, 1), Transport(), [plan[1], null, plan[2]]),
            Throws.ArgumentException.With.Message.Contains("m-line 0 is audio"));
        Assert.That(() => JsepBuilder.CreateAnswer(chrome, SdpOrigin.Create(1, 1), Transport(), [null, null, plan[1]]), Throws.ArgumentException);
    }

    [Test]
    public void Audio_only_offer_reads_without_a_data_section()
    {
        var chrome = SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer);
        var audioOnly = chrome[..chrome.IndexOf("m=video", StringComparison.Ordinal)].Replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0", StringComparison.Ordinal);
        var offer = JsepReader.ReadOffer(audioOnly);
        Assert.Multiple(() =>
        {
            Assert.That(offer.DataSection, Is.Null);
            Assert.That(offer.MediaSections.Single().Kind, Is.EqualTo(CodecKind.Audio));
            Assert.That(offer.TransportMLineIndex, Is.Zero);
            Assert.That(offer.Candidates, Has.Count.EqualTo(2));
            Assert.That(offer.Sections.Single().IsUsed, Is.True);
        });
    }

    [TestCase("UDP/TLS/RTP/SAVP")]
    [TestCase("RTP/SAVPF")]
    public void Older_secure_rtp_protocols_are_usable(string proto)
    {
        var chrome = SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer).Replace("UDP/TLS/RTP/SAVPF", proto, StringComparison.Ordinal);
        var offer = JsepReader.ReadOffer(chrome);
        Assert.That(offer.MediaSections.Select(m => (m.IsUsable, m.Proto)), Is.All.EqualTo((true, proto)));
    }

    [Test]
    public void Rtp_avp_only_offer_is_operation_error_naming_the_m_line()
    {
        var chrome = SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer);
        var avp = chrome[..chrome.IndexOf("m=video", StringComparison.Ordinal)]
            .Replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0", StringComparison.Ordinal)
            .Replace("UDP/TLS/RTP/SAVPF", "RTP/AVP", StringComparison.Ordinal);
        Assert.That(() => JsepReader.ReadOffer(avp), Throws.TypeOf<OperationErrorException>()
            .With.Message.Contains("m-line 0 (audio RTP/AVP, mid 0)").And.Message.Contains("no DTLS-SRTP"));
        Assert.That(JsepReader.ClassifySections(SdpSessionDescription.Parse(avp)).Single().UnusedReason, Does.Contain("RTP/AVP"));
    }

    [Test]
    public void Answer_without_rtcp_mux_is_invalid_access()
    {
        var registry = JsepMediaTests.Registry();
        var ourOffer = OfferAvData(registry);
        var offered = JsepReader.ReadOffer(ourOffer.ToString());
        var plan = offered.MediaSections.Select(m => (JsepSection?)new JsepMediaSection(m.Mid!, m.Kind) { Codecs = JsepMedia.AnswerCodecs(m, registry) })
            .Append(new JsepDataSection("2")).ToArray();
        var answer = JsepBuilder.CreateAnswer(ourOffer, SdpOrigin.Create(2, 1), Remote, plan).ToString();
        var noMux = answer.Replace("a=rtcp-mux\r\n", string.Empty, StringComparison.Ordinal);
        Assert.That(JsepReader.ReadAnswer(answer, ourOffer).MediaSections, Has.Count.EqualTo(2));
        Assert.That(() => JsepReader.ReadAnswer(noMux, ourOffer), Throws.TypeOf<InvalidAccessException>().With.Message.Contains("rtcp-mux").And.Message.Contains("m-line 0"));
    }

    [Test]
    public void Malformed_rtp_attributes_are_skipped_and_the_section_still_reads()
    {
        // The parser refuses such lines in text (SdpParseException, as libwebrtc); a description built or edited
        // in code can still hold them, and reading it skips them.
        var sdp = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer));
        void Edit(int media, string from, string? to)
        {
            var list = sdp.Media[media].Attributes;
            var i = list.Select((a, i) => (a, i)).First(x => x.a.ToString() == from).i;
            if (to is null) { list.RemoveAt(i); }
            else { list[i] = SdpAttribute.Parse(to); }
        }
        Edit(0, "rtpmap:9 G722/8000", "rtpmap:9 G722");                 // falls back to the static type
        Edit(1, "rtpmap:96 VP8/90000", "rtpmap:96 VP8/abc");             // no rtpmap: dropped, its rtx too
        Edit(1, "fmtp:109 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", "fmtp:109level-asymmetry-allowed=1");
        Edit(1, "rtcp-fb:98 nack pli", "rtcp-fb:98");
        Edit(1, "ssrc-group:FID 1697281144 3310762785", "ssrc-group:FID x y");
        Edit(1, "extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "extmap:x http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time");
        Edit(1, "msid:9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70 e07d5b2c-8a41-4f96-a3d0-1b6c7e9f2a58", "msid:a b c");
        sdp.Media[0].Formats.Insert(0, "128");
        sdp.Media[0].Formats.Insert(0, "abc");
        var offer = JsepReader.ReadOffer(sdp);
        var (audio, video) = (offer.MediaSections[0], offer.MediaSections[1]);
        Assert.Multiple(() =>
        {
            Assert.That(audio.Codecs.Select(c => c.ToString()), Is.EqualTo(new[] { "111 opus/48000/2", "9 G722/8000", "0 PCMU/8000", "8 PCMA/8000" }));
            Assert.That(video.Codecs.Select(c => c.PayloadType).Take(2), Is.EqualTo(new[] { 103, 107 }));
            Assert.That(video.AuxiliaryCodecs.Select(c => c.PayloadType), Does.Contain(97), "an rtx whose codec is gone");
            Assert.That(video.Ssrcs, Is.EqualTo(new uint[] { 1697281144, 3310762785 }), "without a valid FID group both are primaries");
            Assert.That(video.HeaderExtensions.Select(e => e.Id), Does.Not.Contain(2));
            Assert.That(video.StreamIds, Is.EqualTo(new[] { "9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70" }), "from a=ssrc msid when a=msid is unreadable");
            Assert.That(JsepMedia.AnswerCodecs(video, JsepMediaTests.Registry()).Select(c => c.Name), Is.EqualTo(new[] { "VP9" }),
                "109 lost its fmtp (mode 0, constrained baseline by default) and VP8 its rtpmap");
        });
    }
}
