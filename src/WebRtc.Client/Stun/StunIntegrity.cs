using System.Security.Cryptography;
using System.Text;

namespace WebRtc.Client.Stun;

/// <summary>Keys for STUN MESSAGE-INTEGRITY (RFC 8489 §9).</summary>
public static class StunIntegrity
{
    /// <summary>
    /// Short-term credential key (RFC 8489 §9.1.1): the password itself, UTF-8. ICE uses this
    /// with the ice-pwd, which is already restricted to ice-chars so OpaqueString changes nothing.
    /// </summary>
    public static byte[] ShortTermKey(string password) => Encoding.UTF8.GetBytes(password);

    /// <summary>Long-term credential key for the MD5 algorithm (RFC 8489 §9.2.2): MD5(username ":" realm ":" password).</summary>
    public static byte[] LongTermKey(string username, string realm, string password)
    {
#pragma warning disable CA5351 // MD5 is what RFC 8489 and every TURN server use for this key.
        return MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));
#pragma warning restore CA5351
    }

    /// <summary>Long-term credential key for SHA-256 (RFC 8489 §9.2.2): SHA-256(username ":" realm ":" password).</summary>
    public static byte[] LongTermKeySha256(string username, string realm, string password) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));
}
