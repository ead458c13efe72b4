using Concentus;
using WebRtc.Client.Codecs;
using ConcentusDecoder = Concentus.Structs.OpusDecoder;

namespace WebRtc.Client.Codecs.Opus;

/// <summary>Opus decoder at 48 kHz through Concentus, with Opus's own concealment and FEC recovery.</summary>
public sealed class OpusAudioDecoder : IAudioDecoder
{
    /// <summary>Longest Opus packet duration, 120 ms at 48 kHz.</summary>
    public const int MaxFrameSize = 5760;

    private readonly ConcentusDecoder _decoder;
    private bool _disposed;

    /// <summary>Creates a decoder.</summary>
    /// <param name="channels">Output channels, 1 or 2 (Opus mixes or duplicates as needed).</param>
    public OpusAudioDecoder(int channels = 2)
    {
        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Opus decodes to 1 or 2 channels.");
        }

        Channels = channels;
        // The constructor is marked obsolete only to steer users to OpusCodecFactory, which may
        // load a native libopus; we want the managed codec on every machine (DESIGN.md).
#pragma warning disable CS0618
        _decoder = new ConcentusDecoder(48000, channels);
#pragma warning restore CS0618
    }

    /// <inheritdoc />
    public string CodecName => "opus";

    /// <inheritdoc />
    public int SampleRate => 48000;

    /// <inheritdoc />
    public int Channels { get; }

    /// <inheritdoc />
    public bool SupportsFec => true;

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (payload.IsEmpty)
        {
            return -1;
        }

        try
        {
            return _decoder.Decode(payload, pcm, Math.Min(MaxFrameSize, pcm.Length / Channels), false);
        }
        catch (OpusException)
        {
            return -1;
        }
        catch (ArgumentException)
        {
            return -1;
        }
    }

    /// <inheritdoc />
    public int Conceal(int samplesPerChannel, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckGap(samplesPerChannel, pcm);

        // An empty packet asks Opus for PLC of the given length.
        return _decoder.Decode(ReadOnlySpan<byte>.Empty, pcm, samplesPerChannel, false);
    }

    /// <inheritdoc />
    public int DecodeFec(ReadOnlySpan<byte> nextPayload, int samplesPerChannel, Span<short> pcm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckGap(samplesPerChannel, pcm);
        try
        {
            // Without LBRR data in the next packet Opus falls back to PLC by itself.
            return _decoder.Decode(nextPayload, pcm, samplesPerChannel, true);
        }
        catch (OpusException)
        {
            return Conceal(samplesPerChannel, pcm);
        }
    }

    private void CheckGap(int samplesPerChannel, Span<short> pcm)
    {
        // Opus conceals in multiples of 2.5 ms.
        if (samplesPerChannel <= 0 || samplesPerChannel % 120 != 0 || samplesPerChannel > MaxFrameSize || pcm.Length < samplesPerChannel * Channels)
        {
            throw new ArgumentOutOfRangeException(nameof(samplesPerChannel), samplesPerChannel, "The gap must be a multiple of 2.5 ms (120 samples), at most 120 ms, and fit in pcm.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _decoder.Dispose();
        }
    }
}
