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

    /// <summary>Transport protocol: UDP, or TCP for RFC 6544 candidates. A relay candidate is UDP (RFC 8656 relays UDP) whatever <see cref="RelayProtocol"/> is.</summary>
    public RTCIceProtocol Protocol { get; internal init; } = RTCIceProtocol.Udp;

    /// <summary>For TCP candidates: active, passive or simultaneous-open (RFC 6544 §4.5).</summary>
    public RTCIceTcpCandidateType? TcpType { get; internal init; }

    /// <summary>For relay candidates: how this agent reaches the TURN server (W3C relayProtocol).</summary>
    public RTCIceServerTransportProtocol? RelayProtocol { get; internal init; }

    /// <summary>For server-reflexive and relay candidates: the STUN or TURN URL it came from (W3C url).</summary>
    public string? Url { get; internal init; }

    /// <summary>
    /// The related address signaled as raddr/rport (RFC 8839 §5.1): the base for server- and
    /// peer-reflexive candidates, the mapped address for relay candidates, null for host candidates.
    /// </summary>
    public IPEndPoint? RelatedEndPoint { get; internal init; }

    /// <summary>PRIORITY sent in checks from this base: what a peer-reflexive candidate learned from them gets (RFC 8445 §7.1.1).</summary>
    internal uint PeerReflexivePriority { get; init; }

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
    public override string ToString() => Protocol == RTCIceProtocol.Tcp ? $"{Type} tcp {TcpType} {EndPoint}" : $"{Type} {EndPoint}";
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

    /// <summary>Transport protocol of the candidate.</summary>
    public RTCIceProtocol Protocol { get; internal init; } = RTCIceProtocol.Udp;

    /// <summary>For TCP candidates: active, passive or simultaneous-open.</summary>
    public RTCIceTcpCandidateType? TcpType { get; internal init; }

    /// <summary>Candidate type; peer-reflexive when learned from a check (RFC 8445 §7.3.1.3).</summary>
    public RTCIceCandidateType Type { get; internal set; }

    /// <summary>The remote transport address.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Candidate priority.</summary>
    public uint Priority { get; internal set; }

    /// <summary>Foundation.</summary>
    public string Foundation { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => Protocol == RTCIceProtocol.Tcp ? $"{Type} tcp {TcpType} {EndPoint}" : $"{Type} {EndPoint}";
}
