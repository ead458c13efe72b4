using System.Buffers.Binary;

namespace WebRtc.Client.Sctp;

/// <summary>DATA chunk flag bits (RFC 9260 §3.3.1).</summary>
[Flags]
public enum SctpDataFlags : byte
{
    /// <summary>No flag: a middle fragment of an ordered message.</summary>
    None = 0,

    /// <summary>E: last fragment.</summary>
    End = 1,

    /// <summary>B: first fragment.</summary>
    Beginning = 2,

    /// <summary>U: unordered.</summary>
    Unordered = 4,

    /// <summary>I: the receiver should SACK at once (RFC 7053).</summary>
    Immediate = 8,
}

/// <summary>A DATA chunk (RFC 9260 §3.3.1).</summary>
public readonly ref struct SctpDataChunk
{
    /// <summary>The DATA chunk header size including the chunk header.</summary>
    public const int HeaderLength = 16;

    /// <summary>Flags.</summary>
    public SctpDataFlags Flags { get; init; }

    /// <summary>Transmission sequence number.</summary>
    public uint Tsn { get; init; }

    /// <summary>Stream identifier.</summary>
    public ushort StreamId { get; init; }

    /// <summary>Stream sequence number.</summary>
    public ushort StreamSequence { get; init; }

    /// <summary>Payload protocol identifier.</summary>
    public uint Ppid { get; init; }

    /// <summary>User data.</summary>
    public ReadOnlySpan<byte> UserData { get; init; }

    /// <summary>Reads a DATA chunk; user data must not be empty (§3.3.1).</summary>
    public static bool TryParse(SctpChunk chunk, out SctpDataChunk data)
    {
        data = default;
        var v = chunk.Value;
        if (chunk.Type != SctpChunkType.Data || v.Length <= 12)
        {
            return false;
        }

        data = new SctpDataChunk
        {
            Flags = (SctpDataFlags)(chunk.Flags & 0x0F),
            Tsn = BinaryPrimitives.ReadUInt32BigEndian(v),
            StreamId = BinaryPrimitives.ReadUInt16BigEndian(v[4..]),
            StreamSequence = BinaryPrimitives.ReadUInt16BigEndian(v[6..]),
            Ppid = BinaryPrimitives.ReadUInt32BigEndian(v[8..]),
            UserData = v[12..],
        };
        return true;
    }
}

/// <summary>An INIT or INIT ACK chunk (RFC 9260 §3.3.2, §3.3.3).</summary>
public readonly ref struct SctpInitChunk
{
    /// <summary>Initiate tag: the verification tag the sender wants on packets sent to it.</summary>
    public uint InitiateTag { get; init; }

    /// <summary>Advertised receiver window credit.</summary>
    public uint AdvertisedReceiverWindow { get; init; }

    /// <summary>Number of outbound streams.</summary>
    public ushort OutboundStreams { get; init; }

    /// <summary>Number of inbound streams.</summary>
    public ushort InboundStreams { get; init; }

    /// <summary>Initial TSN.</summary>
    public uint InitialTsn { get; init; }

    /// <summary>The variable-length parameters.</summary>
    public ReadOnlySpan<byte> Parameters { get; init; }

    /// <summary>Reads an INIT or INIT ACK; refuses a zero tag or zero stream counts (§3.3.2).</summary>
    public static bool TryParse(SctpChunk chunk, out SctpInitChunk init)
    {
        init = default;
        var v = chunk.Value;
        if ((chunk.Type != SctpChunkType.Init && chunk.Type != SctpChunkType.InitAck) || v.Length < 16)
        {
            return false;
        }

        init = new SctpInitChunk
        {
            InitiateTag = BinaryPrimitives.ReadUInt32BigEndian(v),
            AdvertisedReceiverWindow = BinaryPrimitives.ReadUInt32BigEndian(v[4..]),
            OutboundStreams = BinaryPrimitives.ReadUInt16BigEndian(v[8..]),
            InboundStreams = BinaryPrimitives.ReadUInt16BigEndian(v[10..]),
            InitialTsn = BinaryPrimitives.ReadUInt32BigEndian(v[12..]),
            Parameters = v[16..],
        };
        return init.InitiateTag != 0 && init.OutboundStreams != 0 && init.InboundStreams != 0;
    }

    /// <summary>The parameters.</summary>
    public SctpParameterEnumerator GetParameters() => new(Parameters);

    /// <summary>The state cookie of an INIT ACK.</summary>
    public bool TryGetStateCookie(out ReadOnlySpan<byte> cookie)
    {
        foreach (var p in GetParameters())
        {
            if (p.Type == SctpParameterType.StateCookie)
            {
                cookie = p.Value;
                return true;
            }
        }

        cookie = default;
        return false;
    }

    /// <summary>Whether the peer announced a chunk type in Supported Extensions (or Forward-TSN-Supported for FORWARD-TSN).</summary>
    public bool Supports(SctpChunkType type)
    {
        foreach (var p in GetParameters())
        {
            if (p.Type == SctpParameterType.SupportedExtensions && p.Value.Contains((byte)type))
            {
                return true;
            }

            if (type == SctpChunkType.ForwardTsn && p.Type == SctpParameterType.ForwardTsnSupported)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A gap ack block: offsets from the cumulative TSN ack (RFC 9260 §3.3.4).</summary>
/// <param name="Start">First offset received.</param>
/// <param name="End">Last offset received.</param>
public readonly record struct SctpGapAckBlock(ushort Start, ushort End);

/// <summary>A SACK chunk (RFC 9260 §3.3.4).</summary>
public readonly ref struct SctpSackChunk
{
    private readonly ReadOnlySpan<byte> _gaps;
    private readonly ReadOnlySpan<byte> _dups;

    private SctpSackChunk(uint cumulativeTsnAck, uint window, ReadOnlySpan<byte> gaps, ReadOnlySpan<byte> dups)
    {
        CumulativeTsnAck = cumulativeTsnAck;
        AdvertisedReceiverWindow = window;
        _gaps = gaps;
        _dups = dups;
    }

    /// <summary>Cumulative TSN ack.</summary>
    public uint CumulativeTsnAck { get; }

    /// <summary>Advertised receiver window credit.</summary>
    public uint AdvertisedReceiverWindow { get; }

    /// <summary>Number of gap ack blocks.</summary>
    public int GapBlockCount => _gaps.Length / 4;

    /// <summary>Number of duplicate TSNs.</summary>
    public int DuplicateCount => _dups.Length / 4;

    /// <summary>The i-th gap ack block.</summary>
    public SctpGapAckBlock GetGapBlock(int index) =>
        new(BinaryPrimitives.ReadUInt16BigEndian(_gaps[(index * 4)..]), BinaryPrimitives.ReadUInt16BigEndian(_gaps[((index * 4) + 2)..]));

    /// <summary>The i-th duplicate TSN.</summary>
    public uint GetDuplicate(int index) => BinaryPrimitives.ReadUInt32BigEndian(_dups[(index * 4)..]);

    /// <summary>Reads a SACK; the counts must match the length exactly.</summary>
    public static bool TryParse(SctpChunk chunk, out SctpSackChunk sack)
    {
        sack = default;
        var v = chunk.Value;
        if (chunk.Type != SctpChunkType.Sack || v.Length < 12)
        {
            return false;
        }

        int gaps = BinaryPrimitives.ReadUInt16BigEndian(v[8..]);
        int dups = BinaryPrimitives.ReadUInt16BigEndian(v[10..]);
        if (v.Length != 12 + (gaps * 4) + (dups * 4))
        {
            return false;
        }

        sack = new SctpSackChunk(
            BinaryPrimitives.ReadUInt32BigEndian(v),
            BinaryPrimitives.ReadUInt32BigEndian(v[4..]),
            v.Slice(12, gaps * 4),
            v.Slice(12 + (gaps * 4), dups * 4));
        return true;
    }
}

/// <summary>A stream and the last skipped stream sequence number in a FORWARD-TSN (RFC 3758 §3.2).</summary>
/// <param name="StreamId">Stream identifier.</param>
/// <param name="StreamSequence">Largest stream sequence number skipped.</param>
public readonly record struct SctpSkippedStream(ushort StreamId, ushort StreamSequence);

/// <summary>A FORWARD-TSN chunk (RFC 3758 §3.2).</summary>
public readonly ref struct SctpForwardTsnChunk
{
    private readonly ReadOnlySpan<byte> _streams;

    private SctpForwardTsnChunk(uint newCumulativeTsn, ReadOnlySpan<byte> streams)
    {
        NewCumulativeTsn = newCumulativeTsn;
        _streams = streams;
    }

    /// <summary>The new cumulative TSN.</summary>
    public uint NewCumulativeTsn { get; }

    /// <summary>Number of stream entries.</summary>
    public int StreamCount => _streams.Length / 4;

    /// <summary>The i-th stream entry.</summary>
    public SctpSkippedStream GetStream(int index) =>
        new(BinaryPrimitives.ReadUInt16BigEndian(_streams[(index * 4)..]), BinaryPrimitives.ReadUInt16BigEndian(_streams[((index * 4) + 2)..]));

    /// <summary>Reads a FORWARD-TSN.</summary>
    public static bool TryParse(SctpChunk chunk, out SctpForwardTsnChunk forward)
    {
        forward = default;
        var v = chunk.Value;
        if (chunk.Type != SctpChunkType.ForwardTsn || v.Length < 4 || (v.Length - 4) % 4 != 0)
        {
            return false;
        }

        forward = new SctpForwardTsnChunk(BinaryPrimitives.ReadUInt32BigEndian(v), v[4..]);
        return true;
    }
}

/// <summary>One TLV parameter (RFC 9260 §3.2.1) or error cause (§3.3.10), same layout.</summary>
public readonly ref struct SctpParameter
{
    internal SctpParameter(ReadOnlySpan<byte> raw) => Raw = raw;

    /// <summary>The parameter including its 4-byte header, without padding.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The parameter type (or error cause code).</summary>
    public SctpParameterType Type => (SctpParameterType)BinaryPrimitives.ReadUInt16BigEndian(Raw);

    /// <summary>The value after the header.</summary>
    public ReadOnlySpan<byte> Value => Raw[4..];
}

/// <summary>Iterates TLV parameters; stops at the first malformed one.</summary>
public ref struct SctpParameterEnumerator
{
    private ReadOnlySpan<byte> _rest;

    internal SctpParameterEnumerator(ReadOnlySpan<byte> parameters)
    {
        _rest = parameters;
        Current = default;
    }

    /// <summary>The current parameter.</summary>
    public SctpParameter Current { get; private set; }

    /// <summary>True when iteration stopped on a malformed parameter.</summary>
    public bool Malformed { get; private set; }

    /// <summary>Returns this enumerator (for foreach).</summary>
    public readonly SctpParameterEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next parameter.</summary>
    public bool MoveNext()
    {
        if (_rest.IsEmpty)
        {
            return false;
        }

        if (_rest.Length < 4)
        {
            Malformed = true;
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]);
        if (length < 4 || length > _rest.Length)
        {
            Malformed = true;
            return false;
        }

        Current = new SctpParameter(_rest[..length]);
        _rest = _rest[Math.Min((length + 3) & ~3, _rest.Length)..];
        return true;
    }

    /// <summary>Parameters of a chunk value starting at <paramref name="offset"/>.</summary>
    public static SctpParameterEnumerator Over(ReadOnlySpan<byte> value, int offset = 0) =>
        new(offset <= value.Length ? value[offset..] : default);
}
