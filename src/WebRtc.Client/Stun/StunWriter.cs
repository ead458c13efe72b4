using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace WebRtc.Client.Stun;

/// <summary>
/// Builds one STUN message in a caller's buffer without allocating (RFC 8489 §5, §14).
/// Add attributes in order, then MESSAGE-INTEGRITY, then FINGERPRINT, then read <see cref="Written"/>.
/// </summary>
public ref struct StunWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Starts a message: writes the 20-byte header.</summary>
    /// <exception cref="ArgumentException">The buffer cannot hold a header.</exception>
    public StunWriter(Span<byte> buffer, StunMessageType type, StunTransactionId transactionId)
    {
        if (buffer.Length < StunConstants.HeaderLength)
        {
            throw new ArgumentException("The buffer is too small for a STUN header.", nameof(buffer));
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, type.Value);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunConstants.MagicCookie);
        transactionId.WriteTo(buffer[8..]);
        _length = StunConstants.HeaderLength;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>The message as written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>Adds an attribute with a raw value (padding is added).</summary>
    public void AddAttribute(StunAttributeType type, ReadOnlySpan<byte> value)
    {
        Span<byte> v = Begin(type, value.Length);
        value.CopyTo(v);
    }

    /// <summary>Adds an empty attribute such as USE-CANDIDATE.</summary>
    public void AddFlag(StunAttributeType type) => Begin(type, 0);

    /// <summary>Adds a UTF-8 string attribute (USERNAME, SOFTWARE, REALM, NONCE).</summary>
    public void AddString(StunAttributeType type, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > 763)
        {
            // RFC 8489 §14.3/§14.9/§14.10/§14.14: the limits for these attributes are 509–763 bytes.
            throw new ArgumentException("STUN string attributes are at most 763 bytes.", nameof(value));
        }

        Encoding.UTF8.GetBytes(value, Begin(type, length));
    }

    /// <summary>Adds a 32-bit attribute (PRIORITY, LIFETIME...).</summary>
    public void AddUInt32(StunAttributeType type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(Begin(type, 4), value);

    /// <summary>Adds a 64-bit attribute (ICE-CONTROLLING, ICE-CONTROLLED).</summary>
    public void AddUInt64(StunAttributeType type, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Begin(type, 8), value);

    /// <summary>Adds an XOR-encoded address (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS).</summary>
    public void AddXorAddress(StunAttributeType type, IPEndPoint endPoint)
    {
        Span<byte> value = Begin(type, StunAddressCodec.ValueLength(endPoint.AddressFamily));
        StunAddressCodec.Write(value, endPoint, _buffer.Slice(4, 16));
    }

    /// <summary>Adds a plain address (MAPPED-ADDRESS, ALTERNATE-SERVER).</summary>
    public void AddAddress(StunAttributeType type, IPEndPoint endPoint)
    {
        Span<byte> value = Begin(type, StunAddressCodec.ValueLength(endPoint.AddressFamily));
        StunAddressCodec.Write(value, endPoint, default);
    }

    /// <summary>Adds ERROR-CODE (RFC 8489 §14.8).</summary>
    public void AddErrorCode(int code, string reason)
    {
        if (code is < 300 or > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code), "STUN error codes are 300-699.");
        }

        int reasonLength = Encoding.UTF8.GetByteCount(reason);
        if (reasonLength > 763)
        {
            throw new ArgumentException("The reason phrase is at most 763 bytes.", nameof(reason));
        }

        Span<byte> value = Begin(StunAttributeType.ErrorCode, 4 + reasonLength);
        value[0] = 0;
        value[1] = 0;
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, value[4..]);
    }

    /// <summary>Adds UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).</summary>
    public void AddUnknownAttributes(ReadOnlySpan<ushort> types)
    {
        Span<byte> value = Begin(StunAttributeType.UnknownAttributes, types.Length * 2);
        for (int i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value[(i * 2)..], types[i]);
        }
    }

    /// <summary>Appends MESSAGE-INTEGRITY: HMAC-SHA1 over the message so far (RFC 8489 §14.5).</summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int start = _length;
        SetHeaderLength(start + StunConstants.MessageIntegrityAttributeLength);
        Span<byte> value = Begin(StunAttributeType.MessageIntegrity, 20);
        HMACSHA1.HashData(key, _buffer[..start], value);
    }

    /// <summary>Appends MESSAGE-INTEGRITY-SHA256 with the full 32-byte HMAC (RFC 8489 §14.6).</summary>
    public void AddMessageIntegritySha256(ReadOnlySpan<byte> key)
    {
        int start = _length;
        SetHeaderLength(start + StunConstants.MessageIntegritySha256AttributeLength);
        Span<byte> value = Begin(StunAttributeType.MessageIntegritySha256, 32);
        HMACSHA256.HashData(key, _buffer[..start], value);
    }

    /// <summary>Appends FINGERPRINT, which must be last (RFC 8489 §14.7).</summary>
    public void AddFingerprint()
    {
        int start = _length;
        SetHeaderLength(start + StunConstants.FingerprintAttributeLength);
        Span<byte> value = Begin(StunAttributeType.Fingerprint, 4);
        BinaryPrimitives.WriteUInt32BigEndian(value, Crc32.Compute(_buffer[..start]) ^ StunConstants.FingerprintXor);
    }

    private Span<byte> Begin(StunAttributeType type, int valueLength)
    {
        int padded = (valueLength + 3) & ~3;
        if (valueLength > ushort.MaxValue || _length + 4 + padded > _buffer.Length || _length + 4 + padded - StunConstants.HeaderLength > ushort.MaxValue)
        {
            throw new ArgumentException($"The buffer ({_buffer.Length} bytes) is too small for attribute {type}.");
        }

        Span<byte> attribute = _buffer.Slice(_length, 4 + padded);
        BinaryPrimitives.WriteUInt16BigEndian(attribute, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(attribute[2..], (ushort)valueLength);
        attribute[(4 + valueLength)..].Clear();
        _length += 4 + padded;
        SetHeaderLength(_length);
        return attribute.Slice(4, valueLength);
    }

    private readonly void SetHeaderLength(int totalLength) =>
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(totalLength - StunConstants.HeaderLength));
}
