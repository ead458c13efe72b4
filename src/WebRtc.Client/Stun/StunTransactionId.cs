using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WebRtc.Client.Stun;

/// <summary>The 96-bit STUN transaction ID (RFC 8489 §5), a value type so it keys dictionaries without allocating.</summary>
public readonly struct StunTransactionId : IEquatable<StunTransactionId>
{
    /// <summary>Length on the wire, in bytes.</summary>
    public const int Length = 12;

    private readonly ulong _high;
    private readonly uint _low;

    private StunTransactionId(ulong high, uint low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>A cryptographically random transaction ID (RFC 8489 §6: uniformly and randomly chosen).</summary>
    public static StunTransactionId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return Read(bytes);
    }

    /// <summary>Reads an ID from 12 bytes.</summary>
    public static StunTransactionId Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException("A STUN transaction ID is 12 bytes.", nameof(bytes));
        }

        return new StunTransactionId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]));
    }

    /// <summary>Writes the 12 bytes of the ID.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _low);
    }

    /// <inheritdoc />
    public bool Equals(StunTransactionId other) => _high == other._high && _low == other._low;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is StunTransactionId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_high, _low);

    /// <summary>Equality.</summary>
    public static bool operator ==(StunTransactionId left, StunTransactionId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(StunTransactionId left, StunTransactionId right) => !left.Equals(right);

    /// <summary>Hex form, for logs.</summary>
    public override string ToString() => $"{_high:x16}{_low:x8}";
}
