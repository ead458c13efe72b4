using System.Buffers.Binary;

namespace WebRtc.Client.Sctp;

/// <summary>
/// An Outgoing SSN Reset Request (RFC 6525 §4.1) or, with <see cref="IsIncoming"/>, an
/// Incoming SSN Reset Request (§4.2). An empty stream list means every stream.
/// </summary>
public readonly ref struct SctpStreamResetRequest
{
    private readonly ReadOnlySpan<byte> _streams;

    private SctpStreamResetRequest(bool incoming, uint requestSequence, uint responseSequence, uint lastTsn, ReadOnlySpan<byte> streams)
    {
        IsIncoming = incoming;
        RequestSequence = requestSequence;
        ResponseSequence = responseSequence;
        SendersLastAssignedTsn = lastTsn;
        _streams = streams;
    }

    /// <summary>True for an Incoming SSN Reset Request.</summary>
    public bool IsIncoming { get; }

    /// <summary>Re-configuration request sequence number.</summary>
    public uint RequestSequence { get; }

    /// <summary>Re-configuration response sequence number (outgoing requests only).</summary>
    public uint ResponseSequence { get; }

    /// <summary>The sender's last assigned TSN (outgoing requests only).</summary>
    public uint SendersLastAssignedTsn { get; }

    /// <summary>Number of streams listed.</summary>
    public int StreamCount => _streams.Length / 2;

    /// <summary>The i-th stream.</summary>
    public ushort GetStream(int index) => BinaryPrimitives.ReadUInt16BigEndian(_streams[(index * 2)..]);

    /// <summary>Reads the request from a parameter of a RE-CONFIG chunk.</summary>
    public static bool TryParse(SctpParameter parameter, out SctpStreamResetRequest request)
    {
        request = default;
        var v = parameter.Value;
        if (parameter.Type == SctpParameterType.OutgoingSsnResetRequest && v.Length >= 12 && v.Length % 2 == 0)
        {
            request = new SctpStreamResetRequest(false, BinaryPrimitives.ReadUInt32BigEndian(v), BinaryPrimitives.ReadUInt32BigEndian(v[4..]), BinaryPrimitives.ReadUInt32BigEndian(v[8..]), v[12..]);
            return true;
        }

        if (parameter.Type == SctpParameterType.IncomingSsnResetRequest && v.Length >= 4 && v.Length % 2 == 0)
        {
            request = new SctpStreamResetRequest(true, BinaryPrimitives.ReadUInt32BigEndian(v), 0, 0, v[4..]);
            return true;
        }

        return false;
    }
}

/// <summary>A Re-configuration Response parameter (RFC 6525 §4.4).</summary>
/// <param name="ResponseSequence">The request sequence number this answers.</param>
/// <param name="Result">The result.</param>
public readonly record struct SctpReconfigResponse(uint ResponseSequence, SctpReconfigResult Result)
{
    /// <summary>Reads the response from a parameter of a RE-CONFIG chunk.</summary>
    public static bool TryParse(SctpParameter parameter, out SctpReconfigResponse response)
    {
        response = default;
        var v = parameter.Value;
        if (parameter.Type != SctpParameterType.ReconfigurationResponse || (v.Length != 8 && v.Length != 16))
        {
            return false;
        }

        response = new SctpReconfigResponse(BinaryPrimitives.ReadUInt32BigEndian(v), (SctpReconfigResult)BinaryPrimitives.ReadUInt32BigEndian(v[4..]));
        return true;
    }
}
