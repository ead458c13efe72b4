using System.Net;

namespace WebRtc.Client.Ice;

/// <summary>Turns the agent's candidates into their SDP/W3C form.</summary>
internal static class IceCandidateConversions
{
    public static RTCIceCandidate ToRTC(IceLocalCandidate candidate, string? usernameFragment)
    {
        // RFC 8839 §5.1: raddr/rport name the base of a derived candidate, the mapped address of a relay one.
        var related = candidate.Type == RTCIceCandidateType.Host ? null : candidate.RelatedEndPoint ?? candidate.BaseEndPoint;
        return new RTCIceCandidate(
            candidate.Foundation,
            (int)RTCIceComponent.Rtp,
            candidate.Protocol,
            candidate.Priority,
            AddressText(candidate.EndPoint.Address),
            candidate.EndPoint.Port,
            candidate.Type,
            relatedAddress: related is null ? null : AddressText(related.Address),
            relatedPort: related?.Port,
            tcpType: candidate.TcpType,
            generation: 0,
            usernameFragment: usernameFragment);
    }

    // A scope id ("%eth0") means nothing to the peer, so it is not written.
    private static string AddressText(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()).ToString() : address.ToString();
}
