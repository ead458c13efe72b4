namespace WebRtc.Client.Srtp;

/// <summary>Why an SRTP/SRTCP protect or unprotect call returned <see langword="false"/>.</summary>
public enum SrtpError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The packet is shorter than its header plus the tag (and SRTCP index).</summary>
    TooShort,

    /// <summary>The RTP/RTCP header is malformed (version, CSRC count, extension length).</summary>
    BadHeader,

    /// <summary>The authentication tag did not verify.</summary>
    AuthenticationFailed,

    /// <summary>The packet index was already received, or is older than the replay window.</summary>
    Replayed,

    /// <summary>A new SSRC would exceed the context's stream cap.</summary>
    TooManyStreams,

    /// <summary>The buffer has no room for the tag (and SRTCP index) after the packet.</summary>
    BufferTooSmall,
}
