namespace WebRtc.Client.Media;

/// <summary>The W3C <c>RTCRtpTransceiverDirection</c>.</summary>
public enum RTCRtpTransceiverDirection
{
    /// <summary>Send and receive.</summary>
    SendRecv,

    /// <summary>Send only.</summary>
    SendOnly,

    /// <summary>Receive only.</summary>
    RecvOnly,

    /// <summary>Neither.</summary>
    Inactive,

    /// <summary>Stopped for good (its m-line is rejected and may be recycled).</summary>
    Stopped,
}

/// <summary>How <c>RTCPeerConnection.AddTransceiver</c> sets up a transceiver (W3C <c>RTCRtpTransceiverInit</c>).</summary>
public sealed class RTCRtpTransceiverInit
{
    /// <summary>The direction; send-receive by default.</summary>
    public RTCRtpTransceiverDirection Direction { get; init; } = RTCRtpTransceiverDirection.SendRecv;

    /// <summary>The streams the sender's track belongs to (their ids go into <c>a=msid</c>).</summary>
    public IReadOnlyList<MediaStream> Streams { get; init; } = [];

    /// <summary>The encodings; one is supported (simulcast is not yet).</summary>
    public IReadOnlyList<RTCRtpEncodingParameters> SendEncodings { get; init; } = [];
}

/// <summary>One encoding of a sender (W3C <c>RTCRtpEncodingParameters</c>).</summary>
public sealed class RTCRtpEncodingParameters
{
    /// <summary>Whether it is sent; an inactive encoding sends nothing without renegotiation.</summary>
    public bool Active { get; set; } = true;

    /// <summary>The highest bitrate in bits per second the encoder may use, or null for the default.</summary>
    public int? MaxBitrate { get; set; }

    /// <summary>The highest frame rate, or null.</summary>
    public double? MaxFramerate { get; set; }

    /// <summary>Downscale factor for video (1 = full size; 2 sends half the width and height), applied before encoding.</summary>
    public double? ScaleResolutionDownBy { get; set; }

    /// <summary>The SSRC in use (read-only in W3C; filled by GetParameters).</summary>
    public uint? Ssrc { get; init; }

    /// <summary>The RTX SSRC in use, when RTX is negotiated.</summary>
    public uint? RtxSsrc { get; init; }
}

/// <summary>One codec as negotiated (W3C <c>RTCRtpCodecParameters</c>).</summary>
/// <param name="PayloadType">The RTP payload type.</param>
/// <param name="MimeType">E.g. <c>video/VP8</c>, <c>audio/opus</c>.</param>
/// <param name="ClockRate">The RTP clock rate.</param>
/// <param name="Channels">Audio channels, or null for video.</param>
/// <param name="SdpFmtpLine">The fmtp parameters, or null.</param>
public sealed record RTCRtpCodecParameters(int PayloadType, string MimeType, int ClockRate, int? Channels, string? SdpFmtpLine);

/// <summary>One codec this endpoint can send or receive (W3C <c>RTCRtpCodecCapability</c>; also the input of <c>SetCodecPreferences</c>).</summary>
/// <param name="MimeType">E.g. <c>video/VP8</c>.</param>
/// <param name="ClockRate">The RTP clock rate.</param>
/// <param name="Channels">Audio channels, or null.</param>
/// <param name="SdpFmtpLine">The fmtp parameters, or null.</param>
public sealed record RTCRtpCodecCapability(string MimeType, int ClockRate, int? Channels, string? SdpFmtpLine);

/// <summary>One header extension (W3C <c>RTCRtpHeaderExtensionParameters</c>).</summary>
/// <param name="Uri">The extension URI.</param>
/// <param name="Id">Its negotiated id.</param>
public sealed record RTCRtpHeaderExtensionParameters(string Uri, int Id);

/// <summary>What an endpoint can do for one kind (W3C <c>RTCRtpCapabilities</c>).</summary>
/// <param name="Codecs">The codecs.</param>
/// <param name="HeaderExtensions">The header extension URIs.</param>
public sealed record RTCRtpCapabilities(IReadOnlyList<RTCRtpCodecCapability> Codecs, IReadOnlyList<string> HeaderExtensions);

/// <summary>A sender's parameters (W3C <c>RTCRtpSendParameters</c>): change the encodings and pass them back to <c>SetParameters</c>.</summary>
public sealed class RTCRtpSendParameters
{
    /// <summary>Identifies this snapshot; SetParameters refuses a stale one (W3C).</summary>
    public required string TransactionId { get; init; }

    /// <summary>The encodings (one).</summary>
    public required IReadOnlyList<RTCRtpEncodingParameters> Encodings { get; init; }

    /// <summary>The negotiated codecs, the one in use first.</summary>
    public IReadOnlyList<RTCRtpCodecParameters> Codecs { get; init; } = [];

    /// <summary>The negotiated header extensions.</summary>
    public IReadOnlyList<RTCRtpHeaderExtensionParameters> HeaderExtensions { get; init; } = [];

    /// <summary>The RTCP CNAME.</summary>
    public string? Cname { get; init; }
}

/// <summary>A receiver's parameters (W3C <c>RTCRtpReceiveParameters</c>).</summary>
public sealed class RTCRtpReceiveParameters
{
    /// <summary>The negotiated codecs.</summary>
    public IReadOnlyList<RTCRtpCodecParameters> Codecs { get; init; } = [];

    /// <summary>The negotiated header extensions.</summary>
    public IReadOnlyList<RTCRtpHeaderExtensionParameters> HeaderExtensions { get; init; } = [];
}

/// <summary>The peer connection's <c>Track</c> event (W3C <c>RTCTrackEvent</c>).</summary>
public sealed class RTCTrackEventArgs : EventArgs
{
    internal RTCTrackEventArgs(RTCRtpReceiver receiver, MediaStreamTrack track, IReadOnlyList<MediaStream> streams, RTCRtpTransceiver transceiver)
    {
        Receiver = receiver;
        Track = track;
        Streams = streams;
        Transceiver = transceiver;
    }

    /// <summary>The receiver.</summary>
    public RTCRtpReceiver Receiver { get; }

    /// <summary>The remote track.</summary>
    public MediaStreamTrack Track { get; }

    /// <summary>The remote streams it belongs to (from <c>a=msid</c>).</summary>
    public IReadOnlyList<MediaStream> Streams { get; }

    /// <summary>The transceiver.</summary>
    public RTCRtpTransceiver Transceiver { get; }
}

/// <summary>Receives one raw RTP packet (decrypted, before any processing); valid only during the call.</summary>
/// <param name="receiver">The receiver.</param>
/// <param name="packet">The whole RTP packet.</param>
public delegate void RtpPacketHandler(RTCRtpReceiver receiver, ReadOnlySpan<byte> packet);

/// <summary>Receives one assembled, still encoded frame; the data is valid only during the call.</summary>
/// <param name="receiver">The receiver.</param>
/// <param name="frame">The frame.</param>
public delegate void EncodedFrameHandler(RTCRtpReceiver receiver, in EncodedFrame frame);

/// <summary>One encoded frame as it arrived: a VP8/VP9 frame, an H.264 Annex-B access unit, or one audio payload.</summary>
public readonly ref struct EncodedFrame
{
    internal EncodedFrame(string codecName, ReadOnlySpan<byte> data, uint rtpTimestamp, int clockRate, bool isKeyFrame)
    {
        CodecName = codecName;
        Data = data;
        RtpTimestamp = rtpTimestamp;
        ClockRate = clockRate;
        IsKeyFrame = isKeyFrame;
    }

    /// <summary>The codec's SDP name.</summary>
    public string CodecName { get; }

    /// <summary>The bitstream.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The RTP timestamp.</summary>
    public uint RtpTimestamp { get; }

    /// <summary>The RTP clock rate (timestamp units per second).</summary>
    public int ClockRate { get; }

    /// <summary>Whether a video frame decodes on its own (always true for audio).</summary>
    public bool IsKeyFrame { get; }
}
