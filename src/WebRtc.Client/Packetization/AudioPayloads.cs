namespace WebRtc.Client.Packetization;

/// <summary>
/// Audio formats that carry one frame per RTP packet: Opus (RFC 7587 §4.2), PCMU/PCMA and G.722
/// (RFC 3551 §4.5). Packetizing copies the frame; depacketizing copies it back.
/// </summary>
public sealed class AudioPacketizer : IRtpPacketizer, IRtpDepacketizer
{
    /// <summary>Opus's RTP clock, whatever the sampling rate (RFC 7587 §4.1).</summary>
    public const int OpusClockRate = 48000;

    /// <summary>PCMU/PCMA clock.</summary>
    public const int G711ClockRate = 8000;

    /// <summary>G.722's RTP clock: 8000 Hz although it samples at 16 kHz, an RFC 1890 mistake kept by RFC 3551 §4.5.2.</summary>
    public const int G722ClockRate = 8000;

    /// <summary>RTP timestamp advance for a G.711 or G.722 payload: one tick per byte at 64 kbit/s.</summary>
    public static uint TimestampIncrement(int payloadLength) => (uint)payloadLength;

    /// <summary>RTP timestamp advance for an Opus frame of <paramref name="duration"/>.</summary>
    public static uint OpusTimestampIncrement(TimeSpan duration) => (uint)(duration.Ticks * OpusClockRate / TimeSpan.TicksPerSecond);

    /// <inheritdoc/>
    public bool TryPacketize(ReadOnlySpan<byte> frame, int maxPayloadSize, Span<byte> output, Span<int> payloadLengths, out int count)
    {
        PacketizerGuard.Check(maxPayloadSize, 1, payloadLengths);
        count = 0;
        if (frame.IsEmpty || frame.Length > maxPayloadSize || frame.Length > output.Length)
        {
            return false;
        }

        frame.CopyTo(output);
        payloadLengths[0] = frame.Length;
        count = 1;
        return true;
    }

    /// <inheritdoc/>
    public bool TryGetInfo(ReadOnlySpan<byte> payload, out RtpPayloadInfo info)
    {
        info = new RtpPayloadInfo(true, true, true);
        return !payload.IsEmpty;
    }

    /// <inheritdoc/>
    public bool TryAppend(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.IsEmpty || payload.Length > destination.Length)
        {
            return false;
        }

        payload.CopyTo(destination);
        written = payload.Length;
        return true;
    }
}
