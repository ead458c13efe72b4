namespace WebRtc.Client.Codecs;

/// <summary>One <c>a=rtcp-fb</c> value (RFC 4585), e.g. <c>nack pli</c>.</summary>
/// <param name="Type">The feedback type: <c>nack</c>, <c>ccm</c>, <c>goog-remb</c>, <c>transport-cc</c>.</param>
/// <param name="Parameter">The optional parameter: <c>pli</c> for <c>nack</c>, <c>fir</c> for <c>ccm</c>.</param>
public sealed record RtcpFeedback(string Type, string? Parameter = null)
{
    /// <summary>Generic NACK (RFC 4585).</summary>
    public static RtcpFeedback Nack { get; } = new("nack");

    /// <summary>Picture loss indication (RFC 4585).</summary>
    public static RtcpFeedback NackPli { get; } = new("nack", "pli");

    /// <summary>Full intra request (RFC 5104).</summary>
    public static RtcpFeedback CcmFir { get; } = new("ccm", "fir");

    /// <summary>Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb).</summary>
    public static RtcpFeedback GoogRemb { get; } = new("goog-remb");

    /// <summary>Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions).</summary>
    public static RtcpFeedback TransportCc { get; } = new("transport-cc");

    /// <summary>The SDP form: type, then the parameter if any.</summary>
    public override string ToString() => Parameter is null ? Type : $"{Type} {Parameter}";
}
