using WebRtc.Client.Codecs;

namespace WebRtc.Client.Tests.Codecs;

public class CodecRegistryTests
{
    private sealed class FakeVideoFactory : IVideoCodecFactory
    {
        public IVideoEncoder CreateEncoder(VideoEncoderSettings settings) => throw new NotSupportedException();

        public IVideoDecoder CreateDecoder() => throw new NotSupportedException();
    }

    [Test]
    public void Default_registry_has_the_managed_telephony_codecs_with_static_payload_types()
    {
        var registry = CodecRegistry.CreateDefault();
        Assert.That(registry.Audio.Select(c => $"{c.StaticPayloadType} {c.RtpMap}"), Is.EqualTo(new[] { "9 G722/8000", "0 PCMU/8000", "8 PCMA/8000" }));
        Assert.That(registry.Video, Is.Empty);
        Assert.That(registry.Audio.All(c => c.AudioFactory is not null && c.VideoFactory is null), Is.True);
    }

    [Test]
    public void Registering_adds_in_preference_order_and_replaces_the_same_codec()
    {
        var registry = new CodecRegistry();
        var factory = new FakeVideoFactory();
        registry.Register(CodecInfo.Video("VP8", factory, feedback: CodecRegistry.VideoFeedback));
        registry.Register(CodecInfo.Video("H264", factory, "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1"), first: true);
        registry.Register(CodecInfo.Video("vp8", factory));

        Assert.That(registry.Video.Select(c => c.Name), Is.EqualTo(new[] { "H264", "vp8" }));
        Assert.That(registry.Find(CodecKind.Video, "h264", 90000)!.Fmtp, Does.Contain("packetization-mode=1"));
        Assert.That(registry.Find(CodecKind.Video, "H264", 8000), Is.Null);
        Assert.That(registry.Remove("VP8"), Is.True);
        Assert.That(registry.Video, Has.Count.EqualTo(1));
    }

    [Test]
    public void Feedback_prints_in_sdp_form()
    {
        Assert.That(CodecRegistry.VideoFeedback.Select(f => f.ToString()),
            Is.EqualTo(new[] { "goog-remb", "transport-cc", "ccm fir", "nack", "nack pli" }));
    }

    [Test]
    public void Codec_info_validates_its_arguments()
    {
        Assert.Throws<ArgumentException>(() => CodecInfo.Video(" ", new FakeVideoFactory()));
        Assert.Throws<ArgumentOutOfRangeException>(() => CodecInfo.Audio("X", 8000, 1, G722Codec.Factory, staticPayloadType: 96));
        Assert.Throws<ArgumentNullException>(() => CodecInfo.Audio("X", 8000, 1, null!));
    }
}
