namespace WebRtc.Client.Stun;

/// <summary>Fixed numbers of the STUN wire format (RFC 8489).</summary>
public static class StunConstants
{
    /// <summary>The magic cookie, 0x2112A442 (RFC 8489 §5).</summary>
    public const uint MagicCookie = 0x2112A442;

    /// <summary>Size of the STUN header.</summary>
    public const int HeaderLength = 20;

    /// <summary>Size of a MESSAGE-INTEGRITY attribute including its 4-byte TLV header.</summary>
    public const int MessageIntegrityAttributeLength = 24;

    /// <summary>Size of a MESSAGE-INTEGRITY-SHA256 attribute (full 32-byte HMAC) including its TLV header.</summary>
    public const int MessageIntegritySha256AttributeLength = 36;

    /// <summary>Size of a FINGERPRINT attribute including its TLV header.</summary>
    public const int FingerprintAttributeLength = 8;

    /// <summary>The value XORed into the CRC-32 of FINGERPRINT: "STUN" in ASCII (RFC 8489 §14.7).</summary>
    public const uint FingerprintXor = 0x5354554E;

    /// <summary>Largest message this implementation builds or checks integrity of on the stack.</summary>
    internal const int StackLimit = 1024;
}
