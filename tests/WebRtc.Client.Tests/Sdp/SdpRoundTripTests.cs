using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Sdp;

public class SdpRoundTripTests
{
    [TestCaseSource(typeof(SdpCorpus), nameof(SdpCorpus.All))]
    public void Corpus_round_trips_exactly(string lfText)
    {
        var crlf = SdpCorpus.Crlf(lfText);
        Assert.That(SdpSessionDescription.Parse(crlf).ToString(), Is.EqualTo(crlf));
    }

    [TestCaseSource(typeof(SdpCorpus), nameof(SdpCorpus.All))]
    public void Lf_only_input_is_written_with_crlf(string lfText)
    {
        // RFC 8866 §5: lines end in CRLF, but parsers should also accept LF.
        var lf = lfText.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
        Assert.That(SdpSessionDescription.Parse(lf).ToString(), Is.EqualTo(SdpCorpus.Crlf(lfText)));
    }

    [Test]
    public void Missing_final_line_ending_is_accepted()
    {
        var crlf = SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer);
        Assert.That(SdpSessionDescription.Parse(crlf.TrimEnd('\r', '\n')).ToString(), Is.EqualTo(crlf));
    }

    [Test]
    public void Session_level_fields_of_a_chrome_offer()
    {
        var sdp = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer));
        Assert.Multiple(() =>
        {
            Assert.That(sdp.Version, Is.Zero);
            Assert.That(sdp.Origin.Username, Is.EqualTo("-"));
            Assert.That(sdp.Origin.SessionId, Is.EqualTo("4611731400430051336"));
            Assert.That(sdp.Origin.SessionVersionNumber, Is.EqualTo(2UL));
            Assert.That(sdp.Origin.Address, Is.EqualTo("127.0.0.1"));
            Assert.That(sdp.SessionName, Is.EqualTo("-"));
            Assert.That(sdp.Timings, Has.Count.EqualTo(1));
            Assert.That(sdp.Timings[0].Start, Is.Zero);
            Assert.That(sdp.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
            Assert.That(sdp.Attributes.GetValue("msid-semantic"), Is.EqualTo(" WMS 9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70"));
            Assert.That(sdp.Attributes.Contains("extmap-allow-mixed"), Is.True);
            Assert.That(sdp.Media.Select(m => m.Media), Is.EqualTo(new[] { "audio", "video", "application" }));
            Assert.That(sdp.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "2" }));
            Assert.That(sdp.Media.Select(m => m.Port), Is.EqualTo(new[] { 41853, 52907, 36214 }));
        });
    }

    [Test]
    public void Audio_section_of_a_chrome_offer()
    {
        var audio = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer)).Media[0];
        Assert.Multiple(() =>
        {
            Assert.That(audio.Proto, Is.EqualTo("UDP/TLS/RTP/SAVPF"));
            Assert.That(audio.Formats, Is.EqualTo(new[] { "111", "63", "9", "0", "8", "13", "110", "126" }));
            Assert.That(audio.Connections.Single(), Is.EqualTo(new SdpConnection("IN", "IP4", "127.0.0.1")));
            Assert.That(audio.IceUfrag, Is.EqualTo("Zr7q"));
            Assert.That(audio.IcePwd, Is.EqualTo("k3Jd9LqX2vWn0pT5sYbH8mQe"));
            Assert.That(audio.IceOptions, Is.EqualTo(new[] { "trickle" }));
            Assert.That(audio.Setup, Is.EqualTo(DtlsSetup.ActPass));
            Assert.That(audio.Fingerprints.Single().Algorithm, Is.EqualTo("sha-256"));
            Assert.That(audio.Direction, Is.EqualTo(SdpDirection.SendRecv));
            Assert.That(audio.RtcpMux, Is.True);
            Assert.That(audio.RtcpRsize, Is.True);
            Assert.That(audio.IsDataChannel, Is.False);
            Assert.That(audio.GetRtpMap(111), Is.EqualTo(new SdpRtpMap(111, "opus", 48000, 2)));
            Assert.That(audio.GetRtpMap(0), Is.EqualTo(new SdpRtpMap(0, "PCMU", 8000)));
            Assert.That(audio.GetFmtp("111")!.GetParameters(), Is.EqualTo(new KeyValuePair<string, string>[] { new("minptime", "10"), new("useinbandfec", "1") }));
            Assert.That(audio.GetRtcpFeedbacks(111).Single(), Is.EqualTo(new SdpRtcpFeedback("111", "transport-cc")));
            Assert.That(audio.ExtMaps[0], Is.EqualTo(new SdpExtMap(1, null, "urn:ietf:params:rtp-hdrext:ssrc-audio-level")));
            Assert.That(audio.Msids.Single().TrackId, Is.EqualTo("5c1e0a7b-33f2-4d8e-b6a1-7e2f9c4d0a13"));
            Assert.That(audio.Ssrcs[0], Is.EqualTo(new SdpSsrc(2803641921, "cname", "qV3lWm8sTfR2aYc1")));
        });
    }

    [Test]
    public void Video_section_of_a_chrome_offer()
    {
        var video = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer)).Media[1];
        Assert.Multiple(() =>
        {
            Assert.That(video.RtpMaps, Has.Count.EqualTo(video.Formats.Count));
            Assert.That(video.GetRtcpFeedbacks(96).Select(f => f.ToString()),
                Is.EqualTo(new[] { "96 goog-remb", "96 transport-cc", "96 ccm fir", "96 nack", "96 nack pli" }));
            Assert.That(video.GetFmtp("97")!.Parameters, Is.EqualTo("apt=96"));
            Assert.That(video.SsrcGroups.Single(), Is.EqualTo(new SdpSsrcGroup("FID", [1697281144u, 3310762785u])).Using<SdpSsrcGroup>((a, b) =>
                a.Semantics == b.Semantics && a.Ssrcs.SequenceEqual(b.Ssrcs)));
            Assert.That(video.ExtMaps.Select(e => e.Id), Does.Contain(14));
            Assert.That(video.Attributes.GetValue("rtcp-xr"), Is.EqualTo("rcvr-rtt=all"));
        });
    }

    [Test]
    public void Data_section_of_a_chrome_offer_with_candidates()
    {
        var data = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer)).Media[2];
        var candidates = data.GetCandidates(2, data.IceUfrag);
        Assert.Multiple(() =>
        {
            Assert.That(data.IsDataChannel, Is.True);
            Assert.That(data.SctpPort, Is.EqualTo(5000));
            Assert.That(data.MaxMessageSize, Is.EqualTo(262144));
            Assert.That(data.Direction, Is.Null);
            Assert.That(candidates, Has.Count.EqualTo(2));
            Assert.That(candidates[0].Port, Is.EqualTo(36214));
            Assert.That(candidates[0].SdpMid, Is.EqualTo("2"));
            Assert.That(candidates[0].SdpMLineIndex, Is.EqualTo(2));
            Assert.That(candidates[0].UsernameFragment, Is.EqualTo("Zr7q"));
            Assert.That(candidates[0].NetworkCost, Is.EqualTo(10));
            Assert.That(candidates[1].Protocol, Is.EqualTo(RTCIceProtocol.Tcp));
            Assert.That(candidates[1].TcpType, Is.EqualTo(RTCIceTcpCandidateType.Active));
        });
    }

    [Test]
    public void Firefox_session_level_fingerprint_applies_to_every_section()
    {
        var sdp = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.FirefoxAudioVideoDataOffer));
        var data = sdp.Media[2];
        Assert.Multiple(() =>
        {
            Assert.That(data.Fingerprints, Is.Empty);
            Assert.That(sdp.GetFingerprints(data), Has.Count.EqualTo(1));
            Assert.That(sdp.GetIceOptions(data), Is.EqualTo(new[] { "trickle" }));
            Assert.That(sdp.GetIceUfrag(data), Is.EqualTo("3e8a1d7c"));
            Assert.That(data.MaxMessageSize, Is.EqualTo(1073741823));
            Assert.That(data.Direction, Is.EqualTo(SdpDirection.SendRecv));
            Assert.That(sdp.Media[0].ExtMaps[1], Is.EqualTo(new SdpExtMap(2, SdpDirection.RecvOnly, "urn:ietf:params:rtp-hdrext:csrc-audio-level")));
            Assert.That(sdp.Media[0].GetRtpMap(9), Is.EqualTo(new SdpRtpMap(9, "G722", 8000, 1)));
            Assert.That(sdp.Media[0].GetFmtp("101")!.GetParameters().Single(), Is.EqualTo(new KeyValuePair<string, string>("", "0-15")));
        });
    }

    [Test]
    public void Firefox_answer_end_of_candidates()
    {
        var m = SdpSessionDescription.Parse(SdpCorpus.Crlf(SdpCorpus.FirefoxDataAnswer)).Media[0];
        Assert.Multiple(() =>
        {
            Assert.That(m.EndOfCandidates, Is.True);
            Assert.That(m.GetCandidates().Select(c => c.Port), Is.EqualTo(new[] { 58301, 9 }));
            Assert.That(m.Setup, Is.EqualTo(DtlsSetup.Active));
        });
    }

    [Test]
    public void Rare_lines_round_trip()
    {
        // RFC 8866 §5 order: v o s i u e p c b t r z k a, then m i c b k a.
        const string text = "v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\ns=Call to John Smith\r\ni=A Seminar\r\n"
            + "u=http://www.example.com/seminars/sdp.pdf\r\ne=j.doe@example.com (Jane Doe)\r\np=+1 617 555-6011\r\nc=IN IP4 198.51.100.1\r\n"
            + "b=CT:128\r\nt=3724394400 3724398000\r\nr=604800 3600 0 90000\r\nt=0 0\r\nz=2882844526 -1h 2898848070 0\r\nk=prompt\r\na=recvonly\r\n"
            + "m=audio 49170/2 RTP/AVP 0\r\ni=voice\r\nc=IN IP6 2001:db8::2\r\nc=IN IP6 2001:db8::3\r\nb=AS:64\r\nk=clear:x\r\na=foo:\r\na=bar\r\n";
        var sdp = SdpSessionDescription.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(sdp.ToString(), Is.EqualTo(text));
            Assert.That(sdp.Timings[0].Repeats.Single(), Is.EqualTo("604800 3600 0 90000"));
            Assert.That(sdp.Media[0].PortCount, Is.EqualTo(2));
            Assert.That(sdp.Media[0].Attributes[0], Is.EqualTo(new SdpAttribute("foo", "")));
            Assert.That(sdp.Media[0].Attributes[1].IsFlag, Is.True);
            Assert.That(sdp.Media[0].Bandwidths.Single(), Is.EqualTo(new SdpBandwidth("AS", 64)));
        });
    }

    [Test]
    public void Built_description_writes_rfc_order()
    {
        var sdp = new SdpSessionDescription(SdpOrigin.Create(42, 3));
        sdp.Timings.Add(new SdpTiming());
        sdp.Attributes.Add("group", "BUNDLE 0");
        var m = new SdpMediaDescription("application", 9, SdpMediaDescription.UdpDtlsSctp, [SdpMediaDescription.DataChannelFormat]);
        m.Connections.Add(SdpConnection.Placeholder);
        m.Attributes.Add("mid", "0");
        m.Attributes.Set("mid", "data");
        sdp.Media.Add(m);
        Assert.That(sdp.ToString(), Is.EqualTo(
            "v=0\r\no=- 42 3 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:data\r\n"));
    }

    [Test]
    public void Attribute_list_helpers()
    {
        var list = new SdpAttributeList { new SdpAttribute("a", "1"), new SdpAttribute("b"), new SdpAttribute("a", "2") };
        Assert.Multiple(() =>
        {
            Assert.That(list.GetValues("a"), Is.EqualTo(new[] { "1", "2" }));
            Assert.That(list.GetValues("b"), Is.EqualTo(new[] { "" }));
            Assert.That(list.Get("zz"), Is.Null);
            Assert.That(list.RemoveAll("a"), Is.EqualTo(2));
            Assert.That(list, Has.Count.EqualTo(1));
            Assert.That(() => new SdpAttribute("bad name"), Throws.ArgumentException);
            Assert.That(() => new SdpAttribute("x", "a\r\nb"), Throws.ArgumentException);
            Assert.That(SdpAttribute.Parse("x:y:z").Value, Is.EqualTo("y:z"));
        });
    }
}
