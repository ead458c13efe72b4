using Microsoft.Extensions.Time.Testing;
using WebRtc.Client.Media;
using WebRtc.Client.Tests.Codecs;

namespace WebRtc.Client.Tests.Media;

public class SourceTests
{
    [Test]
    public void Test_pattern_moves_and_draws_a_frame_counter()
    {
        var source = VideoSource.TestPattern(320, 240, 30);
        using var first = source.NextFrame();
        using var second = source.NextFrame();
        Assert.That(second.Timestamp, Is.EqualTo(TimeSpan.FromSeconds(1 / 30.0)));
        Assert.That(first.Y.SequenceEqual(second.Y), Is.False, "bars move");

        // The counter box (black with white digits) sits at the top left; bars fill the bottom row.
        int scale = 240 / 48;
        byte[] box = first.Y.Slice(((3 * scale) + 1) * 320 + 2 * scale, 5 * scale).ToArray();
        Assert.That(box, Has.Some.EqualTo(235));
        Assert.That(box, Has.Some.EqualTo(16));
        Assert.That(first.Y.Slice(239 * 320, 320).ToArray(), Has.None.EqualTo(235));
    }

    [Test]
    public async Task Video_frames_are_paced_by_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var source = VideoSource.TestPattern(64, 48, 10, time);
        await using var frames = source.ReadFramesAsync().GetAsyncEnumerator();
        Assert.That(await frames.MoveNextAsync(), Is.True);
        frames.Current.Dispose();
        var next = frames.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.That(next.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await next.WaitAsync(TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(frames.Current.Timestamp, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
        frames.Current.Dispose();
    }

    [Test]
    public void Sine_has_its_frequency_and_level_and_is_continuous_across_frames()
    {
        var source = AudioSource.Sine(440, amplitude: 0.5, sampleRate: 48000, channels: 2);
        var mono = new List<short>();
        for (int i = 0; i < 50; i++)
        {
            using var frame = source.NextFrame();
            Assert.That(frame.SamplesPerChannel, Is.EqualTo(960));
            Assert.That(frame.Timestamp, Is.EqualTo(TimeSpan.FromMilliseconds(20 * i)));
            for (int s = 0; s < frame.Samples.Length; s += 2)
            {
                Assert.That(frame.Samples[s + 1], Is.EqualTo(frame.Samples[s]));
                mono.Add(frame.Samples[s]);
            }
        }

        short[] samples = mono.ToArray();
        Assert.That(Signal.ToneFrequency(samples, 48000), Is.EqualTo(440).Within(0.1));
        Assert.That(Signal.Rms(samples), Is.EqualTo(0.5 * short.MaxValue / Math.Sqrt(2)).Within(20));
        Assert.That(Signal.BestSnr(Signal.Sine(440, 48000, samples.Length, 0.5), samples, 0).Snr, Is.GreaterThan(80));
    }

    [Test]
    public async Task Silence_is_zero_and_paced()
    {
        var time = new FakeTimeProvider();
        var source = AudioSource.Silence(8000, 1, TimeSpan.FromMilliseconds(10), time);
        await using var frames = source.ReadFramesAsync().GetAsyncEnumerator();
        Assert.That(await frames.MoveNextAsync(), Is.True);
        Assert.That(frames.Current.Samples.ToArray(), Has.Length.EqualTo(80).And.All.EqualTo(0));
        var next = frames.MoveNextAsync().AsTask();
        Assert.That(next.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.That(await next.WaitAsync(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public void Source_arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSource.Sine(30000, sampleRate: 48000));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSource.Sine(440, frameDuration: TimeSpan.FromTicks(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => VideoSource.TestPattern(640, 480, 0));
    }
}
