using System.Runtime.CompilerServices;

namespace WebRtc.Client.Media;

/// <summary>
/// A producer of PCM frames of fixed duration. <see cref="NextFrame"/> renders the next frame at
/// once; <see cref="ReadFramesAsync"/> paces them on the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class AudioSource : MediaTrackSource
{
    private readonly TimeProvider _timeProvider;
    private readonly SourcePump _pump = new();
    private readonly double _frequency;
    private readonly double _amplitude;
    private long _samplePosition;

    private AudioSource(double frequency, double amplitude, int sampleRate, int channels, TimeSpan frameDuration, TimeProvider? timeProvider)
        : base(MediaKind.Audio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 192000);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 8);
        if (frequency < 0 || frequency >= sampleRate / 2.0)
        {
            throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "Frequency must be in [0, sampleRate / 2).");
        }

        if (amplitude is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(amplitude), amplitude, "Amplitude is a fraction of full scale, in [0, 1].");
        }

        long samples = frameDuration.Ticks * sampleRate / TimeSpan.TicksPerSecond;
        if (samples < 1 || samples * TimeSpan.TicksPerSecond != frameDuration.Ticks * sampleRate)
        {
            throw new ArgumentOutOfRangeException(nameof(frameDuration), frameDuration, "Frame duration must be a positive whole number of samples.");
        }

        _frequency = frequency;
        _amplitude = amplitude;
        SampleRate = sampleRate;
        Channels = channels;
        FrameDuration = frameDuration;
        SamplesPerFrame = (int)samples;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Samples per second per channel.</summary>
    public int SampleRate { get; }

    /// <summary>Interleaved channels per frame (all carry the same signal).</summary>
    public int Channels { get; }

    /// <summary>Duration of each frame.</summary>
    public TimeSpan FrameDuration { get; }

    /// <summary>Samples per channel in each frame.</summary>
    public int SamplesPerFrame { get; }

    /// <summary>A sine tone of <paramref name="frequency"/> Hz, continuous in phase across frames.</summary>
    /// <param name="frequency">Tone frequency in Hz, below half the sample rate.</param>
    /// <param name="amplitude">Peak level as a fraction of full scale.</param>
    /// <param name="sampleRate">Samples per second.</param>
    /// <param name="channels">Channel count.</param>
    /// <param name="frameDuration">Frame length; 20 ms when null.</param>
    /// <param name="timeProvider">Clock for pacing; <see cref="TimeProvider.System"/> when null.</param>
    public static AudioSource Sine(double frequency, double amplitude = 0.5, int sampleRate = 48000, int channels = 1, TimeSpan? frameDuration = null, TimeProvider? timeProvider = null) =>
        new(frequency, amplitude, sampleRate, channels, frameDuration ?? TimeSpan.FromMilliseconds(20), timeProvider);

    /// <summary>Digital silence.</summary>
    /// <param name="sampleRate">Samples per second.</param>
    /// <param name="channels">Channel count.</param>
    /// <param name="frameDuration">Frame length; 20 ms when null.</param>
    /// <param name="timeProvider">Clock for pacing; <see cref="TimeProvider.System"/> when null.</param>
    public static AudioSource Silence(int sampleRate = 48000, int channels = 1, TimeSpan? frameDuration = null, TimeProvider? timeProvider = null) =>
        new(0, 0, sampleRate, channels, frameDuration ?? TimeSpan.FromMilliseconds(20), timeProvider);

    /// <summary>Renders the next frame now; the caller disposes it.</summary>
    public AudioFrame NextFrame()
    {
        var frame = AudioFrame.Create(SampleRate, Channels, SamplesPerFrame, TimeSpan.FromTicks(_samplePosition * TimeSpan.TicksPerSecond / SampleRate));
        Fill(frame.Samples);
        return frame;
    }

    /// <summary>Fills <paramref name="interleaved"/> (a multiple of <see cref="Channels"/> samples) with the next samples.</summary>
    /// <param name="interleaved">Destination.</param>
    public void Fill(Span<short> interleaved)
    {
        double scale = _amplitude * short.MaxValue;
        for (int i = 0; i + Channels <= interleaved.Length; i += Channels)
        {
            // Phase from the absolute sample index, reduced to one cycle, so long runs do not drift.
            double cycles = _frequency * _samplePosition / SampleRate;
            short s = (short)Math.Round(scale * Math.Sin(2 * Math.PI * (cycles - Math.Floor(cycles))));
            interleaved.Slice(i, Channels).Fill(s);
            _samplePosition++;
        }
    }

    /// <summary>Yields frames paced in real time: frame n is due n frame durations after the first.</summary>
    /// <param name="cancellationToken">Stops the sequence.</param>
    public async IAsyncEnumerable<AudioFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long start = _timeProvider.GetTimestamp();
        for (long n = 0; ; n++)
        {
            TimeSpan wait = FrameDuration * n - _timeProvider.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return NextFrame();
        }
    }

    /// <summary>
    /// Creates a track on this source. While a sender sends it, the source produces frames in real time
    /// on a background task.
    /// </summary>
    /// <param name="label">The track label.</param>
    public MediaStreamTrack CreateTrack(string label = "audio") => new(MediaKind.Audio, label, this);

    private protected override void OnAttached() => _pump.Start(async token =>
    {
        await foreach (var frame in ReadFramesAsync(token).ConfigureAwait(false))
        {
            using (frame)
            {
                DeliverAudio(frame);
            }
        }
    });

    private protected override void OnDetached() => _pump.Stop();
}
