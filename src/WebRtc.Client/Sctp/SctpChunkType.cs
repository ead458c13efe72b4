namespace WebRtc.Client.Sctp;

/// <summary>SCTP chunk types this stack speaks (RFC 9260 §3.2, RFC 3758, RFC 6525).</summary>
public enum SctpChunkType : byte
{
    /// <summary>Payload data.</summary>
    Data = 0,

    /// <summary>Initiation.</summary>
    Init = 1,

    /// <summary>Initiation acknowledgement.</summary>
    InitAck = 2,

    /// <summary>Selective acknowledgement.</summary>
    Sack = 3,

    /// <summary>Heartbeat request.</summary>
    Heartbeat = 4,

    /// <summary>Heartbeat acknowledgement.</summary>
    HeartbeatAck = 5,

    /// <summary>Abort.</summary>
    Abort = 6,

    /// <summary>Shutdown.</summary>
    Shutdown = 7,

    /// <summary>Shutdown acknowledgement.</summary>
    ShutdownAck = 8,

    /// <summary>Operation error.</summary>
    Error = 9,

    /// <summary>State cookie echo.</summary>
    CookieEcho = 10,

    /// <summary>Cookie acknowledgement.</summary>
    CookieAck = 11,

    /// <summary>Shutdown complete.</summary>
    ShutdownComplete = 14,

    /// <summary>Re-configuration (RFC 6525).</summary>
    ReConfig = 130,

    /// <summary>Forward cumulative TSN (RFC 3758).</summary>
    ForwardTsn = 192,
}

/// <summary>Parameter types inside INIT, INIT ACK, HEARTBEAT and RE-CONFIG chunks.</summary>
public enum SctpParameterType : ushort
{
    /// <summary>Heartbeat information (RFC 9260 §3.3.5).</summary>
    HeartbeatInfo = 1,

    /// <summary>IPv4 address.</summary>
    Ipv4Address = 5,

    /// <summary>IPv6 address.</summary>
    Ipv6Address = 6,

    /// <summary>State cookie (INIT ACK).</summary>
    StateCookie = 7,

    /// <summary>Unrecognized parameter (INIT ACK).</summary>
    UnrecognizedParameter = 8,

    /// <summary>Cookie preservative.</summary>
    CookiePreservative = 9,

    /// <summary>Supported address types.</summary>
    SupportedAddressTypes = 12,

    /// <summary>Outgoing SSN reset request (RFC 6525 §4.1).</summary>
    OutgoingSsnResetRequest = 13,

    /// <summary>Incoming SSN reset request (RFC 6525 §4.2).</summary>
    IncomingSsnResetRequest = 14,

    /// <summary>SSN/TSN reset request (RFC 6525 §4.3).</summary>
    SsnTsnResetRequest = 15,

    /// <summary>Re-configuration response (RFC 6525 §4.4).</summary>
    ReconfigurationResponse = 16,

    /// <summary>Add outgoing streams request (RFC 6525 §4.5).</summary>
    AddOutgoingStreamsRequest = 17,

    /// <summary>Add incoming streams request (RFC 6525 §4.6).</summary>
    AddIncomingStreamsRequest = 18,

    /// <summary>Supported extensions (RFC 5061 §4.2.7).</summary>
    SupportedExtensions = 0x8008,

    /// <summary>Forward-TSN supported (RFC 3758 §3.1).</summary>
    ForwardTsnSupported = 0xC000,
}

/// <summary>Results in a re-configuration response (RFC 6525 §4.4).</summary>
public enum SctpReconfigResult : uint
{
    /// <summary>Success, nothing to do.</summary>
    SuccessNothingToDo = 0,

    /// <summary>Success, performed.</summary>
    SuccessPerformed = 1,

    /// <summary>Denied.</summary>
    Denied = 2,

    /// <summary>Error: wrong SSN.</summary>
    ErrorWrongSsn = 3,

    /// <summary>Error: a request is already in progress.</summary>
    ErrorRequestAlreadyInProgress = 4,

    /// <summary>Error: bad sequence number.</summary>
    ErrorBadSequenceNumber = 5,

    /// <summary>In progress; the request is retried later.</summary>
    InProgress = 6,
}

/// <summary>Error cause codes carried in ABORT and ERROR chunks (RFC 9260 §3.3.10).</summary>
public enum SctpErrorCauseCode : ushort
{
    /// <summary>Invalid stream identifier.</summary>
    InvalidStreamIdentifier = 1,

    /// <summary>Missing mandatory parameter.</summary>
    MissingMandatoryParameter = 2,

    /// <summary>Stale cookie.</summary>
    StaleCookie = 3,

    /// <summary>Out of resource.</summary>
    OutOfResource = 4,

    /// <summary>Unresolvable address.</summary>
    UnresolvableAddress = 5,

    /// <summary>Unrecognized chunk type.</summary>
    UnrecognizedChunkType = 6,

    /// <summary>Invalid mandatory parameter.</summary>
    InvalidMandatoryParameter = 7,

    /// <summary>Unrecognized parameters.</summary>
    UnrecognizedParameters = 8,

    /// <summary>No user data.</summary>
    NoUserData = 9,

    /// <summary>Cookie received while shutting down.</summary>
    CookieReceivedWhileShuttingDown = 10,

    /// <summary>Restart of an association with new addresses.</summary>
    RestartWithNewAddresses = 11,

    /// <summary>User-initiated abort.</summary>
    UserInitiatedAbort = 12,

    /// <summary>Protocol violation.</summary>
    ProtocolViolation = 13,
}
