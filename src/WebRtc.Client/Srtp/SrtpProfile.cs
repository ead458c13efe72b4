namespace WebRtc.Client.Srtp;

/// <summary>
/// SRTP protection profiles, numbered as the DTLS-SRTP protection profile ids of
/// RFC 5764 §4.1.2 and RFC 7714 §14.2.
/// </summary>
public enum SrtpProfile
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: AES-128 counter mode, 80-bit HMAC-SHA1 tag.</summary>
    AesCm128HmacSha1_80 = 0x0001,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_32: AES-128 counter mode, 32-bit HMAC-SHA1 tag on SRTP (80 bits on SRTCP).</summary>
    AesCm128HmacSha1_32 = 0x0002,

    /// <summary>SRTP_AEAD_AES_128_GCM: AES-128 GCM with a 16-byte tag (RFC 7714).</summary>
    AeadAes128Gcm = 0x0007,

    /// <summary>SRTP_AEAD_AES_256_GCM: AES-256 GCM with a 16-byte tag (RFC 7714).</summary>
    AeadAes256Gcm = 0x0008,
}

/// <summary>Lengths and properties of each <see cref="SrtpProfile"/>.</summary>
public static class SrtpProfileExtensions
{
    /// <summary>
    /// What a DTLS client offers in use_srtp (and a server accepts), in preference order: the
    /// GCM profiles of RFC 7714 first, then the AES-CM profiles of RFC 5764.
    /// </summary>
    public static IReadOnlyList<SrtpProfile> DefaultPreference { get; } =
        [SrtpProfile.AeadAes128Gcm, SrtpProfile.AeadAes256Gcm, SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32];

    /// <summary>
    /// The profile's name in the DTLS-SRTP registry (RFC 5764 §4.1.2, RFC 7714 §14.2), e.g.
    /// <c>SRTP_AEAD_AES_128_GCM</c>, as W3C stats report it in <c>srtpCipher</c>.
    /// </summary>
    /// <param name="profile">The profile.</param>
    /// <returns>The RFC name, or the id in hex (<c>0x1234</c>) when the profile is unknown.</returns>
    public static string GetRfcName(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
        SrtpProfile.AesCm128HmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
        SrtpProfile.AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        SrtpProfile.AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        _ => "0x" + ((int)profile).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Master (and session) key length in bytes: 16, or 32 for AEAD_AES_256_GCM.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns>The key length in bytes.</returns>
    public static int GetKeyLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 or SrtpProfile.AeadAes128Gcm => 16,
        SrtpProfile.AeadAes256Gcm => 32,
        _ => throw Unknown(profile),
    };

    /// <summary>Master (and session) salt length in bytes: 14 for AES-CM, 12 for GCM.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns>The salt length in bytes.</returns>
    public static int GetSaltLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 => 14,
        SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm => 12,
        _ => throw Unknown(profile),
    };

    /// <summary>Authentication tag length appended to SRTP packets: 10, 4, 16 or 16 bytes.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns>The SRTP tag length in bytes.</returns>
    public static int GetSrtpAuthTagLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => 10,
        SrtpProfile.AesCm128HmacSha1_32 => 4,
        SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm => 16,
        _ => throw Unknown(profile),
    };

    /// <summary>
    /// Authentication tag length appended to SRTCP packets: 10 for both SHA1 profiles
    /// (RFC 5764 §4.1.2), 16 for GCM.
    /// </summary>
    /// <param name="profile">The profile.</param>
    /// <returns>The SRTCP tag length in bytes.</returns>
    public static int GetSrtcpAuthTagLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 => 10,
        SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm => 16,
        _ => throw Unknown(profile),
    };

    /// <summary>Whether the profile is an AEAD (GCM) profile of RFC 7714.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns><see langword="true"/> for the GCM profiles.</returns>
    public static bool IsAead(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32 => false,
        SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm => true,
        _ => throw Unknown(profile),
    };

    /// <summary>Whether the value is one of the supported profiles.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns><see langword="true"/> when supported.</returns>
    public static bool IsSupported(this SrtpProfile profile) =>
        profile is SrtpProfile.AesCm128HmacSha1_80 or SrtpProfile.AesCm128HmacSha1_32
            or SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm;

    private static ArgumentOutOfRangeException Unknown(SrtpProfile profile) =>
        new(nameof(profile), profile, "Unsupported SRTP protection profile.");
}
