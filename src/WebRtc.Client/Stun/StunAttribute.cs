namespace WebRtc.Client.Stun;

/// <summary>One attribute of a <see cref="StunMessage"/>: its type and value bytes (no padding).</summary>
/// <param name="Type">The attribute type; values outside <see cref="StunAttributeType"/> are kept as they are.</param>
/// <param name="Value">The value.</param>
public sealed record StunAttribute(StunAttributeType Type, byte[] Value)
{
    /// <summary>True for types 0x8000–0xFFFF, which an agent that does not know them may ignore (RFC 8489 §14).</summary>
    public bool IsComprehensionOptional => (ushort)Type >= 0x8000;
}
