using WebRtc.Client.Media;

namespace WebRtc.Client.Tests.Media;

public class VideoFrameTests
{
    [Test]
    public void Odd_sizes_round_chroma_up_and_planes_have_stride_times_rows_bytes()
    {
        using var frame = VideoFrame.Create(641, 361, TimeSpan.FromMilliseconds(40));
        Assert.That(frame.ChromaWidth, Is.EqualTo(321));
        Assert.That(frame.ChromaHeight, Is.EqualTo(181));
        Assert.That(frame.Y.Length, Is.EqualTo(641 * 361));
        Assert.That(frame.U.Length, Is.EqualTo(321 * 181));
        Assert.That(frame.V.Length, Is.EqualTo(321 * 181));
        Assert.That(frame.Timestamp, Is.EqualTo(TimeSpan.FromMilliseconds(40)));
    }

    [Test]
    public void Clone_copies_pixels_and_dispose_makes_planes_unusable()
    {
        var frame = VideoFrame.Create(4, 4);
        frame.Y.Fill(1);
        frame.U.Fill(2);
        frame.V.Fill(3);
        frame.Rotation = VideoRotation.Rotate90;
        using var copy = frame.Clone();
        frame.Dispose();
        frame.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = frame.Y.Length);
        Assert.That(copy.Y.ToArray(), Is.All.EqualTo(1));
        Assert.That(copy.U.ToArray(), Is.All.EqualTo(2));
        Assert.That(copy.V.ToArray(), Is.All.EqualTo(3));
        Assert.That(copy.Rotation, Is.EqualTo(VideoRotation.Rotate90));
    }

    [Test]
    public void Audio_frame_reports_duration_and_returns_its_buffer()
    {
        var frame = AudioFrame.Create(48000, 2, 960);
        Assert.That(frame.Duration, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
        Assert.That(frame.Samples.Length, Is.EqualTo(1920));
        frame.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = frame.Samples.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioFrame.Create(48000, 0, 960));
    }
}
