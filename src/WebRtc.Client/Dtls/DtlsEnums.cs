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

/// <summary>SRTP protection profile ids of the use_srtp extension (RFC 5764, RFC 7714).</summary>
public static class DtlsSrtpProtectionProfile
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80 (0x0001).</summary>
    public const int Aes128CmHmacSha1_80 = 0x0001;

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_32 (0x0002).</summary>
    public const int Aes128CmHmacSha1_32 = 0x0002;

    /// <summary>SRTP_AEAD_AES_128_GCM (0x0007).</summary>
    public const int AeadAes128Gcm = 0x0007;

    /// <summary>SRTP_AEAD_AES_256_GCM (0x0008).</summary>
    public const int AeadAes256Gcm = 0x0008;

    /// <summary>What a client offers, in preference order: GCM first, then the AES-CM profiles.</summary>
    public static IReadOnlyList<int> Default { get; } = [AeadAes128Gcm, AeadAes256Gcm, Aes128CmHmacSha1_80, Aes128CmHmacSha1_32];

    /// <summary>
    /// Length of the RFC 5764 keying material for a profile: 2 × (master key + master salt).
    /// </summary>
    /// <returns>60 for the AES-CM profiles, 56 for AEAD_AES_128_GCM, 88 for AEAD_AES_256_GCM; 0 when unknown.</returns>
    public static int KeyingMaterialLength(int profile) => profile switch
    {
        Aes128CmHmacSha1_80 or Aes128CmHmacSha1_32 => 2 * (16 + 14),
        AeadAes128Gcm => 2 * (16 + 12),
        AeadAes256Gcm => 2 * (32 + 12),
        _ => 0,
    };

    /// <summary>The RFC name of a profile, or its hex id when unknown.</summary>
    public static string GetName(int profile) => profile switch
    {
        Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
        Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
        AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        _ => "0x" + profile.ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };
}
