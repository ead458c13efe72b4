using Concentus.Enums;
using WebRtc.Client.Codecs;
using ConcentusEncoder = Concentus.Structs.OpusEncoder;

namespace WebRtc.Client.Codecs.Opus;

/// <summary>
/// Opus encoder at 48 kHz through Concentus's managed implementation (always managed, never a
/// native libopus it might find, so output is the same everywhere).
/// </summary>
public sealed class OpusAudioEncoder : IAudioEncoder
{
    /// <summary>Largest Opus packet (RFC 6716 §3.4: 1275 bytes per frame, up to 3 frames for 60 ms).</summary>
    public const int MaxPacketSize = 3 * 1275 + 7;

    private readonly ConcentusEncoder _encoder;
    private bool _disposed;

    /// <summary>Creates an encoder.</summary>
    /// <param name="settings">Channels (1 or 2), frame duration (10, 20, 40 or 60 ms), bitrate, voice or audio, FEC, DTX.</param>
    public OpusAudioEncoder(AudioEncoderSettings? settings = null)
    {
        settings ??= new AudioEncoderSettings();
        if (settings.Channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Channels, "Opus encodes 1 or 2 channels.");
        }

        double ms = settings.FrameDuration.TotalMilliseconds;
        if (ms is not (10 or 20 or 40 or 60))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.FrameDuration, "Opus frames are 10, 20, 40 or 60 ms here.");
        }

        Channels = settings.Channels;
        FrameSize = (int)(48 * ms);
        // The constructor is marked obsolete only to steer users to OpusCodecFactory, which may
        // load a native libopus; we want the managed codec on every machine (DESIGN.md).
#pragma warning disable CS0618
        _encoder = new ConcentusEncoder(48000, Channels, settings.Voice ? OpusApplication.OPUS_APPLICATION_VOIP : OpusApplication.OPUS_APPLICATION_AUDIO);
#pragma warning restore CS0618
        if (settings.Bitrate != 0)
        {
            Bitrate = settings.Bitrate;
        }

        Fec = settings.Fec;
        Dtx = settings.Dtx;
    }

    /// <inheritdoc />
    public string CodecName => "opus";

    /// <inheritdoc />
    public int SampleRate => 48000;

    /// <inheritdoc />
    public int Channels { get; }

    /// <inheritdoc />
    public int FrameSize { get; }

    /// <inheritdoc />
    /// <remarks>6000 to 510000 bit/s (RFC 6716 range).</remarks>
    public int Bitrate
    {
        get => _encoder.Bitrate;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 6000);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 510000);
            _encoder.Bitrate = value;
        }
    }

    /// <summary>Encoder complexity, 0 (fastest) to 10 (best).</summary>
    public int Complexity
    {
        get => _encoder.Complexity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10);
            _encoder.Complexity = value;
        }
    }

    /// <inheritdoc />
    /// <remarks>Opus puts a low-rate copy of the previous frame in each packet (SILK modes), sized by <see cref="ExpectedLossPercent"/>.</remarks>
    public bool Fec
    {
        get => _encoder.UseInbandFEC;
        set => _encoder.UseInbandFEC = value;
    }

    /// <inheritdoc />
    public bool Dtx
    {
        get => _encoder.UseDTX;
        set => _encoder.UseDTX = value;
    }

    /// <inheritdoc />
    public int ExpectedLossPercent
    {
        get => _encoder.PacketLossPercent;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            _encoder.PacketLossPercent = value;
        }
    }

    /// <inheritdoc />
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (pcm.Length != FrameSize * Channels)
        {
            throw new ArgumentException($"Opus encodes frames of {FrameSize} x {Channels} samples, not {pcm.Length}.", nameof(pcm));
        }

        return _encoder.Encode(pcm, FrameSize, output, Math.Min(output.Length, MaxPacketSize));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _encoder.Dispose();
        }
    }
}
