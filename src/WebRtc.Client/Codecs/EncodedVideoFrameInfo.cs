namespace WebRtc.Client.Codecs;

/// <summary>What an encoder says about one encoded video frame, for the RTP payload descriptor and forwarding decisions.</summary>
/// <param name="IsKeyFrame">Whether the frame is a keyframe (decodable on its own).</param>
/// <param name="TemporalLayerId">
/// The temporal layer the frame belongs to: 0 is the base layer, which decodes on its own; a frame of
/// layer N references only frames of layers 0..N, so a receiver may drop every frame above the layer
/// it wants. Always 0 when the encoder runs one layer.
/// </param>
/// <param name="LayerSync">
/// True when the frame references only base-layer (layer 0) frames, so a receiver can start
/// forwarding its layer from here (the VP8 payload descriptor's <c>Y</c> bit). False for base-layer frames.
/// </param>
public readonly record struct EncodedVideoFrameInfo(bool IsKeyFrame, int TemporalLayerId, bool LayerSync);
