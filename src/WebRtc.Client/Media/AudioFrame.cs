using System.Buffers;

namespace WebRtc.Client.Media;

/// <summary>
/// A block of interleaved signed 16-bit PCM with its sample rate and channel count, in a
/// buffer rented from <see cref="ArrayPool{T}.Shared"/>; Dispose returns it.
/// </summary>
public sealed class AudioFrame : IDisposable
{
    private short[]? _buffer;

    private AudioFrame(int sampleRate, int channels, int samplesPerChannel, TimeSpan timestamp)
    {
        SampleRate = sampleRate;
        Channels = channels;
        SamplesPerChannel = samplesPerChannel;
        Timestamp = timestamp;
        _buffer = ArrayPool<short>.Shared.Rent(samplesPerChannel * channels);
    }

    /// <summary>Samples per second per channel.</summary>
    public int SampleRate { get; private set; }

    /// <summary>Number of interleaved channels.</summary>
    public int Channels { get; private set; }

    /// <summary>Samples in each channel.</summary>
    public int SamplesPerChannel { get; private set; }

    /// <summary>Capture or presentation time of the first sample.</summary>
    public TimeSpan Timestamp { get; set; }

    /// <summary>Playing time of the frame.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(SamplesPerChannel * TimeSpan.TicksPerSecond / SampleRate);

    /// <summary>The interleaved samples, <see cref="SamplesPerChannel"/> x <see cref="Channels"/>.</summary>
    public Span<short> Samples => (_buffer ?? throw new ObjectDisposedException(nameof(AudioFrame))).AsSpan(0, SamplesPerChannel * Channels);

    /// <summary>Rents a frame; its content is undefined until written.</summary>
    /// <param name="sampleRate">Samples per second, 8000 to 192000.</param>
    /// <param name="channels">Channel count, 1 to 8.</param>
    /// <param name="samplesPerChannel">Samples in each channel, at least 1.</param>
    /// <param name="timestamp">Time of the first sample.</param>
    public static AudioFrame Create(int sampleRate, int channels, int samplesPerChannel, TimeSpan timestamp = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 192000);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerChannel, 1);
        return new AudioFrame(sampleRate, channels, samplesPerChannel, timestamp);
    }

    // The receive path refills one frame per stream instead of making one per decoded packet; the
    // buffer is re-rented only when it is too small (or when a handler disposed the frame).
    internal AudioFrame Reuse(int sampleRate, int channels, int samplesPerChannel, TimeSpan timestamp)
    {
        int needed = samplesPerChannel * channels;
        if (_buffer is null || _buffer.Length < needed)
        {
            var old = Interlocked.Exchange(ref _buffer, ArrayPool<short>.Shared.Rent(needed));
            if (old is not null)
            {
                ArrayPool<short>.Shared.Return(old);
            }
        }

        SampleRate = sampleRate;
        Channels = channels;
        SamplesPerChannel = samplesPerChannel;
        Timestamp = timestamp;
        return this;
    }

    /// <summary>Returns the buffer to the pool; <see cref="Samples"/> is unusable afterwards.</summary>
    public void Dispose()
    {
        short[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<short>.Shared.Return(buffer);
        }
    }
}
