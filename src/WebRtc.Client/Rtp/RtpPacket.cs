using System.Buffers.Binary;

namespace WebRtc.Client.Rtp;

/// <summary>
/// A validated, allocation-free view of one RTP packet (RFC 3550 §5.1) with its RFC 8285
/// header extensions. <see cref="TryParse"/> checks every length; the accessors then cannot fail.
/// </summary>
public readonly ref struct RtpPacket
{
    /// <summary>The fixed RTP header size.</summary>
    public const int FixedHeaderLength = 12;

    /// <summary>The "defined by profile" value of the one-byte extension form (RFC 8285 §4.2).</summary>
    public const ushort OneByteProfile = 0xBEDE;

    /// <summary>The "defined by profile" value of the two-byte extension form, low 4 bits are appbits (RFC 8285 §4.3).</summary>
    public const ushort TwoByteProfile = 0x1000;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _headerLength;
    private readonly int _payloadLength;
    private readonly int _extensionOffset;
    private readonly int _extensionLength;

    private RtpPacket(ReadOnlySpan<byte> data, int headerLength, int payloadLength, int extensionOffset, int extensionLength)
    {
        _data = data;
        _headerLength = headerLength;
        _payloadLength = payloadLength;
        _extensionOffset = extensionOffset;
        _extensionLength = extensionLength;
    }

    /// <summary>The whole packet.</summary>
    public ReadOnlySpan<byte> Raw => _data;

    /// <summary>The RTP version (2 for a parsed packet).</summary>
    public int Version => _data.IsEmpty ? 0 : _data[0] >> 6;

    /// <summary>True when the P bit is set.</summary>
    public bool HasPadding => !_data.IsEmpty && (_data[0] & 0x20) != 0;

    /// <summary>True when the X bit is set.</summary>
    public bool HasExtension => !_data.IsEmpty && (_data[0] & 0x10) != 0;

    /// <summary>Number of CSRC identifiers.</summary>
    public int CsrcCount => _data.IsEmpty ? 0 : _data[0] & 0x0F;

    /// <summary>The marker bit.</summary>
    public bool Marker => !_data.IsEmpty && (_data[1] & 0x80) != 0;

    /// <summary>The payload type (0–127).</summary>
    public byte PayloadType => _data.IsEmpty ? (byte)0 : (byte)(_data[1] & 0x7F);

    /// <summary>The sequence number.</summary>
    public ushort SequenceNumber => _data.IsEmpty ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_data[2..]);

    /// <summary>The RTP timestamp.</summary>
    public uint Timestamp => _data.IsEmpty ? 0 : BinaryPrimitives.ReadUInt32BigEndian(_data[4..]);

    /// <summary>The synchronization source.</summary>
    public uint Ssrc => _data.IsEmpty ? 0 : BinaryPrimitives.ReadUInt32BigEndian(_data[8..]);

    /// <summary>Header length: fixed header, CSRCs and extension block.</summary>
    public int HeaderLength => _headerLength;

    /// <summary>The payload, without padding.</summary>
    public ReadOnlySpan<byte> Payload => _data.Slice(_headerLength, _payloadLength);

    /// <summary>Number of padding bytes (including the count byte), 0 without padding.</summary>
    public int PaddingLength => _data.IsEmpty ? 0 : _data.Length - _headerLength - _payloadLength;

    /// <summary>The "defined by profile" 16 bits of the extension header (0 without extension).</summary>
    public ushort ExtensionProfile =>
        _extensionOffset == 0 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_data[(_extensionOffset - 4)..]);

    /// <summary>The header extension data after its 4-byte header (empty without extension).</summary>
    public ReadOnlySpan<byte> ExtensionData => _extensionOffset == 0 ? default : _data.Slice(_extensionOffset, _extensionLength);

    /// <summary>The RFC 8285 form of the extension block, or None.</summary>
    public RtpExtensionForm ExtensionForm => FormOf(ExtensionProfile);

    /// <summary>The RFC 8285 extension elements in order (none for other profiles).</summary>
    public RtpExtensionEnumerator Extensions => new(ExtensionData, ExtensionForm);

    /// <summary>Reads the i-th CSRC.</summary>
    public uint GetCsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_data[(FixedHeaderLength + (index * 4))..]);
    }

    /// <summary>Finds the RFC 8285 extension element with the negotiated <paramref name="id"/>.</summary>
    public bool TryGetExtension(int id, out ReadOnlySpan<byte> data)
    {
        foreach (var element in Extensions)
        {
            if (element.Id == id)
            {
                data = element.Data;
                return true;
            }
        }

        data = default;
        return false;
    }

    internal static RtpExtensionForm FormOf(ushort profile) => profile == OneByteProfile
        ? RtpExtensionForm.OneByte
        : (profile & 0xFFF0) == TwoByteProfile ? RtpExtensionForm.TwoByte : RtpExtensionForm.None;

    /// <summary>
    /// Reads the length of the fixed header, the CSRC list and the header extension (the part SRTP
    /// authenticates but does not encrypt). Fails on a version other than 2 or when any part runs
    /// past <paramref name="packet"/>. Never throws.
    /// </summary>
    public static bool TryGetHeaderLength(ReadOnlySpan<byte> packet, out int headerLength) =>
        TryReadHeaderLength(packet, out headerLength, out _, out _);

    private static bool TryReadHeaderLength(ReadOnlySpan<byte> packet, out int headerLength, out int extensionOffset, out RtpParseError error)
    {
        headerLength = 0;
        extensionOffset = 0;
        if (packet.Length < FixedHeaderLength)
        {
            error = RtpParseError.TooShort;
            return false;
        }

        if ((packet[0] >> 6) != 2)
        {
            error = RtpParseError.BadVersion;
            return false;
        }

        int length = FixedHeaderLength + ((packet[0] & 0x0F) * 4);
        if (length > packet.Length)
        {
            error = RtpParseError.CsrcOverrun;
            return false;
        }

        if ((packet[0] & 0x10) != 0)
        {
            // RFC 3550 §5.3.1: 16-bit profile-defined id, 16-bit length in 32-bit words (header not counted).
            if (packet.Length < length + 4)
            {
                error = RtpParseError.ExtensionOverrun;
                return false;
            }

            extensionOffset = length + 4;
            length += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(length + 2)) * 4);
            if (length > packet.Length)
            {
                error = RtpParseError.ExtensionOverrun;
                return false;
            }
        }

        headerLength = length;
        error = RtpParseError.None;
        return true;
    }

    /// <summary>Parses and validates an RTP packet; never throws.</summary>
    /// <param name="data">Exactly one RTP packet (after SRTP unprotect).</param>
    /// <param name="packet">The view on success.</param>
    /// <param name="error">Why it was refused.</param>
    public static bool TryParse(ReadOnlySpan<byte> data, out RtpPacket packet, out RtpParseError error)
    {
        packet = default;
        if (!TryReadHeaderLength(data, out int headerLength, out int extensionOffset, out error))
        {
            return false;
        }

        int payloadLength = data.Length - headerLength;
        if ((data[0] & 0x20) != 0)
        {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
            int padding = data[^1];
            if (padding == 0 || padding > payloadLength)
            {
                error = RtpParseError.BadPadding;
                return false;
            }

            payloadLength -= padding;
        }

        int extensionLength = extensionOffset == 0 ? 0 : headerLength - extensionOffset;
        if (extensionOffset != 0)
        {
            var form = FormOf(BinaryPrimitives.ReadUInt16BigEndian(data[(extensionOffset - 4)..]));
            if (form != RtpExtensionForm.None && !RtpExtensionEnumerator.Validate(data.Slice(extensionOffset, extensionLength), form))
            {
                error = RtpParseError.BadExtensionElement;
                return false;
            }
        }

        packet = new RtpPacket(data, headerLength, payloadLength, extensionOffset, extensionLength);
        return true;
    }
}
