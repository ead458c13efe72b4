using System.Net;

namespace WebRtc.Client.Ice;

/// <summary>A candidate this agent gathered, and the socket (base) it belongs to.</summary>
public sealed class IceLocalCandidate
{
    internal IceLocalCandidate(RTCIceCandidateType type, IPEndPoint endPoint, int baseId, IPEndPoint baseEndPoint, uint priority, string foundation, IPEndPoint? server)
    {
        Type = type;
        EndPoint = endPoint;
        BaseId = baseId;
        BaseEndPoint = baseEndPoint;
        Priority = priority;
        Foundation = foundation;
        Server = server;
    }

    /// <summary>Candidate type.</summary>
    public RTCIceCandidateType Type { get; }

    /// <summary>The transport address the candidate advertises.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The identifier the driver gave the base socket.</summary>
    public int BaseId { get; }

    /// <summary>The base's local address (the host candidate it was derived from).</summary>
    public IPEndPoint BaseEndPoint { get; }

    /// <summary>Candidate priority (RFC 8445 §5.1.2).</summary>
    public uint Priority { get; }

    /// <summary>Foundation (RFC 8445 §5.1.1.3).</summary>
    public string Foundation { get; }

    /// <summary>RFC 8445 §5.1.2.1 local preference of the base's interface.</summary>
    public ushort LocalPreference { get; internal init; }

    /// <summary>For server-reflexive candidates: the STUN server that reported the address.</summary>
    public IPEndPoint? Server { get; }

    /// <summary>The candidate as the SDP/W3C object.</summary>
    public RTCIceCandidate ToRTCIceCandidate(string? usernameFragment = null) => IceCandidateConversions.ToRTC(this, usernameFragment);

    /// <inheritdoc />
    public override string ToString() => $"{Type} {EndPoint}";
}

/// <summary>A candidate of the peer, with its resolved address.</summary>
public sealed class IceRemoteCandidate
{
    internal IceRemoteCandidate(RTCIceCandidateType type, IPEndPoint endPoint, uint priority, string foundation)
    {
        Type = type;
        EndPoint = endPoint;
        Priority = priority;
        Foundation = foundation;
    }

    /// <summary>Candidate type; peer-reflexive when learned from a check (RFC 8445 §7.3.1.3).</summary>
    public RTCIceCandidateType Type { get; internal set; }

    /// <summary>The remote transport address.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Candidate priority.</summary>
    public uint Priority { get; internal set; }

    /// <summary>Foundation.</summary>
    public string Foundation { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"{Type} {EndPoint}";
}
