namespace WebRtc.Client.Dtls;

/// <summary>Which side of the DTLS handshake this endpoint plays.</summary>
public enum DtlsRole
{
    /// <summary>Sends the ClientHello (SDP <c>a=setup:active</c>).</summary>
    Client,

    /// <summary>Waits for the ClientHello (SDP <c>a=setup:passive</c>).</summary>
    Server,
}

/// <summary>The SDP <c>a=setup</c> attribute value (RFC 4145, RFC 8842).</summary>
public enum DtlsSetup
{
    /// <summary>Either role; what an offer carries.</summary>
    ActPass,

    /// <summary>This side initiates the handshake (DTLS client).</summary>
    Active,

    /// <summary>This side accepts the handshake (DTLS server).</summary>
    Passive,
}

/// <summary>The state of a <see cref="DtlsTransport"/> (W3C <c>RTCDtlsTransportState</c>).</summary>
public enum DtlsTransportState
{
    /// <summary>Created, handshake not started.</summary>
    New,

    /// <summary>Handshake under way.</summary>
    Connecting,

    /// <summary>Handshake done and the peer's certificate matched its fingerprint.</summary>
    Connected,

    /// <summary>Closed by either side with close_notify, or disposed.</summary>
    Closed,

    /// <summary>Handshake failed, the fingerprint did not match, or a fatal alert arrived.</summary>
    Failed,
}
