using System.Buffers;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media;

namespace WebRtc.Client.Tests.Codecs;

public class VideoEncoderDefaultsTests
{
    /// <summary>An encoder written before temporal layers: it implements only the keyframe overload.</summary>
    private sealed class SingleLayerEncoder : IVideoEncoder
    {
        private int _frames;

        public string CodecName => "FAKE";

        public int TargetBitrate { get; set; } = 100_000;

        public double FrameRate { get; set; } = 30;

        public int TemporalLayers => 1;

        public void RequestKeyFrame()
        {
        }

        public bool Encode(VideoFrame frame, IBufferWriter<byte> output, out bool isKeyFrame)
        {
            isKeyFrame = _frames++ == 0;
            output.Write(new byte[] { 1, 2, 3 });
            return true;
        }

        public void Dispose()
        {
        }
    }

    [Test]
    public void EncodeFrame_defaults_to_layer_zero_with_the_keyframe_flag()
    {
        IVideoEncoder encoder = new SingleLayerEncoder();
        using var frame = VideoFrame.Create(16, 16);
        var output = new ArrayBufferWriter<byte>();

        Assert.That(encoder.EncodeFrame(frame, output, out var first), Is.True);
        Assert.That(encoder.EncodeFrame(frame, output, out var second), Is.True);

        Assert.That(first, Is.EqualTo(new EncodedVideoFrameInfo(IsKeyFrame: true, TemporalLayerId: 0, LayerSync: false)));
        Assert.That(second, Is.EqualTo(new EncodedVideoFrameInfo(IsKeyFrame: false, TemporalLayerId: 0, LayerSync: false)));
        Assert.That(output.WrittenCount, Is.EqualTo(6));
    }

    [Test]
    public void Settings_ask_for_one_temporal_layer_by_default()
    {
        var settings = new VideoEncoderSettings { Width = 64, Height = 64 };
        Assert.That(settings.TemporalLayers, Is.EqualTo(1));
        Assert.That((settings with { TemporalLayers = 3 }).TemporalLayers, Is.EqualTo(3));
    }
}
