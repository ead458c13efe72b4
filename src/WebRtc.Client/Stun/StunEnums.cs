namespace WebRtc.Client.Stun;

/// <summary>STUN message class (RFC 8489 §5): the two C bits of the message type.</summary>
public enum StunClass : byte
{
    /// <summary>A request (0b00).</summary>
    Request = 0,
    /// <summary>An indication (0b01).</summary>
    Indication = 1,
    /// <summary>A success response (0b10).</summary>
    SuccessResponse = 2,
    /// <summary>An error response (0b11).</summary>
    ErrorResponse = 3,
}

/// <summary>STUN and TURN methods (RFC 8489 §18.2, RFC 8656 §17).</summary>
public enum StunMethod : ushort
{
    /// <summary>Binding (0x001).</summary>
    Binding = 0x001,
    /// <summary>TURN Allocate (0x003).</summary>
    Allocate = 0x003,
    /// <summary>TURN Refresh (0x004).</summary>
    Refresh = 0x004,
    /// <summary>TURN Send (0x006).</summary>
    Send = 0x006,
    /// <summary>TURN Data (0x007).</summary>
    Data = 0x007,
    /// <summary>TURN CreatePermission (0x008).</summary>
    CreatePermission = 0x008,
    /// <summary>TURN ChannelBind (0x009).</summary>
    ChannelBind = 0x009,
}

/// <summary>STUN attribute types (RFC 8489 §18.3, RFC 8445 §16.1, RFC 8656 §18).</summary>
public enum StunAttributeType : ushort
{
    /// <summary>MAPPED-ADDRESS.</summary>
    MappedAddress = 0x0001,
    /// <summary>USERNAME.</summary>
    Username = 0x0006,
    /// <summary>MESSAGE-INTEGRITY (HMAC-SHA1).</summary>
    MessageIntegrity = 0x0008,
    /// <summary>ERROR-CODE.</summary>
    ErrorCode = 0x0009,
    /// <summary>UNKNOWN-ATTRIBUTES.</summary>
    UnknownAttributes = 0x000A,
    /// <summary>TURN CHANNEL-NUMBER.</summary>
    ChannelNumber = 0x000C,
    /// <summary>TURN LIFETIME.</summary>
    Lifetime = 0x000D,
    /// <summary>TURN XOR-PEER-ADDRESS.</summary>
    XorPeerAddress = 0x0012,
    /// <summary>TURN DATA.</summary>
    Data = 0x0013,
    /// <summary>REALM.</summary>
    Realm = 0x0014,
    /// <summary>NONCE.</summary>
    Nonce = 0x0015,
    /// <summary>TURN XOR-RELAYED-ADDRESS.</summary>
    XorRelayedAddress = 0x0016,
    /// <summary>TURN REQUESTED-ADDRESS-FAMILY.</summary>
    RequestedAddressFamily = 0x0017,
    /// <summary>TURN EVEN-PORT.</summary>
    EvenPort = 0x0018,
    /// <summary>TURN REQUESTED-TRANSPORT.</summary>
    RequestedTransport = 0x0019,
    /// <summary>TURN DONT-FRAGMENT.</summary>
    DontFragment = 0x001A,
    /// <summary>MESSAGE-INTEGRITY-SHA256.</summary>
    MessageIntegritySha256 = 0x001C,
    /// <summary>PASSWORD-ALGORITHM.</summary>
    PasswordAlgorithm = 0x001D,
    /// <summary>USERHASH.</summary>
    UserHash = 0x001E,
    /// <summary>XOR-MAPPED-ADDRESS.</summary>
    XorMappedAddress = 0x0020,
    /// <summary>TURN RESERVATION-TOKEN.</summary>
    ReservationToken = 0x0022,
    /// <summary>ICE PRIORITY.</summary>
    Priority = 0x0024,
    /// <summary>ICE USE-CANDIDATE.</summary>
    UseCandidate = 0x0025,
    /// <summary>PASSWORD-ALGORITHMS (comprehension-optional).</summary>
    PasswordAlgorithms = 0x8002,
    /// <summary>ALTERNATE-DOMAIN (comprehension-optional).</summary>
    AlternateDomain = 0x8003,
    /// <summary>SOFTWARE (comprehension-optional).</summary>
    Software = 0x8022,
    /// <summary>ALTERNATE-SERVER (comprehension-optional).</summary>
    AlternateServer = 0x8023,
    /// <summary>FINGERPRINT (comprehension-optional, always last).</summary>
    Fingerprint = 0x8028,
    /// <summary>ICE-CONTROLLED (comprehension-optional).</summary>
    IceControlled = 0x8029,
    /// <summary>ICE-CONTROLLING (comprehension-optional).</summary>
    IceControlling = 0x802A,
}

/// <summary>Why a datagram was not accepted as a STUN message.</summary>
public enum StunParseError
{
    /// <summary>The message parsed.</summary>
    None,
    /// <summary>Shorter than the 20-byte header.</summary>
    TooShort,
    /// <summary>The first two bits are not zero (not STUN; RFC 7983 demux).</summary>
    NotStun,
    /// <summary>The magic cookie is not 0x2112A442 (RFC 3489 messages are not accepted).</summary>
    BadMagicCookie,
    /// <summary>The header length is not a multiple of 4 or does not match the datagram.</summary>
    BadLength,
    /// <summary>An attribute's length runs past the end of the message.</summary>
    AttributeOverrun,
    /// <summary>An attribute follows FINGERPRINT, or an attribute has an impossible size.</summary>
    MalformedAttribute,
    /// <summary>The FINGERPRINT attribute does not match the message.</summary>
    BadFingerprint,
}
