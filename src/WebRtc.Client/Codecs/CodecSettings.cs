namespace WebRtc.Client.Codecs;

/// <summary>How a video encoder starts; bitrate and frame rate can change later on the encoder.</summary>
public sealed record VideoEncoderSettings
{
    /// <summary>Frame width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Frame height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Expected frames per second.</summary>
    public double FrameRate { get; init; } = 30;

    /// <summary>Initial target bitrate in bits per second.</summary>
    public int Bitrate { get; init; } = 1_000_000;

    /// <summary>Longest distance between keyframes, in frames; keyframes also come on request.</summary>
    public int KeyFrameInterval { get; init; } = 3000;

    /// <summary>
    /// Temporal layers wanted (1 to 3). Codecs without them (H.264 here) encode one layer; the encoder's
    /// <see cref="IVideoEncoder.TemporalLayers"/> says what it runs.
    /// </summary>
    public int TemporalLayers { get; init; } = 1;

    /// <summary>Encoder threads; 1 keeps latency and CPU use predictable next to the network stack.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>How an audio encoder starts.</summary>
public sealed record AudioEncoderSettings
{
    /// <summary>Interleaved channels.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Frame duration (Opus: 10, 20, 40 or 60 ms).</summary>
    public TimeSpan FrameDuration { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Initial bitrate in bits per second, or 0 for the codec's default.</summary>
    public int Bitrate { get; init; }

    /// <summary>Tune for speech (true) or for music and general audio (false).</summary>
    public bool Voice { get; init; } = true;

    /// <summary>In-band FEC, where the codec has it.</summary>
    public bool Fec { get; init; }

    /// <summary>Discontinuous transmission, where the codec has it.</summary>
    public bool Dtx { get; init; }
}
