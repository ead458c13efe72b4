using System.Buffers.Binary;

namespace WebRtc.Client.Sctp;

/// <summary>Why an SCTP packet was refused.</summary>
public enum SctpParseError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>Shorter than the common header.</summary>
    TooShort,

    /// <summary>The CRC32c does not match.</summary>
    BadChecksum,

    /// <summary>A chunk length is below 4 or runs past the packet.</summary>
    BadChunkLength,

    /// <summary>The packet has no chunk.</summary>
    NoChunks,
}

/// <summary>
/// An allocation-free view of one SCTP packet (RFC 9260 §3): the common header and an
/// enumerator over its chunks. <see cref="TryParse"/> checks the checksum and that every chunk
/// lies inside the packet, so chunk iteration afterwards cannot fail.
/// </summary>
public readonly ref struct SctpPacketReader
{
    /// <summary>The size of the common header.</summary>
    public const int HeaderLength = 12;

    private readonly ReadOnlySpan<byte> _data;

    private SctpPacketReader(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>Source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_data);

    /// <summary>Destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_data[2..]);

    /// <summary>Verification tag.</summary>
    public uint VerificationTag => BinaryPrimitives.ReadUInt32BigEndian(_data[4..]);

    /// <summary>The whole packet.</summary>
    public ReadOnlySpan<byte> Raw => _data;

    /// <summary>The chunks, in order.</summary>
    public SctpChunkEnumerator Chunks => new(_data[HeaderLength..]);

    /// <summary>Parses and validates a packet; never throws.</summary>
    /// <param name="packet">One SCTP packet (one DTLS application-data record).</param>
    /// <param name="reader">The view on success.</param>
    /// <param name="error">Why it was refused.</param>
    /// <param name="verifyChecksum">
    /// False skips the CRC32c, which RFC 8261 §5 allows over DTLS; we check it by default
    /// because it costs little with the CRC32 instruction and catches our own bugs.
    /// </param>
    public static bool TryParse(ReadOnlySpan<byte> packet, out SctpPacketReader reader, out SctpParseError error, bool verifyChecksum = true)
    {
        reader = default;
        if (packet.Length < HeaderLength + 4)
        {
            error = packet.Length < HeaderLength ? SctpParseError.TooShort : SctpParseError.NoChunks;
            return false;
        }

        if (verifyChecksum && ReadChecksum(packet) != ComputeChecksum(packet))
        {
            error = SctpParseError.BadChecksum;
            return false;
        }

        var chunks = packet[HeaderLength..];
        while (!chunks.IsEmpty)
        {
            if (chunks.Length < 4)
            {
                error = SctpParseError.BadChunkLength;
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(chunks[2..]);
            if (length < 4 || length > chunks.Length)
            {
                error = SctpParseError.BadChunkLength;
                return false;
            }

            // Padding after the last chunk may be missing; a peer may also leave it off.
            int padded = Math.Min((length + 3) & ~3, chunks.Length);
            chunks = chunks[padded..];
        }

        reader = new SctpPacketReader(packet);
        error = SctpParseError.None;
        return true;
    }

    /// <summary>The checksum as carried in the packet (little-endian on the wire, RFC 9260 Appendix A).</summary>
    internal static uint ReadChecksum(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt32LittleEndian(packet[8..]);

    /// <summary>The CRC32c of the packet with its checksum field taken as zero.</summary>
    internal static uint ComputeChecksum(ReadOnlySpan<byte> packet)
    {
        // Checksum over header-with-zeroed-checksum + rest, without copying the packet.
        Span<byte> head = stackalloc byte[HeaderLength];
        packet[..HeaderLength].CopyTo(head);
        head[8..].Clear();
        return Crc32c.Combine(head, packet[HeaderLength..]);
    }
}

/// <summary>One chunk inside a packet: type, flags and value (the bytes after the 4-byte chunk header).</summary>
public readonly ref struct SctpChunk
{
    internal SctpChunk(ReadOnlySpan<byte> raw)
    {
        Raw = raw;
    }

    /// <summary>The chunk including its header, without padding.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The chunk type.</summary>
    public SctpChunkType Type => (SctpChunkType)Raw[0];

    /// <summary>The chunk flags.</summary>
    public byte Flags => Raw[1];

    /// <summary>The value: what follows the chunk header.</summary>
    public ReadOnlySpan<byte> Value => Raw[4..];
}

/// <summary>Iterates the chunks of a parsed packet.</summary>
public ref struct SctpChunkEnumerator
{
    private ReadOnlySpan<byte> _rest;
    private SctpChunk _current;

    internal SctpChunkEnumerator(ReadOnlySpan<byte> chunks)
    {
        _rest = chunks;
        _current = default;
    }

    /// <summary>The current chunk.</summary>
    public readonly SctpChunk Current => _current;

    /// <summary>Returns this enumerator (for foreach).</summary>
    public readonly SctpChunkEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next chunk.</summary>
    public bool MoveNext()
    {
        if (_rest.Length < 4)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]);
        if (length < 4 || length > _rest.Length)
        {
            return false;
        }

        _current = new SctpChunk(_rest[..length]);
        _rest = _rest[Math.Min((length + 3) & ~3, _rest.Length)..];
        return true;
    }
}
