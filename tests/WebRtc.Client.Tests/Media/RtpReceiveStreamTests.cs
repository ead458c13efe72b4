using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media;

public class RtpReceiveStreamTests
{
    private sealed class NoVideoCodec : IVideoCodecFactory
    {
        public IVideoEncoder CreateEncoder(VideoEncoderSettings settings) => throw new NotSupportedException();

        public IVideoDecoder CreateDecoder() => throw new NotSupportedException();
    }

    private static RtpReceiveStream NewVideoStream()
    {
        var transport = new RtpMediaTransport(TimeProvider.System, "cname", NullLogger.Instance);
        var track = new MediaStreamTrack(MediaKind.Video, string.Empty, null);
        var receiver = new RTCRtpReceiver(track, _ => Task.FromResult<RTCStatsReport>(null!), NullLogger.Instance);
        var stream = new RtpReceiveStream(MediaKind.Video, receiver, transport, () => 1u, NullLogger.Instance);
        stream.Configure(new ReceiveConfig("0", [new ReceiveCodec(96, CodecInfo.Video("VP8", new NoVideoCodec()), 90000, 0, null, 97)],
            MidExtensionId: 0, AudioLevelExtensionId: 0, Nack: true, Pli: true, DeclaredSsrcs: []));
        return stream;
    }

    // One whole VP8 frame in one packet (marker set); `key` sets the VP8 payload header's P bit to 0 (RFC 7741 §4.3).
    private static byte[] Vp8Packet(ushort sequence, uint timestamp, bool key)
    {
        byte[] p = new byte[12 + 1 + 10];
        p[0] = 0x80;
        p[1] = 0x80 | 96;
        p[2] = (byte)(sequence >> 8);
        p[3] = (byte)sequence;
        p[4] = (byte)(timestamp >> 24);
        p[5] = (byte)(timestamp >> 16);
        p[6] = (byte)(timestamp >> 8);
        p[7] = (byte)timestamp;
        p[8] = 0x11;
        p[9] = 0x22;
        p[10] = 0x33;
        p[11] = 0x44;
        p[12] = 0x10; // S=1, partition 0
        p[13] = key ? (byte)0x00 : (byte)0x01;
        return p;
    }

    // Chromium sends a keyframe only when asked. A stream whose first frame is a delta frame (its keyframe
    // lost, or sent before SRTP was keyed here) must ask with a PLI at the next tick. The first request
    // used to compute `now - TimeSpan.MinValue`, which overflows: the tick threw every 20 ms, no PLI ever
    // left, and (the tick being shared) no receiver report or NACK of any stream either. Seen with
    // Chromium offering send-receive video: no frame was ever decoded.
    [Test]
    public void DeltaFrameFirst_AsksForAKeyFrameAtTheNextTick_ThenNotAgainWithinTheInterval()
    {
        var stream = NewVideoStream();
        var now = TimeSpan.FromSeconds(5);
        Assert.That(RtpPacket.TryParse(Vp8Packet(1000, 90000, key: false), out var packet, out _), Is.True);
        stream.OnRtp(packet, now);
        Assert.That(stream.FramesDropped, Is.EqualTo(1), "a delta frame before any keyframe is not decoded");

        Assert.DoesNotThrow(() => stream.OnTick(now + TimeSpan.FromMilliseconds(20)));
        Assert.That(stream.PliSent, Is.EqualTo(1), "a PLI at the first tick");

        Assert.That(RtpPacket.TryParse(Vp8Packet(1001, 93000, key: false), out packet, out _), Is.True);
        stream.OnRtp(packet, now + TimeSpan.FromMilliseconds(40));
        stream.OnTick(now + TimeSpan.FromMilliseconds(60));
        Assert.That(stream.PliSent, Is.EqualTo(1), "not again within the request interval");
        stream.OnTick(now + TimeSpan.FromMilliseconds(400));
        Assert.That(stream.PliSent, Is.EqualTo(2), "again once the interval passed, still without a keyframe");
    }
}
