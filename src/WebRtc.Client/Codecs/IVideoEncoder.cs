using System.Buffers;
using WebRtc.Client.Media;

namespace WebRtc.Client.Codecs;

/// <summary>
/// Turns raw frames into a compressed bitstream, one encoded frame per input frame (real-time
/// encoders run without lookahead). Rate and frame rate can change while it runs.
/// </summary>
public interface IVideoEncoder : IDisposable
{
    /// <summary>The codec's SDP name, e.g. <c>VP8</c>.</summary>
    string CodecName { get; }

    /// <summary>Target bitrate in bits per second; takes effect from the next frame.</summary>
    int TargetBitrate { get; set; }

    /// <summary>Expected frame rate; rate control spreads the bitrate over it.</summary>
    double FrameRate { get; set; }

    /// <summary>
    /// Temporal layers in the output (1 when the codec or configuration has none); the layer of each
    /// frame comes from <see cref="EncodeFrame(VideoFrame, IBufferWriter{byte}, out EncodedVideoFrameInfo)"/>.
    /// </summary>
    int TemporalLayers { get; }

    /// <summary>Makes the next encoded frame a keyframe (after a PLI or FIR, or for a new receiver).</summary>
    void RequestKeyFrame();

    /// <summary>Encodes one frame and appends the bitstream of the resulting encoded frame to <paramref name="output"/>.</summary>
    /// <param name="frame">The frame; its size must match the encoder's configuration.</param>
    /// <param name="output">Receives the encoded frame (VP8/VP9 frame, or H.264 Annex-B access unit).</param>
    /// <param name="isKeyFrame">Whether the encoded frame is a keyframe.</param>
    /// <returns>True when a frame was written; false when the encoder dropped or held it.</returns>
    bool Encode(VideoFrame frame, IBufferWriter<byte> output, out bool isKeyFrame);

    /// <summary>
    /// Encodes one frame like <see cref="Encode(VideoFrame, IBufferWriter{byte}, out bool)"/> and says
    /// which temporal layer it belongs to. Encoders without temporal layers need not implement it: the
    /// default reports layer 0.
    /// </summary>
    /// <param name="frame">The frame; its size must match the encoder's configuration.</param>
    /// <param name="output">Receives the encoded frame.</param>
    /// <param name="info">Keyframe, temporal layer and layer-sync of the encoded frame (meaningless when false is returned).</param>
    /// <returns>True when a frame was written; false when the encoder dropped or held it.</returns>
    bool EncodeFrame(VideoFrame frame, IBufferWriter<byte> output, out EncodedVideoFrameInfo info)
    {
        bool written = Encode(frame, output, out bool isKeyFrame);
        info = new EncodedVideoFrameInfo(isKeyFrame, 0, false);
        return written;
    }
}
