using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace WebRtc.Client.Stun;

/// <summary>
/// A STUN message as an object (RFC 8489): type, transaction ID and attributes in order, unknown
/// ones included. For the per-packet path use <see cref="StunReader"/> and <see cref="StunWriter"/>,
/// which do not allocate; this class is for building requests, TURN and tests.
/// MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT are not kept in <see cref="Attributes"/>: they are
/// computed by <see cref="WriteTo"/> and reported by the <c>Has...</c> properties after parsing.
/// </summary>
public sealed class StunMessage
{
    /// <summary>Creates a message.</summary>
    public StunMessage(StunMessageType type, StunTransactionId transactionId)
    {
        Type = type;
        TransactionId = transactionId;
    }

    /// <summary>Creates a message with a new random transaction ID.</summary>
    public StunMessage(StunMessageType type)
        : this(type, StunTransactionId.NewRandom())
    {
    }

    /// <summary>The message type.</summary>
    public StunMessageType Type { get; set; }

    /// <summary>The transaction ID.</summary>
    public StunTransactionId TransactionId { get; set; }

    /// <summary>The attributes, in wire order, without MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT.</summary>
    public List<StunAttribute> Attributes { get; } = [];

    /// <summary>Set by parsing: the message carried MESSAGE-INTEGRITY.</summary>
    public bool HasMessageIntegrity { get; private set; }

    /// <summary>Set by parsing: the message carried MESSAGE-INTEGRITY-SHA256.</summary>
    public bool HasMessageIntegritySha256 { get; private set; }

    /// <summary>Set by parsing: the message carried a valid FINGERPRINT.</summary>
    public bool HasFingerprint { get; private set; }

    /// <summary>Parses a datagram; never throws. Integrity is not checked (see the overload with a key).</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunMessage? message) => TryParse(datagram, out message, out _);

    /// <summary>Parses a datagram and says why it was refused; never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunMessage? message, out StunParseError error)
    {
        message = null;
        if (!StunReader.TryParse(datagram, out var reader, out error))
        {
            return false;
        }

        message = FromReader(reader);
        return true;
    }

    /// <summary>
    /// Parses a datagram and requires a MESSAGE-INTEGRITY (or -SHA256) that verifies with
    /// <paramref name="integrityKey"/>; never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> integrityKey, out StunMessage? message)
    {
        message = null;
        if (!StunReader.TryParse(datagram, out var reader, out _))
        {
            return false;
        }

        bool verified = reader.HasMessageIntegritySha256
            ? reader.VerifyMessageIntegritySha256(integrityKey)
            : reader.VerifyMessageIntegrity(integrityKey);
        if (!verified)
        {
            return false;
        }

        message = FromReader(reader);
        return true;
    }

    /// <summary>Builds the object form of a validated message.</summary>
    public static StunMessage FromReader(in StunReader reader)
    {
        var message = new StunMessage(reader.Type, reader.TransactionId)
        {
            HasMessageIntegrity = reader.HasMessageIntegrity,
            HasMessageIntegritySha256 = reader.HasMessageIntegritySha256,
            HasFingerprint = reader.HasFingerprint,
        };
        bool afterIntegrity = false;
        foreach (var attribute in reader.Attributes)
        {
            switch (attribute.Type)
            {
                case StunAttributeType.MessageIntegrity:
                case StunAttributeType.MessageIntegritySha256:
                    afterIntegrity = true;
                    continue;
                case StunAttributeType.Fingerprint:
                    continue;
            }

            // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY are ignored.
            if (!afterIntegrity)
            {
                message.Attributes.Add(new StunAttribute(attribute.Type, attribute.Value.ToArray()));
            }
        }

        return message;
    }

    /// <summary>Writes the message; adds MESSAGE-INTEGRITY when a key is given, then FINGERPRINT when asked.</summary>
    /// <returns>The number of bytes written.</returns>
    public int WriteTo(Span<byte> destination, ReadOnlySpan<byte> integrityKey = default, bool fingerprint = true, bool sha256Integrity = false)
    {
        var writer = new StunWriter(destination, Type, TransactionId);
        foreach (var attribute in Attributes)
        {
            writer.AddAttribute(attribute.Type, attribute.Value);
        }

        if (!integrityKey.IsEmpty)
        {
            if (sha256Integrity)
            {
                writer.AddMessageIntegritySha256(integrityKey);
            }
            else
            {
                writer.AddMessageIntegrity(integrityKey);
            }
        }

        if (fingerprint)
        {
            writer.AddFingerprint();
        }

        return writer.Length;
    }

    /// <summary>Writes the message into a new array.</summary>
    public byte[] ToArray(ReadOnlySpan<byte> integrityKey = default, bool fingerprint = true, bool sha256Integrity = false)
    {
        int size = StunConstants.HeaderLength + StunConstants.MessageIntegritySha256AttributeLength + StunConstants.FingerprintAttributeLength;
        foreach (var attribute in Attributes)
        {
            size += 4 + ((attribute.Value.Length + 3) & ~3);
        }

        var buffer = new byte[size];
        int length = WriteTo(buffer, integrityKey, fingerprint, sha256Integrity);
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>The first attribute of a type, or null.</summary>
    public StunAttribute? Get(StunAttributeType type) => Attributes.Find(a => a.Type == type);

    /// <summary>Replaces (or adds) the attribute of a type.</summary>
    public StunMessage Set(StunAttributeType type, byte[] value)
    {
        int index = Attributes.FindIndex(a => a.Type == type);
        if (index >= 0)
        {
            Attributes[index] = new StunAttribute(type, value);
        }
        else
        {
            Attributes.Add(new StunAttribute(type, value));
        }

        return this;
    }

    /// <summary>USERNAME (RFC 8489 §14.3).</summary>
    public string? Username
    {
        get => GetString(StunAttributeType.Username);
        set => SetString(StunAttributeType.Username, value);
    }

    /// <summary>SOFTWARE (RFC 8489 §14.14).</summary>
    public string? Software
    {
        get => GetString(StunAttributeType.Software);
        set => SetString(StunAttributeType.Software, value);
    }

    /// <summary>REALM (RFC 8489 §14.9).</summary>
    public string? Realm
    {
        get => GetString(StunAttributeType.Realm);
        set => SetString(StunAttributeType.Realm, value);
    }

    /// <summary>NONCE (RFC 8489 §14.10).</summary>
    public string? Nonce
    {
        get => GetString(StunAttributeType.Nonce);
        set => SetString(StunAttributeType.Nonce, value);
    }

    /// <summary>ICE PRIORITY (RFC 8445 §16.1).</summary>
    public uint? Priority
    {
        get => Get(StunAttributeType.Priority) is { Value.Length: 4 } a ? BinaryPrimitives.ReadUInt32BigEndian(a.Value) : null;
        set => SetOrRemove(StunAttributeType.Priority, value is { } v ? BigEndian(v) : null);
    }

    /// <summary>ICE USE-CANDIDATE flag (RFC 8445 §16.1).</summary>
    public bool UseCandidate
    {
        get => Get(StunAttributeType.UseCandidate) is not null;
        set => SetOrRemove(StunAttributeType.UseCandidate, value ? [] : null);
    }

    /// <summary>ICE-CONTROLLING tie-breaker (RFC 8445 §16.1).</summary>
    public ulong? IceControlling
    {
        get => Get(StunAttributeType.IceControlling) is { Value.Length: 8 } a ? BinaryPrimitives.ReadUInt64BigEndian(a.Value) : null;
        set => SetOrRemove(StunAttributeType.IceControlling, value is { } v ? BigEndian(v) : null);
    }

    /// <summary>ICE-CONTROLLED tie-breaker (RFC 8445 §16.1).</summary>
    public ulong? IceControlled
    {
        get => Get(StunAttributeType.IceControlled) is { Value.Length: 8 } a ? BinaryPrimitives.ReadUInt64BigEndian(a.Value) : null;
        set => SetOrRemove(StunAttributeType.IceControlled, value is { } v ? BigEndian(v) : null);
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 §14.2).</summary>
    public IPEndPoint? XorMappedAddress
    {
        get => GetAddress(StunAttributeType.XorMappedAddress, xor: true);
        set => SetAddress(StunAttributeType.XorMappedAddress, value, xor: true);
    }

    /// <summary>MAPPED-ADDRESS (RFC 8489 §14.1), still sent by some old servers.</summary>
    public IPEndPoint? MappedAddress
    {
        get => GetAddress(StunAttributeType.MappedAddress, xor: false);
        set => SetAddress(StunAttributeType.MappedAddress, value, xor: false);
    }

    /// <summary>ERROR-CODE (RFC 8489 §14.8): code and reason phrase.</summary>
    public (int Code, string Reason)? ErrorCode
    {
        get
        {
            if (Get(StunAttributeType.ErrorCode) is not { Value.Length: >= 4 } a)
            {
                return null;
            }

            int cls = a.Value[2] & 0x07, number = a.Value[3];
            return cls is >= 3 and <= 6 && number <= 99
                ? ((cls * 100) + number, Encoding.UTF8.GetString(a.Value, 4, a.Value.Length - 4))
                : null;
        }

        set
        {
            if (value is not { } v)
            {
                SetOrRemove(StunAttributeType.ErrorCode, null);
                return;
            }

            if (v.Code is < 300 or > 699)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "STUN error codes are 300-699.");
            }

            byte[] reason = Encoding.UTF8.GetBytes(v.Reason);
            var bytes = new byte[4 + reason.Length];
            bytes[2] = (byte)(v.Code / 100);
            bytes[3] = (byte)(v.Code % 100);
            reason.CopyTo(bytes, 4);
            Set(StunAttributeType.ErrorCode, bytes);
        }
    }

    /// <summary>UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).</summary>
    public IReadOnlyList<ushort>? UnknownAttributes
    {
        get
        {
            if (Get(StunAttributeType.UnknownAttributes) is not { } a)
            {
                return null;
            }

            var list = new ushort[a.Value.Length / 2];
            for (int i = 0; i < list.Length; i++)
            {
                list[i] = BinaryPrimitives.ReadUInt16BigEndian(a.Value.AsSpan(i * 2));
            }

            return list;
        }

        set
        {
            if (value is null)
            {
                SetOrRemove(StunAttributeType.UnknownAttributes, null);
                return;
            }

            var bytes = new byte[value.Count * 2];
            for (int i = 0; i < value.Count; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i * 2), value[i]);
            }

            Set(StunAttributeType.UnknownAttributes, bytes);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"STUN {Type} {TransactionId} [{string.Join(", ", Attributes.Select(a => a.Type))}]";

    private string? GetString(StunAttributeType type) => Get(type) is { } a ? Encoding.UTF8.GetString(a.Value) : null;

    private void SetString(StunAttributeType type, string? value) => SetOrRemove(type, value is null ? null : Encoding.UTF8.GetBytes(value));

    private void SetOrRemove(StunAttributeType type, byte[]? value)
    {
        if (value is null)
        {
            Attributes.RemoveAll(a => a.Type == type);
        }
        else
        {
            Set(type, value);
        }
    }

    private IPEndPoint? GetAddress(StunAttributeType type, bool xor)
    {
        if (Get(type) is not { } a)
        {
            return null;
        }

        Span<byte> pad = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(pad, StunConstants.MagicCookie);
        TransactionId.WriteTo(pad[4..]);
        return StunAddressCodec.TryRead(a.Value, xor ? pad : default, out var endPoint) ? endPoint : null;
    }

    private void SetAddress(StunAttributeType type, IPEndPoint? endPoint, bool xor)
    {
        if (endPoint is null)
        {
            SetOrRemove(type, null);
            return;
        }

        // The XOR pad depends on the transaction ID, so a later TransactionId change would break
        // it; the address is encoded now with the ID the message has.
        Span<byte> pad = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(pad, StunConstants.MagicCookie);
        TransactionId.WriteTo(pad[4..]);
        var bytes = new byte[StunAddressCodec.ValueLength(endPoint.AddressFamily)];
        StunAddressCodec.Write(bytes, endPoint, xor ? pad : default);
        Set(type, bytes);
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
