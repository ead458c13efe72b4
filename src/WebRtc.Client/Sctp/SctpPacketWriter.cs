using System.Buffers.Binary;

namespace WebRtc.Client.Sctp;

/// <summary>
/// Builds one SCTP packet into a caller's buffer without allocating: the common header, then
/// chunks (each padded to 4 bytes), then <see cref="Finish"/> writes the CRC32c. Every
/// <c>TryAdd</c> returns false, writing nothing, when the chunk does not fit.
/// </summary>
public ref struct SctpPacketWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    /// <summary>Starts a packet.</summary>
    public SctpPacketWriter(Span<byte> buffer, ushort sourcePort, ushort destinationPort, uint verificationTag)
    {
        if (buffer.Length < SctpPacketReader.HeaderLength + 4)
        {
            throw new ArgumentException("The buffer cannot hold an SCTP packet.", nameof(buffer));
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], verificationTag);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], 0);
        _position = SctpPacketReader.HeaderLength;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _position;

    /// <summary>Bytes left for chunks.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>True once a chunk has been added.</summary>
    public readonly bool HasChunks => _position > SctpPacketReader.HeaderLength;

    /// <summary>The room a chunk of <paramref name="length"/> bytes takes with padding.</summary>
    public static int Padded(int length) => (length + 3) & ~3;

    /// <summary>Adds a DATA chunk.</summary>
    public bool TryAddData(SctpDataFlags flags, uint tsn, ushort streamId, ushort streamSequence, uint ppid, scoped ReadOnlySpan<byte> userData)
    {
        if (!TryBegin(SctpChunkType.Data, (byte)flags, 12 + userData.Length, out var v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, tsn);
        BinaryPrimitives.WriteUInt16BigEndian(v[4..], streamId);
        BinaryPrimitives.WriteUInt16BigEndian(v[6..], streamSequence);
        BinaryPrimitives.WriteUInt32BigEndian(v[8..], ppid);
        userData.CopyTo(v[12..]);
        return true;
    }

    /// <summary>
    /// Adds an INIT (empty cookie) or INIT ACK (with cookie). Announces FORWARD-TSN and
    /// RE-CONFIG support, which WebRTC peers expect (RFC 8831 §6.2).
    /// </summary>
    public bool TryAddInit(bool ack, uint initiateTag, uint window, ushort outboundStreams, ushort inboundStreams, uint initialTsn, scoped ReadOnlySpan<byte> cookie)
    {
        int cookieParam = ack ? Padded(4 + cookie.Length) : 0;
        const int extensions = 8 + 4; // Supported Extensions (2 types, padded) + Forward-TSN-Supported
        if (!TryBegin(ack ? SctpChunkType.InitAck : SctpChunkType.Init, 0, 16 + cookieParam + extensions, out var v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, initiateTag);
        BinaryPrimitives.WriteUInt32BigEndian(v[4..], window);
        BinaryPrimitives.WriteUInt16BigEndian(v[8..], outboundStreams);
        BinaryPrimitives.WriteUInt16BigEndian(v[10..], inboundStreams);
        BinaryPrimitives.WriteUInt32BigEndian(v[12..], initialTsn);
        var p = v[16..];
        if (ack)
        {
            WriteParameterHeader(p, SctpParameterType.StateCookie, 4 + cookie.Length);
            cookie.CopyTo(p[4..]);
            p[(4 + cookie.Length)..cookieParam].Clear();
            p = p[cookieParam..];
        }

        WriteParameterHeader(p, SctpParameterType.SupportedExtensions, 6);
        p[4] = (byte)SctpChunkType.ForwardTsn;
        p[5] = (byte)SctpChunkType.ReConfig;
        p[6] = 0;
        p[7] = 0;
        WriteParameterHeader(p[8..], SctpParameterType.ForwardTsnSupported, 4);
        return true;
    }

    /// <summary>Adds a SACK.</summary>
    public bool TryAddSack(uint cumulativeTsnAck, uint window, scoped ReadOnlySpan<SctpGapAckBlock> gaps, scoped ReadOnlySpan<uint> duplicates)
    {
        if (gaps.Length > ushort.MaxValue || duplicates.Length > ushort.MaxValue
            || !TryBegin(SctpChunkType.Sack, 0, 12 + (gaps.Length * 4) + (duplicates.Length * 4), out var v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, cumulativeTsnAck);
        BinaryPrimitives.WriteUInt32BigEndian(v[4..], window);
        BinaryPrimitives.WriteUInt16BigEndian(v[8..], (ushort)gaps.Length);
        BinaryPrimitives.WriteUInt16BigEndian(v[10..], (ushort)duplicates.Length);
        int o = 12;
        foreach (var gap in gaps)
        {
            BinaryPrimitives.WriteUInt16BigEndian(v[o..], gap.Start);
            BinaryPrimitives.WriteUInt16BigEndian(v[(o + 2)..], gap.End);
            o += 4;
        }

        foreach (uint dup in duplicates)
        {
            BinaryPrimitives.WriteUInt32BigEndian(v[o..], dup);
            o += 4;
        }

        return true;
    }

    /// <summary>Adds a FORWARD-TSN (RFC 3758 §3.2).</summary>
    public bool TryAddForwardTsn(uint newCumulativeTsn, scoped ReadOnlySpan<SctpSkippedStream> streams)
    {
        if (!TryBegin(SctpChunkType.ForwardTsn, 0, 4 + (streams.Length * 4), out var v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, newCumulativeTsn);
        int o = 4;
        foreach (var s in streams)
        {
            BinaryPrimitives.WriteUInt16BigEndian(v[o..], s.StreamId);
            BinaryPrimitives.WriteUInt16BigEndian(v[(o + 2)..], s.StreamSequence);
            o += 4;
        }

        return true;
    }

    /// <summary>Adds a SHUTDOWN carrying the cumulative TSN ack.</summary>
    public bool TryAddShutdown(uint cumulativeTsnAck)
    {
        if (!TryBegin(SctpChunkType.Shutdown, 0, 4, out var v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, cumulativeTsnAck);
        return true;
    }

    /// <summary>Adds a HEARTBEAT (or HEARTBEAT ACK) whose Heartbeat Info parameter holds <paramref name="info"/>.</summary>
    public bool TryAddHeartbeat(bool ack, scoped ReadOnlySpan<byte> info)
    {
        if (!TryBegin(ack ? SctpChunkType.HeartbeatAck : SctpChunkType.Heartbeat, 0, 4 + info.Length, out var v))
        {
            return false;
        }

        WriteParameterHeader(v, SctpParameterType.HeartbeatInfo, 4 + info.Length);
        info.CopyTo(v[4..]);
        return true;
    }

    /// <summary>Adds an ABORT or ERROR with one error cause.</summary>
    public bool TryAddErrorCause(SctpChunkType type, bool reflectedTag, SctpErrorCauseCode cause, scoped ReadOnlySpan<byte> causeInfo)
    {
        if (type is not (SctpChunkType.Abort or SctpChunkType.Error)
            || !TryBegin(type, reflectedTag ? (byte)1 : (byte)0, 4 + causeInfo.Length, out var v))
        {
            return false;
        }

        WriteParameterHeader(v, (SctpParameterType)cause, 4 + causeInfo.Length);
        causeInfo.CopyTo(v[4..]);
        return true;
    }

    /// <summary>Adds a RE-CONFIG with one Outgoing SSN Reset Request (RFC 6525 §4.1).</summary>
    public bool TryAddOutgoingResetRequest(uint requestSequence, uint responseSequence, uint lastAssignedTsn, scoped ReadOnlySpan<ushort> streams)
    {
        int paramLength = 16 + (streams.Length * 2);
        if (!TryBegin(SctpChunkType.ReConfig, 0, paramLength, out var v))
        {
            return false;
        }

        WriteParameterHeader(v, SctpParameterType.OutgoingSsnResetRequest, paramLength);
        BinaryPrimitives.WriteUInt32BigEndian(v[4..], requestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(v[8..], responseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(v[12..], lastAssignedTsn);
        WriteStreams(v[16..], streams);
        return true;
    }

    /// <summary>Adds a RE-CONFIG with one Incoming SSN Reset Request (RFC 6525 §4.2).</summary>
    public bool TryAddIncomingResetRequest(uint requestSequence, scoped ReadOnlySpan<ushort> streams)
    {
        int paramLength = 8 + (streams.Length * 2);
        if (!TryBegin(SctpChunkType.ReConfig, 0, paramLength, out var v))
        {
            return false;
        }

        WriteParameterHeader(v, SctpParameterType.IncomingSsnResetRequest, paramLength);
        BinaryPrimitives.WriteUInt32BigEndian(v[4..], requestSequence);
        WriteStreams(v[8..], streams);
        return true;
    }

    /// <summary>Adds a RE-CONFIG with one Re-configuration Response (RFC 6525 §4.4).</summary>
    public bool TryAddReconfigResponse(uint responseSequence, SctpReconfigResult result)
    {
        if (!TryBegin(SctpChunkType.ReConfig, 0, 12, out var v))
        {
            return false;
        }

        WriteParameterHeader(v, SctpParameterType.ReconfigurationResponse, 12);
        BinaryPrimitives.WriteUInt32BigEndian(v[4..], responseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(v[8..], (uint)result);
        return true;
    }

    /// <summary>Adds any chunk from its type, flags and value (COOKIE ECHO, COOKIE ACK, SHUTDOWN ACK ...).</summary>
    public bool TryAddChunk(SctpChunkType type, byte flags, scoped ReadOnlySpan<byte> value)
    {
        if (!TryBegin(type, flags, value.Length, out var v))
        {
            return false;
        }

        value.CopyTo(v);
        return true;
    }

    /// <summary>Writes the checksum and returns the packet length.</summary>
    public readonly int Finish()
    {
        var packet = _buffer[.._position];
        BinaryPrimitives.WriteUInt32LittleEndian(packet[8..], 0); // Finish may run twice
        BinaryPrimitives.WriteUInt32LittleEndian(packet[8..], Crc32c.Compute(packet));
        return _position;
    }

    private bool TryBegin(SctpChunkType type, byte flags, int valueLength, out Span<byte> value)
    {
        int length = 4 + valueLength;
        int padded = Padded(length);
        if (length > ushort.MaxValue || padded > Remaining)
        {
            value = default;
            return false;
        }

        var chunk = _buffer.Slice(_position, padded);
        chunk[0] = (byte)type;
        chunk[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(chunk[2..], (ushort)length);
        chunk[length..].Clear();
        value = chunk[4..length];
        _position += padded;
        return true;
    }

    private static void WriteParameterHeader(Span<byte> destination, SctpParameterType type, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
    }

    private static void WriteStreams(Span<byte> destination, ReadOnlySpan<ushort> streams)
    {
        for (int i = 0; i < streams.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(i * 2)..], streams[i]);
        }
    }
}
