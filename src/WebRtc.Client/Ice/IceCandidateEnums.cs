using System.Diagnostics.CodeAnalysis;

namespace WebRtc.Client.Ice;

/// <summary>The type of an ICE candidate (W3C <c>RTCIceCandidateType</c>, RFC 8445 §5.1.1).</summary>
public enum RTCIceCandidateType
{
    /// <summary>A host candidate: an address of a local interface (<c>host</c>).</summary>
    Host,

    /// <summary>A server-reflexive candidate learned from a STUN server (<c>srflx</c>).</summary>
    Srflx,

    /// <summary>A peer-reflexive candidate learned from a connectivity check (<c>prflx</c>).</summary>
    Prflx,

    /// <summary>A relayed candidate allocated on a TURN server (<c>relay</c>).</summary>
    Relay,
}

/// <summary>The transport protocol of an ICE candidate (W3C <c>RTCIceProtocol</c>).</summary>
public enum RTCIceProtocol
{
    /// <summary>UDP (<c>udp</c>).</summary>
    Udp,

    /// <summary>TCP, RFC 6544 (<c>tcp</c>).</summary>
    Tcp,
}

/// <summary>The kind of a TCP candidate (W3C <c>RTCIceTcpCandidateType</c>, RFC 6544 §4.5).</summary>
public enum RTCIceTcpCandidateType
{
    /// <summary>Opens outgoing connections only (<c>active</c>).</summary>
    Active,

    /// <summary>Accepts incoming connections only (<c>passive</c>).</summary>
    Passive,

    /// <summary>Simultaneous-open (<c>so</c>).</summary>
    So,
}

/// <summary>
/// The component of a media stream that a candidate serves (W3C <c>RTCIceComponent</c>).
/// The values are the numeric ICE component ids (RFC 8445 §4).
/// </summary>
public enum RTCIceComponent
{
    /// <summary>Component 1: RTP, or the single component when RTP and RTCP are multiplexed.</summary>
    Rtp = 1,

    /// <summary>Component 2: RTCP when it is not multiplexed with RTP.</summary>
    Rtcp = 2,
}

/// <summary>How a TURN client reaches its server (W3C RTCIceServerTransportProtocol, the relayProtocol of a relay candidate).</summary>
public enum RTCIceServerTransportProtocol
{
    /// <summary>UDP (turn: with transport=udp, the default).</summary>
    Udp,

    /// <summary>TCP (turn: with transport=tcp).</summary>
    Tcp,

    /// <summary>TLS over TCP (turns:).</summary>
    Tls,
}

/// <summary>Maps the candidate enums to and from their tokens in the SDP candidate grammar.</summary>
internal static class IceCandidateTokens
{
    public static string ToToken(this RTCIceCandidateType type) => type switch
    {
        RTCIceCandidateType.Host => "host",
        RTCIceCandidateType.Srflx => "srflx",
        RTCIceCandidateType.Prflx => "prflx",
        RTCIceCandidateType.Relay => "relay",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown candidate type."),
    };

    public static string ToToken(this RTCIceProtocol protocol) => protocol switch
    {
        RTCIceProtocol.Udp => "udp",
        RTCIceProtocol.Tcp => "tcp",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown protocol."),
    };

    public static string ToToken(this RTCIceTcpCandidateType tcpType) => tcpType switch
    {
        RTCIceTcpCandidateType.Active => "active",
        RTCIceTcpCandidateType.Passive => "passive",
        RTCIceTcpCandidateType.So => "so",
        _ => throw new ArgumentOutOfRangeException(nameof(tcpType), tcpType, "Unknown TCP candidate type."),
    };

    // The tokens are ABNF literals (RFC 8839 §5.1, RFC 6544 §4.5), hence case-insensitive.
    public static bool TryParseType(string token, out RTCIceCandidateType type)
    {
        foreach (var t in (ReadOnlySpan<RTCIceCandidateType>)[RTCIceCandidateType.Host, RTCIceCandidateType.Srflx, RTCIceCandidateType.Prflx, RTCIceCandidateType.Relay])
        {
            if (string.Equals(token, t.ToToken(), StringComparison.OrdinalIgnoreCase)) { type = t; return true; }
        }
        type = default;
        return false;
    }

    public static bool TryParseProtocol(string token, out RTCIceProtocol protocol)
    {
        if (string.Equals(token, "udp", StringComparison.OrdinalIgnoreCase)) { protocol = RTCIceProtocol.Udp; return true; }
        if (string.Equals(token, "tcp", StringComparison.OrdinalIgnoreCase)) { protocol = RTCIceProtocol.Tcp; return true; }
        protocol = default;
        return false;
    }

    public static bool TryParseTcpType(string token, out RTCIceTcpCandidateType tcpType)
    {
        foreach (var t in (ReadOnlySpan<RTCIceTcpCandidateType>)[RTCIceTcpCandidateType.Active, RTCIceTcpCandidateType.Passive, RTCIceTcpCandidateType.So])
        {
            if (string.Equals(token, t.ToToken(), StringComparison.OrdinalIgnoreCase)) { tcpType = t; return true; }
        }
        tcpType = default;
        return false;
    }

    public static bool IsDefined(RTCIceCandidateType type) => type is >= RTCIceCandidateType.Host and <= RTCIceCandidateType.Relay;

    public static bool IsDefined(RTCIceProtocol protocol) => protocol is RTCIceProtocol.Udp or RTCIceProtocol.Tcp;

    public static bool IsDefined([NotNullWhen(true)] RTCIceTcpCandidateType? tcpType) =>
        tcpType is RTCIceTcpCandidateType.Active or RTCIceTcpCandidateType.Passive or RTCIceTcpCandidateType.So;
}
