using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace WebRtc.Client.Stun;

/// <summary>
/// A validated, allocation-free view of one STUN message in a datagram (RFC 8489 §5, §14).
/// <see cref="TryParse"/> checks the header, every attribute's bounds and FINGERPRINT;
/// MESSAGE-INTEGRITY is checked by <see cref="VerifyMessageIntegrity"/> because the key
/// depends on who the message is from.
/// </summary>
public readonly ref struct StunReader
{
    // Attribute offsets are at least 20 when present, so 0 (what default(StunReader) holds) means
    // absent: a reader left at default by a failed TryParse answers "no" instead of throwing.
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _integrityOffset;
    private readonly int _integritySha256Offset;
    private readonly int _fingerprintOffset;

    private StunReader(ReadOnlySpan<byte> data, int integrityOffset, int integritySha256Offset, int fingerprintOffset)
    {
        _data = data;
        _integrityOffset = integrityOffset;
        _integritySha256Offset = integritySha256Offset;
        _fingerprintOffset = fingerprintOffset;
    }

    /// <summary>The whole message.</summary>
    public ReadOnlySpan<byte> Raw => _data;

    /// <summary>The message type (default for a reader that did not parse).</summary>
    public StunMessageType Type => _data.IsEmpty ? default : StunMessageType.Read(_data);

    /// <summary>The transaction ID (default for a reader that did not parse).</summary>
    public StunTransactionId TransactionId =>
        _data.IsEmpty ? default : StunTransactionId.Read(_data.Slice(8, StunTransactionId.Length));

    /// <summary>True when the message carries MESSAGE-INTEGRITY.</summary>
    public bool HasMessageIntegrity => _integrityOffset > 0;

    /// <summary>True when the message carries MESSAGE-INTEGRITY-SHA256.</summary>
    public bool HasMessageIntegritySha256 => _integritySha256Offset > 0;

    /// <summary>True when the message carries a (verified) FINGERPRINT.</summary>
    public bool HasFingerprint => _fingerprintOffset > 0;

    /// <summary>
    /// Quick RFC 7983 / RFC 8489 test used by demultiplexers: first two bits zero, at least a
    /// header, and the magic cookie in place.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= StunConstants.HeaderLength
        && (datagram[0] & 0xC0) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == StunConstants.MagicCookie;

    /// <summary>Parses and validates a STUN message; never throws.</summary>
    /// <param name="datagram">Exactly one STUN message (a UDP datagram).</param>
    /// <param name="reader">The view on success.</param>
    /// <param name="error">Why it was refused.</param>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunReader reader, out StunParseError error)
    {
        reader = default;
        if (datagram.Length < StunConstants.HeaderLength)
        {
            error = StunParseError.TooShort;
            return false;
        }

        if ((datagram[0] & 0xC0) != 0)
        {
            error = StunParseError.NotStun;
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunConstants.MagicCookie)
        {
            error = StunParseError.BadMagicCookie;
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((length & 3) != 0 || length + StunConstants.HeaderLength != datagram.Length)
        {
            error = StunParseError.BadLength;
            return false;
        }

        int integrity = 0, integritySha256 = 0, fingerprint = 0;
        int offset = StunConstants.HeaderLength;
        while (offset < datagram.Length)
        {
            if (fingerprint > 0)
            {
                // RFC 8489 §14.7: FINGERPRINT is the last attribute.
                error = StunParseError.MalformedAttribute;
                return false;
            }

            if (datagram.Length - offset < 4)
            {
                error = StunParseError.AttributeOverrun;
                return false;
            }

            var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            int padded = (valueLength + 3) & ~3;
            if (padded > datagram.Length - offset - 4)
            {
                error = StunParseError.AttributeOverrun;
                return false;
            }

            switch (type)
            {
                // RFC 8489 §14.6: a MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256 is ignored, as is
                // a second one of either.
                case StunAttributeType.MessageIntegrity when integrity == 0 && integritySha256 == 0:
                    if (valueLength != 20)
                    {
                        error = StunParseError.MalformedAttribute;
                        return false;
                    }

                    integrity = offset;
                    break;
                case StunAttributeType.MessageIntegritySha256 when integritySha256 == 0:
                    // RFC 8489 §14.6: truncation to no fewer than 16 bytes, a multiple of 4, at most 32.
                    if (valueLength is < 16 or > 32 || (valueLength & 3) != 0)
                    {
                        error = StunParseError.MalformedAttribute;
                        return false;
                    }

                    integritySha256 = offset;
                    break;
                case StunAttributeType.Fingerprint:
                    if (valueLength != 4)
                    {
                        error = StunParseError.MalformedAttribute;
                        return false;
                    }

                    fingerprint = offset;
                    break;
            }

            offset += 4 + padded;
        }

        if (fingerprint > 0)
        {
            uint expected = BinaryPrimitives.ReadUInt32BigEndian(datagram[(fingerprint + 4)..]);
            uint actual = Crc32.Compute(datagram[..fingerprint]) ^ StunConstants.FingerprintXor;
            if (expected != actual)
            {
                error = StunParseError.BadFingerprint;
                return false;
            }
        }

        reader = new StunReader(datagram, integrity, integritySha256, fingerprint);
        error = StunParseError.None;
        return true;
    }

    /// <summary>
    /// The end of the attributes that count: RFC 8489 §14.5 says everything after
    /// MESSAGE-INTEGRITY except MESSAGE-INTEGRITY-SHA256 and FINGERPRINT is ignored.
    /// </summary>
    private int AttributesEnd
    {
        get
        {
            int end = _data.Length;
            if (_integrityOffset > 0)
            {
                end = _integrityOffset;
            }

            if (_integritySha256Offset > 0 && _integritySha256Offset < end)
            {
                end = _integritySha256Offset;
            }

            if (_fingerprintOffset > 0 && _fingerprintOffset < end)
            {
                end = _fingerprintOffset;
            }

            return end;
        }
    }

    /// <summary>Every attribute in the message, in order, including ones after MESSAGE-INTEGRITY.</summary>
    public StunAttributeEnumerator Attributes => new(_data);

    /// <summary>Finds the first attribute of a type (among those that count, see RFC 8489 §14.5).</summary>
    public bool TryGetAttribute(StunAttributeType type, out ReadOnlySpan<byte> value)
    {
        int end = AttributesEnd;
        int offset = StunConstants.HeaderLength;
        while (offset < end)
        {
            var t = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(_data[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_data[(offset + 2)..]);
            if (t == type)
            {
                value = _data.Slice(offset + 4, length);
                return true;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        value = default;
        return false;
    }

    /// <summary>True when an attribute of the type is present (flags such as USE-CANDIDATE).</summary>
    public bool HasAttribute(StunAttributeType type) => TryGetAttribute(type, out _);

    /// <summary>Reads a 32-bit attribute such as PRIORITY.</summary>
    public bool TryGetUInt32(StunAttributeType type, out uint value)
    {
        if (TryGetAttribute(type, out var raw) && raw.Length == 4)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(raw);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Reads a 64-bit attribute such as ICE-CONTROLLING's tie-breaker.</summary>
    public bool TryGetUInt64(StunAttributeType type, out ulong value)
    {
        if (TryGetAttribute(type, out var raw) && raw.Length == 8)
        {
            value = BinaryPrimitives.ReadUInt64BigEndian(raw);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Reads an XOR-MAPPED-ADDRESS-style attribute (RFC 8489 §14.2).</summary>
    public bool TryGetXorAddress(StunAttributeType type, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return TryGetAttribute(type, out var raw) && StunAddressCodec.TryRead(raw, _data.Slice(4, 16), out endPoint);
    }

    /// <summary>Reads a plain MAPPED-ADDRESS-style attribute (RFC 8489 §14.1).</summary>
    public bool TryGetAddress(StunAttributeType type, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return TryGetAttribute(type, out var raw) && StunAddressCodec.TryRead(raw, default, out endPoint);
    }

    /// <summary>Reads ERROR-CODE (RFC 8489 §14.8): the code (300–699) and the UTF-8 reason phrase.</summary>
    public bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason)
    {
        code = 0;
        reason = default;
        if (!TryGetAttribute(StunAttributeType.ErrorCode, out var raw) || raw.Length < 4)
        {
            return false;
        }

        int cls = raw[2] & 0x07, number = raw[3];
        if (cls is < 3 or > 6 || number > 99)
        {
            return false;
        }

        code = (cls * 100) + number;
        reason = raw[4..];
        return true;
    }

    /// <summary>
    /// Writes the comprehension-required attribute types (0x0000–0x7FFF) this implementation does
    /// not know into <paramref name="destination"/> and returns how many there are (RFC 8489 §6.3.1:
    /// a request with any of them gets a 420 with UNKNOWN-ATTRIBUTES).
    /// </summary>
    public int GetUnknownComprehensionRequired(Span<ushort> destination)
    {
        int count = 0;
        int end = AttributesEnd;
        int offset = StunConstants.HeaderLength;
        while (offset < end)
        {
            ushort t = BinaryPrimitives.ReadUInt16BigEndian(_data[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_data[(offset + 2)..]);
            if (t < 0x8000 && !StunAttributeInfo.IsKnown(t))
            {
                if (count < destination.Length)
                {
                    destination[count] = t;
                }

                count++;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        return count;
    }

    /// <summary>Checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) in constant time; false when absent.</summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key) =>
        _integrityOffset > 0 && VerifyHmac(key, _integrityOffset, sha256: false);

    /// <summary>Checks MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6) in constant time; false when absent.</summary>
    public bool VerifyMessageIntegritySha256(ReadOnlySpan<byte> key) =>
        _integritySha256Offset > 0 && VerifyHmac(key, _integritySha256Offset, sha256: true);

    private bool VerifyHmac(ReadOnlySpan<byte> key, int attributeOffset, bool sha256)
    {
        int valueLength = BinaryPrimitives.ReadUInt16BigEndian(_data[(attributeOffset + 2)..]);
        ReadOnlySpan<byte> expected = _data.Slice(attributeOffset + 4, valueLength);

        // The HMAC covers the message up to the attribute, with the header length rewritten to end
        // just after it. The input is read-only, so hash a copy with the patched length.
        byte[]? rented = null;
        Span<byte> copy = attributeOffset <= StunConstants.StackLimit
            ? stackalloc byte[StunConstants.StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(attributeOffset));
        copy = copy[..attributeOffset];
        _data[..attributeOffset].CopyTo(copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy[2..], (ushort)(attributeOffset + 4 + valueLength - StunConstants.HeaderLength));

        Span<byte> mac = stackalloc byte[32];
        int written = sha256 ? HMACSHA256.HashData(key, copy, mac) : HMACSHA1.HashData(key, copy, mac);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return valueLength <= written && CryptographicOperations.FixedTimeEquals(mac[..valueLength], expected);
    }
}

/// <summary>One attribute as seen by <see cref="StunAttributeEnumerator"/>.</summary>
public readonly ref struct StunRawAttribute
{
    internal StunRawAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        Type = (StunAttributeType)type;
        Value = value;
    }

    /// <summary>The attribute type.</summary>
    public StunAttributeType Type { get; }

    /// <summary>The value, without padding.</summary>
    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>Enumerates the attributes of a validated STUN message without allocating.</summary>
public ref struct StunAttributeEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private int _next;

    internal StunAttributeEnumerator(ReadOnlySpan<byte> data)
    {
        _data = data;
        _next = StunConstants.HeaderLength;
        Current = default;
    }

    /// <summary>The current attribute.</summary>
    public StunRawAttribute Current { get; private set; }

    /// <summary>Enables <c>foreach</c>.</summary>
    public readonly StunAttributeEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next attribute.</summary>
    public bool MoveNext()
    {
        if (_next + 4 > _data.Length)
        {
            return false;
        }

        ushort type = BinaryPrimitives.ReadUInt16BigEndian(_data[_next..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(_data[(_next + 2)..]);
        Current = new StunRawAttribute(type, _data.Slice(_next + 4, length));
        _next += 4 + ((length + 3) & ~3);
        return true;
    }
}
