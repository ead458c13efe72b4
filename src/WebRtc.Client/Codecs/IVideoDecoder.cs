using WebRtc.Client.Media;

namespace WebRtc.Client.Codecs;

/// <summary>Turns encoded frames back into raw I420 frames.</summary>
public interface IVideoDecoder : IDisposable
{
    /// <summary>The codec's SDP name, e.g. <c>VP8</c>.</summary>
    string CodecName { get; }

    /// <summary>
    /// Decodes one encoded frame (a VP8/VP9 frame or a complete H.264 access unit).
    /// Corrupt input is reported by returning null, never by throwing.
    /// </summary>
    /// <param name="encodedFrame">The frame's bitstream.</param>
    /// <param name="timestamp">Timestamp given to the decoded frame.</param>
    /// <returns>A pooled frame the caller disposes, or null when no picture came out.</returns>
    VideoFrame? Decode(ReadOnlySpan<byte> encodedFrame, TimeSpan timestamp);
}
