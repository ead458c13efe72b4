namespace WebRtc.Client.Codecs;

/// <summary>Turns one frame of interleaved 16-bit PCM into one RTP payload.</summary>
public interface IAudioEncoder : IDisposable
{
    /// <summary>The codec's SDP name, e.g. <c>opus</c>.</summary>
    string CodecName { get; }

    /// <summary>Input sample rate in Hz (may differ from the RTP clock rate, see G.722).</summary>
    int SampleRate { get; }

    /// <summary>Interleaved input channels.</summary>
    int Channels { get; }

    /// <summary>Samples per channel that one <see cref="Encode"/> call takes.</summary>
    int FrameSize { get; }

    /// <summary>Target bitrate in bits per second. Fixed-rate codecs throw on any other value.</summary>
    int Bitrate { get; set; }

    /// <summary>In-band forward error correction. Codecs without it throw when set to true.</summary>
    bool Fec { get; set; }

    /// <summary>Discontinuous transmission in silence. Codecs without it throw when set to true.</summary>
    bool Dtx { get; set; }

    /// <summary>Packet loss the encoder should expect, 0 to 100; sizes FEC where the codec has it.</summary>
    int ExpectedLossPercent { get; set; }

    /// <summary>Encodes <see cref="FrameSize"/> x <see cref="Channels"/> interleaved samples.</summary>
    /// <param name="pcm">Exactly one frame of interleaved samples.</param>
    /// <param name="output">Destination for the payload.</param>
    /// <returns>Payload length in bytes (may be very short in DTX silence).</returns>
    int Encode(ReadOnlySpan<short> pcm, Span<byte> output);
}
