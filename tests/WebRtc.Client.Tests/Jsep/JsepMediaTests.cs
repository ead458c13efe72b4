using WebRtc.Client.Codecs;
using WebRtc.Client.Jsep;
using WebRtc.Client.Rtp;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Jsep;

// The negotiation rules of JsepMedia against offers in the shape Chromium 156 and Firefox write them.
public class JsepMediaTests
{
    internal const string H264Fmtp = "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1";

    // A Firefox 128+ offer in its published shape: opus 109, VP8 120 + rtx 124, VP9 121 + rtx 125, H264 126 (mode 1)
    // and 97 (mode 0) with rtx, ulpfec 123, red 122 + rtx 119, its own extmap ids, one a=ssrc per sending source.
    internal const string FirefoxOffer = """
v=0
o=mozilla...THIS_IS_SDPARTA-128.0 5981042339165228617 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 FF:4C:E6:BA:3F:53:8F:D9:DE:DC:FE:6C:21:3F:A9:CE:70:14:BB:18:79:D9:C0:94:BB:4B:AB:E2:9A:A1:97:4F
a=group:BUNDLE 0 1
a=ice-options:trickle
a=msid-semantic:WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
a=fmtp:101 0-15
a=ice-pwd:6f2b9c41d07e83a5b1c4e9f2a7d30856
a=ice-ufrag:3e8a1d7c
a=mid:0
a=msid:{4c9e2a71-5b3d-4f08-9e6a-c1d27b83f950} {a06d13e8-7f42-4b95-8c1a-2e9f5d7b4c36}
a=rtcp-mux
a=rtpmap:109 opus/48000/2
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=setup:actpass
a=ssrc:3094225158 cname:{e5b71c02-9d4a-4a36-b8f3-6c20d91e7a45}
m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98 123 122 119
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
a=fmtp:120 max-fs=12288;max-fr=60
a=fmtp:124 apt=120
a=fmtp:121 max-fs=12288;max-fr=60
a=fmtp:125 apt=121
a=fmtp:127 apt=126
a=fmtp:98 apt=97
a=fmtp:119 apt=122
a=ice-pwd:6f2b9c41d07e83a5b1c4e9f2a7d30856
a=ice-ufrag:3e8a1d7c
a=mid:1
a=msid:{4c9e2a71-5b3d-4f08-9e6a-c1d27b83f950} {0b7f4e19-c2a8-4d63-95e0-7a1c3f8d2b64}
a=rtcp-fb:120 nack
a=rtcp-fb:120 nack pli
a=rtcp-fb:120 ccm fir
a=rtcp-fb:120 goog-remb
a=rtcp-fb:120 transport-cc
a=rtcp-fb:121 nack
a=rtcp-fb:121 nack pli
a=rtcp-fb:121 ccm fir
a=rtcp-fb:121 goog-remb
a=rtcp-fb:121 transport-cc
a=rtcp-fb:126 nack
a=rtcp-fb:126 nack pli
a=rtcp-fb:126 ccm fir
a=rtcp-fb:126 goog-remb
a=rtcp-fb:126 transport-cc
a=rtcp-fb:97 nack
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 ccm fir
a=rtcp-fb:97 goog-remb
a=rtcp-fb:97 transport-cc
a=rtcp-fb:123 nack
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:120 VP8/90000
a=rtpmap:124 rtx/90000
a=rtpmap:121 VP9/90000
a=rtpmap:125 rtx/90000
a=rtpmap:126 H264/90000
a=rtpmap:127 rtx/90000
a=rtpmap:97 H264/90000
a=rtpmap:98 rtx/90000
a=rtpmap:123 ulpfec/90000
a=rtpmap:122 red/90000
a=rtpmap:119 rtx/90000
a=setup:actpass
a=ssrc:2215846410 cname:{e5b71c02-9d4a-4a36-b8f3-6c20d91e7a45}
a=ssrc:1489034197 cname:{e5b71c02-9d4a-4a36-b8f3-6c20d91e7a45}
a=ssrc-group:FID 2215846410 1489034197
""";

    internal static CodecRegistry Registry()
    {
        var registry = CodecRegistry.CreateDefault();
        registry.Register(CodecInfo.Audio("opus", 48000, 2, new FakeAudio(), "minptime=10;useinbandfec=1", [RtcpFeedback.TransportCc]), first: true);
        registry.Register(CodecInfo.Video("VP8", new FakeVideo(), feedback: CodecRegistry.VideoFeedback));
        registry.Register(CodecInfo.Video("VP9", new FakeVideo(), "profile-id=0", CodecRegistry.VideoFeedback));
        registry.Register(CodecInfo.Video("H264", new FakeVideo(), H264Fmtp, CodecRegistry.VideoFeedback));
        return registry;
    }

    internal static JsepRemoteDescription ReadChrome() => JsepReader.ReadOffer(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer));

    internal static JsepRemoteDescription ReadFirefox() => JsepReader.ReadOffer(SdpCorpus.Crlf(FirefoxOffer));

    private static string Pts(IEnumerable<JsepCodec> codecs) => string.Join(' ', codecs.Select(c => c.RtxPayloadType is { } r ? $"{c.PayloadType}+{r}" : $"{c.PayloadType}"));

    [Test]
    public void Offer_codecs_get_static_and_chromium_payload_types()
    {
        var registry = Registry();
        var audio = JsepMedia.OfferCodecs(CodecKind.Audio, registry);
        var video = JsepMedia.OfferCodecs(CodecKind.Video, registry);
        Assert.Multiple(() =>
        {
            Assert.That(audio.Select(c => c.ToString()), Is.EqualTo(new[] { "111 opus/48000/2", "9 G722/8000", "0 PCMU/8000", "8 PCMA/8000" }));
            Assert.That(audio[0].Fmtp, Is.EqualTo("minptime=10;useinbandfec=1"));
            Assert.That(audio[0].Feedback, Is.EqualTo(new[] { RtcpFeedback.TransportCc }));
            Assert.That(audio.All(c => c.RtxPayloadType is null && c.Local is not null), Is.True);
            Assert.That(Pts(video), Is.EqualTo("96+97 98+99 109+114"));
            Assert.That(video.Select(c => c.Fmtp), Is.EqualTo(new[] { null, "profile-id=0", H264Fmtp }));
            Assert.That(video[0].Feedback, Is.EqualTo(CodecRegistry.VideoFeedback));
            Assert.That(video.Select(c => c.Local!.Name), Is.EqualTo(new[] { "VP8", "VP9", "H264" }));
        });
    }

    [Test]
    public void Offer_codecs_follow_preferences_and_run_into_the_lower_dynamic_range()
    {
        var registry = Registry();
        var preferred = JsepMedia.OfferCodecs(CodecKind.Video, registry, [registry.Video[2], registry.Video[0]]);
        Assert.That(Pts(preferred), Is.EqualTo("109+114 96+97"));

        // 20 video codecs with RTX need 40 payload types: 96-127 runs out, libwebrtc goes on at 35.
        var many = new CodecRegistry();
        for (var i = 0; i < 20; i++) { many.Register(CodecInfo.Video($"X{i}", new FakeVideo(), feedback: [RtcpFeedback.Nack])); }
        var codecs = JsepMedia.OfferCodecs(CodecKind.Video, many);
        var all = codecs.SelectMany(c => new[] { c.PayloadType, c.RtxPayloadType!.Value }).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(all, Is.Unique);
            Assert.That(all.Count(p => p is >= 96 and <= 127), Is.EqualTo(32));
            Assert.That(all.Where(p => p < 96), Is.EqualTo(Enumerable.Range(35, 8)));
        });

        // A video codec without nack gets no RTX.
        var noNack = new CodecRegistry();
        noNack.Register(CodecInfo.Video("VP8", new FakeVideo(), feedback: [RtcpFeedback.NackPli]));
        Assert.That(JsepMedia.OfferCodecs(CodecKind.Video, noNack).Single().RtxPayloadType, Is.Null);
    }

    [Test]
    public void Offer_header_extensions_are_the_implemented_ones_with_chromium_ids()
    {
        Assert.Multiple(() =>
        {
            Assert.That(JsepMedia.OfferHeaderExtensions(CodecKind.Audio), Is.EqualTo(new JsepHeaderExtension[]
            {
                new(1, RtpHeaderExtensions.AudioLevelUri), new(2, RtpHeaderExtensions.AbsSendTimeUri),
                new(3, RtpHeaderExtensions.TransportWideCcUri), new(4, RtpHeaderExtensions.SdesMidUri),
            }));
            Assert.That(JsepMedia.OfferHeaderExtensions(CodecKind.Video).Select(e => e.Id), Is.EqualTo(new[] { 2, 3, 4 }));
        });
    }

    [Test]
    public void Chrome_offer_reads_codecs_rtx_ssrcs_and_msid()
    {
        var offer = ReadChrome();
        var (audio, video) = (offer.MediaSections[0], offer.MediaSections[1]);
        Assert.Multiple(() =>
        {
            Assert.That(offer.MediaSections.Select(m => (m.MLineIndex, m.Mid, m.Kind)), Is.EqualTo(new[] { (0, (string?)"0", CodecKind.Audio), (1, "1", CodecKind.Video) }));
            Assert.That(Pts(audio.Codecs), Is.EqualTo("111 9 0 8"));
            Assert.That(audio.AuxiliaryCodecs.Select(c => c.Name), Is.EqualTo(new[] { "red", "CN", "telephone-event", "telephone-event" }));
            Assert.That(audio.Codecs[0], Has.Property(nameof(JsepCodec.Channels)).EqualTo(2).And.Property(nameof(JsepCodec.Fmtp)).EqualTo("minptime=10;useinbandfec=1"));
            Assert.That(audio.Codecs[1].Channels, Is.EqualTo(1));
            Assert.That(Pts(video.Codecs), Is.EqualTo("96+97 103+104 107+108 109+114 115+116 45+46 98+99 100+101"));
            Assert.That(video.AuxiliaryCodecs.Select(c => c.ToString()), Is.EqualTo(new[] { "117 red/90000", "119 ulpfec/90000", "118 rtx/90000" }));
            Assert.That(video.Codecs[0].Feedback, Is.EqualTo(new[] { RtcpFeedback.GoogRemb, RtcpFeedback.TransportCc, RtcpFeedback.CcmFir, RtcpFeedback.Nack, RtcpFeedback.NackPli }));
            Assert.That(video.Ssrcs, Is.EqualTo(new uint[] { 1697281144 }));
            Assert.That(video.RtxSsrcs, Is.EqualTo(new Dictionary<uint, uint> { [1697281144] = 3310762785 }));
            Assert.That(audio.Ssrcs, Is.EqualTo(new uint[] { 2803641921 }));
            Assert.That((audio.Cname, video.Cname), Is.EqualTo(("qV3lWm8sTfR2aYc1", "qV3lWm8sTfR2aYc1")));
            Assert.That(video.StreamIds, Is.EqualTo(new[] { "9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70" }));
            Assert.That(video.TrackId, Is.EqualTo("e07d5b2c-8a41-4f96-a3d0-1b6c7e9f2a58"));
            Assert.That((audio.Direction, audio.RtcpMux, audio.RtcpRsize, audio.ExtMapAllowMixed, audio.IsUsable), Is.EqualTo((SdpDirection.SendRecv, true, true, true, true)));
            Assert.That(video.HeaderExtensions.Select(e => e.Id), Is.EqualTo(new[] { 14, 2, 13, 3, 5, 6, 7, 8, 4, 10, 11 }));
            Assert.That(offer.DataSection!.MLineIndex, Is.EqualTo(2));
        });
    }

    [Test]
    public void Answer_to_chrome_video_takes_vp8_h264_constrained_baseline_mode_1_and_vp9_profile_0()
    {
        var video = ReadChrome().MediaSections[1];
        var answer = JsepMedia.AnswerCodecs(video, Registry());
        Assert.Multiple(() =>
        {
            // 103/107 are 42001f (Baseline, not Constrained Baseline), 107 also mode 0, 115 Main, 45 AV1, 100 VP9 profile 2, 117/119 red/ulpfec.
            Assert.That(Pts(answer), Is.EqualTo("96+97 109+114 98+99"));
            Assert.That(answer.Select(c => c.Fmtp), Is.EqualTo(new[] { null, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", "profile-id=0" }));
            Assert.That(answer.Select(c => c.Local!.Name), Is.EqualTo(new[] { "VP8", "H264", "VP9" }));
            Assert.That(answer[0].Feedback, Is.EqualTo(CodecRegistry.VideoFeedback));
            Assert.That(JsepMedia.AnswerHeaderExtensions(video), Is.EqualTo(new JsepHeaderExtension[]
            {
                new(2, RtpHeaderExtensions.AbsSendTimeUri), new(3, RtpHeaderExtensions.TransportWideCcUri), new(4, RtpHeaderExtensions.SdesMidUri),
            }));
        });
    }

    [Test]
    public void Answer_to_chrome_audio_takes_opus_with_our_fmtp_and_the_static_codecs_but_not_red_cn_or_dtmf()
    {
        var audio = ReadChrome().MediaSections[0];
        var answer = JsepMedia.AnswerCodecs(audio, Registry());
        Assert.Multiple(() =>
        {
            Assert.That(answer.Select(c => c.ToString()), Is.EqualTo(new[] { "111 opus/48000/2", "9 G722/8000", "0 PCMU/8000", "8 PCMA/8000" }));
            Assert.That(answer[0].Fmtp, Is.EqualTo("minptime=10;useinbandfec=1"));
            Assert.That(answer[0].Feedback, Is.EqualTo(new[] { RtcpFeedback.TransportCc }));
            Assert.That(answer[1].Feedback, Is.Empty);
            Assert.That(JsepMedia.AnswerHeaderExtensions(audio).Select(e => e.Id), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        });
    }

    [Test]
    public void Answer_to_firefox_uses_its_payload_types_rtx_and_extmap_ids()
    {
        var offer = ReadFirefox();
        var (audio, video) = (offer.MediaSections[0], offer.MediaSections[1]);
        var videoAnswer = JsepMedia.AnswerCodecs(video, Registry());
        Assert.Multiple(() =>
        {
            Assert.That(offer.DataSection, Is.Null, "an offer with only audio and video reads");
            Assert.That(offer.TransportMLineIndex, Is.Zero);
            Assert.That(Pts(video.Codecs), Is.EqualTo("120+124 121+125 126+127 97+98"));
            Assert.That(video.AuxiliaryCodecs.Select(c => c.Name), Is.EqualTo(new[] { "ulpfec", "red", "rtx" }));
            Assert.That(video.Ssrcs, Is.EqualTo(new uint[] { 2215846410 }));
            Assert.That(video.RtxSsrcs[2215846410], Is.EqualTo(1489034197u));
            Assert.That(video.StreamIds, Is.EqualTo(new[] { "{4c9e2a71-5b3d-4f08-9e6a-c1d27b83f950}" }));
            // 97 is packetization-mode 0 (absent): our encoder writes mode 1.
            Assert.That(Pts(videoAnswer), Is.EqualTo("120+124 121+125 126+127"));
            Assert.That(videoAnswer.Select(c => c.Fmtp), Is.EqualTo(new[] { null, "profile-id=0", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f" }));
            Assert.That(JsepMedia.AnswerCodecs(audio, Registry()).Select(c => c.PayloadType), Is.EqualTo(new[] { 109, 9, 0, 8 }));
            Assert.That(JsepMedia.AnswerHeaderExtensions(video), Is.EqualTo(new JsepHeaderExtension[]
            {
                new(3, RtpHeaderExtensions.SdesMidUri), new(4, RtpHeaderExtensions.AbsSendTimeUri), new(7, RtpHeaderExtensions.TransportWideCcUri),
            }));
            Assert.That(JsepMedia.AnswerHeaderExtensions(audio).Select(e => (e.Id, e.Uri)),
                Is.EqualTo(new[] { (1, RtpHeaderExtensions.AudioLevelUri), (3, RtpHeaderExtensions.SdesMidUri) }));
        });
    }

    [Test]
    public void Answer_codecs_follow_preferences_and_intersect_feedback()
    {
        var registry = new CodecRegistry();
        var h264 = CodecInfo.Video("H264", new FakeVideo(), H264Fmtp, [RtcpFeedback.Nack, RtcpFeedback.NackPli]);
        var vp8 = CodecInfo.Video("VP8", new FakeVideo(), feedback: [RtcpFeedback.Nack, RtcpFeedback.TransportCc]);
        registry.Register(vp8);
        registry.Register(h264);
        var video = ReadChrome().MediaSections[1];
        var answer = JsepMedia.AnswerCodecs(video, registry, [h264, vp8]);
        Assert.Multiple(() =>
        {
            Assert.That(Pts(answer), Is.EqualTo("109+114 96+97"));
            Assert.That(answer[0].Feedback, Is.EqualTo(new[] { RtcpFeedback.Nack, RtcpFeedback.NackPli }));
            Assert.That(answer[1].Feedback, Is.EqualTo(new[] { RtcpFeedback.TransportCc, RtcpFeedback.Nack }));
            Assert.That(JsepMedia.AnswerCodecs(video, registry, [vp8]).Select(c => c.Name), Is.EqualTo(new[] { "VP8" }));
        });
    }

    [Test]
    public void H264_matching_is_by_profile_and_packetization_mode()
    {
        var local = CodecInfo.Video("H264", new FakeVideo(), H264Fmtp);
        JsepCodec Remote(string? fmtp) => new(102, "h264", 90000, 0, fmtp, []);
        Assert.Multiple(() =>
        {
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=42e01f;packetization-mode=1"), local, CodecKind.Video), Is.True);
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=42e034;packetization-mode=1"), local, CodecKind.Video), Is.True, "the level does not matter");
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=4d8032;packetization-mode=1"), local, CodecKind.Video), Is.True, "Main with constraint_set0 is Constrained Baseline too");
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=42e01f"), local, CodecKind.Video), Is.False, "mode absent is 0");
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=42001f;packetization-mode=1"), local, CodecKind.Video), Is.False, "Baseline");
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=4d001f;packetization-mode=1"), local, CodecKind.Video), Is.False, "Main");
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=640c1f;packetization-mode=1"), local, CodecKind.Video), Is.False, "Constrained High");
            Assert.That(JsepMedia.Matches(Remote("profile-level-id=zzzzzz;packetization-mode=1"), local, CodecKind.Video), Is.False);
            Assert.That(JsepMedia.Matches(Remote("packetization-mode=1"), local, CodecKind.Video), Is.True, "absent profile-level-id is constrained baseline (libwebrtc)");
        });
    }

    [TestCase(SdpDirection.SendRecv, true, true, SdpDirection.SendRecv)]
    [TestCase(SdpDirection.SendRecv, true, false, SdpDirection.SendOnly)]
    [TestCase(SdpDirection.SendRecv, false, true, SdpDirection.RecvOnly)]
    [TestCase(SdpDirection.SendRecv, false, false, SdpDirection.Inactive)]
    [TestCase(SdpDirection.SendOnly, true, true, SdpDirection.RecvOnly)]
    [TestCase(SdpDirection.SendOnly, true, false, SdpDirection.Inactive)]
    [TestCase(SdpDirection.SendOnly, false, true, SdpDirection.RecvOnly)]
    [TestCase(SdpDirection.RecvOnly, true, true, SdpDirection.SendOnly)]
    [TestCase(SdpDirection.RecvOnly, false, true, SdpDirection.Inactive)]
    [TestCase(SdpDirection.RecvOnly, true, false, SdpDirection.SendOnly)]
    [TestCase(SdpDirection.Inactive, true, true, SdpDirection.Inactive)]
    public void Answer_direction_follows_rfc_3264(SdpDirection offered, bool send, bool receive, SdpDirection expected)
    {
        Assert.That(JsepMedia.AnswerDirection(offered, send, receive), Is.EqualTo(expected));
    }

    [Test]
    public void Reverse_swaps_sendonly_and_recvonly()
    {
        Assert.That(new[] { SdpDirection.SendRecv, SdpDirection.SendOnly, SdpDirection.RecvOnly, SdpDirection.Inactive }.Select(JsepMedia.Reverse),
            Is.EqualTo(new[] { SdpDirection.SendRecv, SdpDirection.RecvOnly, SdpDirection.SendOnly, SdpDirection.Inactive }));
    }

    [Test]
    public void Accepted_codecs_drop_payload_types_we_did_not_offer()
    {
        var registry = Registry();
        var ours = new JsepMediaSection("1", CodecKind.Video) { Codecs = JsepMedia.OfferCodecs(CodecKind.Video, registry) };
        var answer = new JsepRemoteMediaSection(1, "1", CodecKind.Video)
        {
            Codecs =
            [
                new(100, "VP8", 90000, 0, null, []),                                                    // not offered
                new(109, "H264", 90000, 0, "packetization-mode=1;profile-level-id=42e01f", [RtcpFeedback.Nack, new("foo")]) { RtxPayloadType = 114 },
                new(98, "VP8", 90000, 0, null, []),                                                     // offered as VP9
                new(96, "vp8", 90000, 0, null, [RtcpFeedback.NackPli]) { RtxPayloadType = 120 },       // an rtx we did not offer
            ],
        };
        var dropped = new List<string>();
        var accepted = JsepMedia.AcceptedCodecs(ours, answer, dropped);
        Assert.Multiple(() =>
        {
            Assert.That(Pts(accepted), Is.EqualTo("109+114 96"));
            Assert.That(accepted[0].Feedback, Is.EqualTo(new[] { RtcpFeedback.Nack }));
            Assert.That(accepted[0].Fmtp, Is.EqualTo("packetization-mode=1;profile-level-id=42e01f"));
            Assert.That(accepted.Select(c => c.Local!.Name), Is.EqualTo(new[] { "H264", "VP8" }));
            Assert.That(dropped, Has.Count.EqualTo(2));
            Assert.That(dropped[0], Does.Contain("100 VP8/90000").And.Contain("not in our offer"));
            Assert.That(dropped[1], Does.Contain("VP9/90000"));
        });
    }

    private sealed class FakeAudio : IAudioCodecFactory
    {
        public IAudioEncoder CreateEncoder(AudioEncoderSettings settings) => throw new NotSupportedException();

        public IAudioDecoder CreateDecoder(int channels) => throw new NotSupportedException();
    }

    private sealed class FakeVideo : IVideoCodecFactory
    {
        public IVideoEncoder CreateEncoder(VideoEncoderSettings settings) => throw new NotSupportedException();

        public IVideoDecoder CreateDecoder() => throw new NotSupportedException();
    }
}
