using WebRtc.Client.Media;

namespace WebRtc.Client.Tests.Media;

public class AudioConverterTests
{
    private static short[] Sine(double frequency, int rate, int channels, int frames, double amplitude = 10000, int startFrame = 0)
    {
        var samples = new short[frames * channels];
        for (int i = 0; i < frames; i++)
        {
            short value = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * (startFrame + i) / rate));
            for (int c = 0; c < channels; c++)
            {
                samples[(i * channels) + c] = value;
            }
        }

        return samples;
    }

    private static List<short[]> Run(AudioConverter converter, IEnumerable<short[]> chunks, int rate, int channels)
    {
        var output = new List<short[]>();
        foreach (var chunk in chunks)
        {
            converter.Push(chunk, rate, channels, frame => output.Add(frame.ToArray()));
        }

        return output;
    }

    // Sign changes of one channel: two per period of a sine.
    private static int ZeroCrossings(IEnumerable<short> samples)
    {
        int crossings = 0, previous = 0;
        foreach (var s in samples)
        {
            int sign = Math.Sign(s);
            if (sign != 0)
            {
                if (previous != 0 && sign != previous)
                {
                    crossings++;
                }

                previous = sign;
            }
        }

        return crossings;
    }

    private static IEnumerable<short[]> Chunks(short[] all, int channels, int framesPerChunk)
    {
        for (int i = 0; i < all.Length; i += framesPerChunk * channels)
        {
            yield return all[i..Math.Min(all.Length, i + (framesPerChunk * channels))];
        }
    }

    [Test]
    public void Stereo_48k_to_mono_8k_makes_160_sample_frames_one_per_20_ms()
    {
        var converter = new AudioConverter(8000, 1, 160);
        var input = Sine(1000, 48000, 2, 48000);
        var frames = Run(converter, Chunks(input, 2, 960), 48000, 2);
        Assert.That(frames, Has.Count.EqualTo(50));
        Assert.That(frames.All(f => f.Length == 160), Is.True);
        Assert.That(converter.FrameSize, Is.EqualTo(160));
    }

    [Test]
    public void Stereo_48k_to_16k_for_G722_makes_320_sample_frames()
    {
        var converter = new AudioConverter(16000, 1, 320);
        var frames = Run(converter, Chunks(Sine(440, 48000, 2, 48000), 2, 480), 48000, 2);
        Assert.That(frames, Has.Count.EqualTo(50));
        Assert.That(frames.All(f => f.Length == 320), Is.True);
    }

    [TestCase(48000, 2, 8000, 1, 160, 1000.0)]
    [TestCase(48000, 2, 16000, 1, 320, 440.0)]
    [TestCase(48000, 2, 16000, 1, 320, 3000.0)]
    [TestCase(8000, 1, 48000, 2, 960, 440.0)]
    [TestCase(44100, 2, 48000, 2, 960, 1000.0)]
    [TestCase(16000, 1, 8000, 1, 160, 700.0)]
    public void A_sines_frequency_survives_resampling(int inRate, int inChannels, int outRate, int outChannels, int frameSize, double frequency)
    {
        var converter = new AudioConverter(outRate, outChannels, frameSize);
        var frames = Run(converter, Chunks(Sine(frequency, inRate, inChannels, inRate * 2), inChannels, inRate / 100), inRate, inChannels);
        var output = frames.SelectMany(f => f).ToArray();
        double seconds = (double)output.Length / outChannels / outRate;
        Assert.That(seconds, Is.EqualTo(2).Within(frameSize / (double)outRate));
        for (int c = 0; c < outChannels; c++)
        {
            var channel = output.Where((_, i) => i % outChannels == c).ToArray();
            double measured = ZeroCrossings(channel) / 2.0 / seconds;
            Assert.That(measured, Is.EqualTo(frequency).Within(frequency * 0.01 + 1), $"channel {c}");
            Assert.That(channel.Max(), Is.InRange((short)9000, (short)10001), "the amplitude survives too");
        }

        if (outChannels == 2)
        {
            Assert.That(output.Where((_, i) => i % 2 == 0), Is.EqualTo(output.Where((_, i) => i % 2 == 1)), "mono is copied to both channels");
        }
    }

    [Test]
    public void Framing_does_not_depend_on_how_the_input_is_chunked()
    {
        var input = Sine(523, 48000, 2, 48000 / 2);
        var whole = Run(new AudioConverter(8000, 1, 160), [input], 48000, 2).SelectMany(f => f).ToArray();

        var random = new Random(7);
        var chunks = new List<short[]>();
        for (int i = 0; i < input.Length;)
        {
            int frames = random.Next(0, 700);
            int end = Math.Min(input.Length, i + (frames * 2));
            chunks.Add(input[i..end]);
            i = end;
        }

        var pieces = Run(new AudioConverter(8000, 1, 160), chunks, 48000, 2).SelectMany(f => f).ToArray();
        Assert.That(pieces, Is.EqualTo(whole));
        Assert.That(whole, Has.Length.EqualTo(4000 - (4000 % 160)));
    }

    [Test]
    public void A_partial_frame_waits_for_the_next_push()
    {
        var converter = new AudioConverter(8000, 1, 160);
        var frames = new List<short[]>();
        converter.Push(Sine(1000, 48000, 2, 900), 48000, 2, f => frames.Add(f.ToArray()));
        Assert.That(frames, Is.Empty, "900 input frames make 150 output samples");
        converter.Push(Sine(1000, 48000, 2, 60, startFrame: 900), 48000, 2, f => frames.Add(f.ToArray()));
        Assert.That(frames, Has.Count.EqualTo(1));
    }

    [Test]
    public void Stereo_is_downmixed_to_the_average()
    {
        var converter = new AudioConverter(48000, 1, 4);
        var frames = new List<short[]>();
        converter.Push([1000, 3000, -2000, 2000, 32767, 32767, -32768, -32768], 48000, 2, f => frames.Add(f.ToArray()));
        Assert.That(frames.Single(), Is.EqualTo(new short[] { 2000, 0, 32767, -32768 }));
        converter.Push([0, 10, 0, 20, 0, 30], 48000, 2, f => frames.Add(f.ToArray()));
        Assert.That(frames, Has.Count.EqualTo(1), "three of four samples: no frame yet");
        converter.Push([-7, -9], 48000, 2, f => frames.Add(f.ToArray()));
        Assert.That(frames[1], Is.EqualTo(new short[] { 5, 10, 15, -8 }));
    }

    [Test]
    public void Same_rate_and_channels_pass_through_unchanged()
    {
        var converter = new AudioConverter(48000, 2, 960);
        var input = Sine(440, 48000, 2, 960 * 3);
        var output = Run(converter, Chunks(input, 2, 333), 48000, 2).SelectMany(f => f).ToArray();
        Assert.That(output, Is.EqualTo(input));
    }

    [Test]
    public void A_rate_change_mid_stream_keeps_framing_and_the_frequency()
    {
        var converter = new AudioConverter(16000, 1, 320);
        var output = new List<short>();
        converter.Push(Sine(500, 48000, 1, 48000), 48000, 1, f => output.AddRange(f.ToArray()));
        converter.Push(Sine(500, 8000, 1, 8000), 8000, 1, f => output.AddRange(f.ToArray()));
        Assert.That(output.Count % 320, Is.Zero);
        Assert.That(output.Count, Is.EqualTo(32000).Within(640));
        Assert.That(ZeroCrossings(output) / 2.0 / (output.Count / 16000.0), Is.EqualTo(500).Within(10));
    }

    [Test]
    public void Pushing_allocates_nothing_once_warm()
    {
        var converter = new AudioConverter(8000, 1, 160);
        var input = Sine(1000, 48000, 2, 960);
        long frames = 0;
        Action<ReadOnlyMemory<short>> onFrame = _ => frames++;
        converter.Push(input, 48000, 2, onFrame);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            converter.Push(input, 48000, 2, onFrame);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(frames, Is.EqualTo(101));
    }
}
