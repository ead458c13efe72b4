namespace WebRtc.Client.Packetization;

/// <summary>
/// Splits one encoded frame into RTP payloads. A new codec is a new packetizer/depacketizer pair.
/// Payloads are written back to back into a caller's buffer, so packetizing allocates nothing;
/// the last payload of a frame is the one to send with the marker bit.
/// </summary>
public interface IRtpPacketizer
{
    /// <summary>
    /// Packetizes <paramref name="frame"/> into payloads of at most <paramref name="maxPayloadSize"/> bytes.
    /// Payload i starts where payload i-1 ended in <paramref name="output"/>; its length is <c>payloadLengths[i]</c>.
    /// False when the buffers are too small or the format cannot carry the frame (e.g. packetization-mode 0 with a NAL over the MTU).
    /// </summary>
    bool TryPacketize(ReadOnlySpan<byte> frame, int maxPayloadSize, Span<byte> output, Span<int> payloadLengths, out int count);
}

/// <summary>What a depacketizer learns from one payload.</summary>
/// <param name="IsFrameStart">The payload begins a frame (or, for H.264, a NAL unit).</param>
/// <param name="IsFrameEnd">The payload ends a frame by the format's own signal (audio, VP9 E bit); video otherwise relies on the marker bit.</param>
/// <param name="IsKeyFrame">The payload carries the start of a keyframe (VP8/VP9) or an IDR/SPS (H.264).</param>
public readonly record struct RtpPayloadInfo(bool IsFrameStart, bool IsFrameEnd, bool IsKeyFrame);

/// <summary>Turns RTP payloads back into the codec's bitstream. Never throws on network input.</summary>
public interface IRtpDepacketizer
{
    /// <summary>Reads the payload header; false when the payload is malformed.</summary>
    bool TryGetInfo(ReadOnlySpan<byte> payload, out RtpPayloadInfo info);

    /// <summary>Writes this payload's share of the frame into <paramref name="destination"/>; false when malformed or it does not fit.</summary>
    bool TryAppend(ReadOnlySpan<byte> payload, Span<byte> destination, out int written);
}

/// <summary>Shared argument checks.</summary>
internal static class PacketizerGuard
{
    public static void Check(int maxPayloadSize, int minimum, Span<int> payloadLengths)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadSize, minimum);
        if (payloadLengths.IsEmpty)
        {
            throw new ArgumentException("No room for payload lengths.", nameof(payloadLengths));
        }
    }
}
