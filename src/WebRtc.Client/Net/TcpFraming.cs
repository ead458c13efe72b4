namespace WebRtc.Client.Net;

/// <summary>How a <see cref="FramedTcpConnection"/> cuts its byte stream into frames.</summary>
public enum TcpFraming
{
    /// <summary>
    /// Every frame is preceded by its length as a 16-bit big-endian integer (RFC 4571 §2), as
    /// ICE-TCP carries STUN, DTLS and RTP (RFC 6544 §3). Received frames of length 0 are skipped.
    /// </summary>
    Rfc4571,

    /// <summary>
    /// STUN messages and TURN ChannelData messages back to back, each delimited by its own header
    /// (RFC 8489 §6.2.2, RFC 8656 §12.5), as spoken to a TURN server over TCP or TLS. ChannelData
    /// is padded to a multiple of 4 bytes on the stream; the padding is not delivered, and the
    /// sender must add it.
    /// </summary>
    Stun,
}
