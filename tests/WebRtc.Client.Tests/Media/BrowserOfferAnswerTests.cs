using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Media;

/// <summary>
/// RTCPeerConnection answers the audio+video+data offers Chromium 156 and Firefox write: what it accepts,
/// with whose payload types and ids, and what it leaves out (RFC 8829 §5.3.1, RFC 3264 §6.1).
/// </summary>
public class BrowserOfferAnswerTests
{
    private static RTCPeerConnection NewPeer() => new(new RTCConfiguration(), new RTCPeerConnectionOptions
    {
        BindAddresses = [System.Net.IPAddress.Loopback],
        Codecs = CodecRegistry.CreateDefault().AddOpus().AddFFmpegVideo(),
    });

    private static async Task<(SdpSessionDescription Answer, List<RTCTrackEventArgs> Tracks, RTCPeerConnection Pc)> Answer(string offer, Action<RTCPeerConnection>? before = null)
    {
        var pc = NewPeer();
        var tracks = new List<RTCTrackEventArgs>();
        pc.Track += (_, e) => tracks.Add(e);
        before?.Invoke(pc);
        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, SdpCorpus.Crlf(offer)));
        var answer = await pc.CreateAnswerAsync();
        return (SdpSessionDescription.Parse(answer.Sdp), tracks, pc);
    }

    [Test]
    public async Task ChromiumOffer_AnswerKeepsItsPayloadTypes_AndLeavesOutWhatWeCannotDo()
    {
        var (answer, tracks, pc) = await Answer(SdpCorpus.ChromeAudioVideoDataOffer);
        await using var _ = pc;
        var audio = answer.Media[0];
        var video = answer.Media[1];
        Assert.Multiple(() =>
        {
            Assert.That(answer.Media.Select(m => (m.Media, m.Port != 0)), Is.EqualTo(new[] { ("audio", true), ("video", true), ("application", true) }));
            Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
            // Opus first as offered, then the managed G.722/PCMU/PCMA; red, CN and telephone-event are not half-accepted.
            Assert.That(audio.Formats, Is.EqualTo(new[] { "111", "9", "0", "8" }));
            Assert.That(audio.GetFmtp("111")!.Parameters, Does.Contain("useinbandfec=1"));
            // VP8 + rtx, H.264 Constrained Baseline packetization-mode 1 (42e01f, PT 109) + rtx, VP9 profile 0 + rtx.
            Assert.That(video.Formats, Is.SupersetOf(new[] { "96", "97", "109", "114", "98", "99" }));
            Assert.That(video.Formats, Has.None.AnyOf("45", "46", "100", "101", "103", "107", "115", "117", "118", "119"),
                "AV1, VP9 profile 2, H.264 Baseline/mode 0/Main, red and ulpfec are left out");
            Assert.That(video.GetFmtp("97")!.Parameters, Is.EqualTo("apt=96"));
            Assert.That(video.GetFmtp("109")!.Parameters, Does.Contain("profile-level-id=42e01f").And.Contain("packetization-mode=1"));
            // Only the feedback the media path acts on; no transport-cc or goog-remb without their feedback loops.
            Assert.That(video.RtcpFeedbacks.Where(f => f.PayloadType == "96").Select(f => f.ToString()),
                Is.EquivalentTo(new[] { "96 nack", "96 nack pli", "96 ccm fir" }));
            Assert.That(video.ExtMaps.Select(e => (e.Id, e.Uri)), Is.EquivalentTo(new[]
            {
                (2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
                (4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
            }));
            Assert.That(audio.ExtMaps.Select(e => e.Uri), Does.Contain("urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
            Assert.That(audio.Direction, Is.EqualTo(SdpDirection.RecvOnly), "no local track: we receive only");
            Assert.That(audio.Ssrcs, Is.Empty, "a recvonly answer names no SSRC");
            Assert.That(audio.RtcpMux && video.RtcpMux, Is.True);
        });

        Assert.That(tracks.Select(t => t.Track.Kind), Is.EquivalentTo(new[] { MediaKind.Audio, MediaKind.Video }));
        Assert.That(tracks.SelectMany(t => t.Streams).Select(s => s.Id).Distinct(), Is.EqualTo(new[] { "9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70" }));
        Assert.That(pc.GetTransceivers().Select(t => (t.Mid, t.Direction)), Is.EqualTo(new[] { ("0", RTCRtpTransceiverDirection.RecvOnly), ("1", RTCRtpTransceiverDirection.RecvOnly) }));
    }

    [Test]
    public async Task FirefoxOffer_WithOurTracks_AnswersSendRecvWithSsrcsAndMsid()
    {
        var stream = new MediaStream();
        var (answer, _, pc) = await Answer(SdpCorpus.FirefoxAudioVideoDataOffer, pc =>
        {
            pc.AddTrack(AudioSource.Sine(440).CreateTrack(), stream);
            pc.AddTrack(VideoSource.TestPattern(320, 240, 30).CreateTrack(), stream);
        });
        await using var _ = pc;
        var audio = answer.Media[0];
        var video = answer.Media[1];
        Assert.Multiple(() =>
        {
            Assert.That(audio.Formats[0], Is.EqualTo("109"), "Firefox's opus payload type");
            Assert.That(audio.Formats, Has.None.EqualTo("101"), "telephone-event is not accepted");
            Assert.That(video.Formats, Is.SupersetOf(new[] { "120", "124", "121", "125", "126", "127" }));
            Assert.That(video.Formats, Has.None.EqualTo("97"), "H.264 packetization-mode 0 is not what our encoder makes");
            Assert.That(video.ExtMaps.Select(e => (e.Id, e.Uri)), Does.Contain((3, "urn:ietf:params:rtp-hdrext:sdes:mid")));
            Assert.That(audio.Direction, Is.EqualTo(SdpDirection.SendRecv));
            Assert.That(audio.Msids.Select(m => m.StreamId), Is.EqualTo(new[] { stream.Id }));
            Assert.That(video.Ssrcs.Select(s => s.Attribute), Does.Contain("cname"));
            Assert.That(video.SsrcGroups.Single().Semantics, Is.EqualTo("FID"), "the video SSRC is paired with its RTX SSRC");
        });
        Assert.That(pc.GetTransceivers().Select(t => t.Mid), Is.EqualTo(new[] { "0", "1" }), "AddTrack's transceivers took the offered m-lines");
    }

    [Test]
    public async Task RollingBackARemoteOffer_RemovesTheTransceiversItMade()
    {
        var (_, _, pc) = await Answer(SdpCorpus.ChromeAudioVideoDataOffer);
        await using var _ = pc;
        Assert.That(pc.GetTransceivers(), Has.Count.EqualTo(2));
        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Rollback, ""));
        Assert.That(pc.GetTransceivers(), Is.Empty);
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Stable));
    }

    [Test]
    public async Task RollingBackOurOffer_ForgetsTheMidsItGave()
    {
        await using var pc = NewPeer();
        var sender = pc.AddTrack(AudioSource.Sine(440).CreateTrack());
        await pc.SetLocalDescriptionAsync();
        var transceiver = pc.GetTransceivers().Single();
        Assert.That(transceiver.Mid, Is.EqualTo("0"));
        await pc.SetLocalDescriptionAsync(new RTCSessionDescription(RTCSdpType.Rollback, ""));
        Assert.That(transceiver.Mid, Is.Null);
        Assert.That(pc.GetSenders(), Is.EqualTo(new[] { sender }));
    }
}
