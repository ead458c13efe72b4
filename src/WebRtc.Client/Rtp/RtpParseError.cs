namespace WebRtc.Client.Rtp;

/// <summary>Why an RTP packet was refused by <see cref="RtpPacket.TryParse"/>.</summary>
public enum RtpParseError
{
    /// <summary>The packet parsed.</summary>
    None = 0,
    /// <summary>Shorter than the 12-byte fixed header.</summary>
    TooShort,
    /// <summary>The version field is not 2.</summary>
    BadVersion,
    /// <summary>The CSRC list runs past the end of the packet.</summary>
    CsrcOverrun,
    /// <summary>The header extension runs past the end of the packet.</summary>
    ExtensionOverrun,
    /// <summary>An RFC 8285 extension element runs past the extension block.</summary>
    BadExtensionElement,
    /// <summary>The padding count is zero or larger than the payload.</summary>
    BadPadding,
}

/// <summary>The RFC 8285 header extension forms.</summary>
public enum RtpExtensionForm
{
    /// <summary>No RFC 8285 extensions (absent, or another profile).</summary>
    None = 0,
    /// <summary>One-byte headers (profile 0xBEDE): ids 1–14, 1–16 bytes of data.</summary>
    OneByte,
    /// <summary>Two-byte headers (profile 0x100X): ids 1–255, 0–255 bytes of data.</summary>
    TwoByte,
}
