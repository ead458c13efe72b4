using System.Net.Sockets;

namespace WebRtc.Client.Ice;

/// <summary>Candidate and candidate-pair priorities (RFC 8445 §5.1.2 and §6.1.2.3).</summary>
public static class IcePriority
{
    /// <summary>The largest local preference: the only one a single-homed agent needs (RFC 8445 §5.1.2.2).</summary>
    public const ushort MaxLocalPreference = 65535;

    /// <summary>
    /// The recommended type preference (RFC 8445 §5.1.2.2): host 126, peer-reflexive 110,
    /// server-reflexive 100, relayed 0.
    /// </summary>
    /// <param name="type">The candidate type.</param>
    /// <returns>The type preference, 0 to 126.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    public static int TypePreference(RTCIceCandidateType type) => type switch
    {
        RTCIceCandidateType.Host => 126,
        RTCIceCandidateType.Prflx => 110,
        RTCIceCandidateType.Srflx => 100,
        RTCIceCandidateType.Relay => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown candidate type."),
    };

    /// <summary>
    /// A candidate's priority (RFC 8445 §5.1.2.1):
    /// <c>2^24 * typePreference + 2^8 * localPreference + (256 - componentId)</c>.
    /// </summary>
    /// <param name="type">The candidate type; its preference comes from <see cref="TypePreference"/>.</param>
    /// <param name="localPreference">The local preference, 0 to 65535 (see <see cref="LocalPreference"/>).</param>
    /// <param name="componentId">The component id, 1 to 256.</param>
    /// <returns>The priority; at most 2130706431, so it also fits the 1..2^31-1 range RFC 8445 requires.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static uint Compute(RTCIceCandidateType type, ushort localPreference, int componentId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(componentId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(componentId, 256);
        return ((uint)TypePreference(type) << 24) + ((uint)localPreference << 8) + (uint)(256 - componentId);
    }

    /// <summary>
    /// Type preference of host TCP candidates. RFC 6544 §4.2 wants UDP preferred where both work;
    /// like libwebrtc, TCP candidates get a type preference below server-reflexive UDP (100).
    /// </summary>
    public const int HostTcpTypePreference = 90;

    /// <summary>Type preference of peer-reflexive TCP candidates (below <see cref="HostTcpTypePreference"/>).</summary>
    public const int PeerReflexiveTcpTypePreference = 80;

    /// <summary>A candidate's priority from an explicit type preference (0 to 126), as RFC 6544 TCP candidates need.</summary>
    /// <param name="typePreference">The type preference, 0 to 126.</param>
    /// <param name="localPreference">The local preference.</param>
    /// <param name="componentId">The component id, 1 to 256.</param>
    /// <returns>The priority.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static uint Compute(int typePreference, ushort localPreference, int componentId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(typePreference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(typePreference, 126);
        ArgumentOutOfRangeException.ThrowIfLessThan(componentId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(componentId, 256);
        return ((uint)typePreference << 24) + ((uint)localPreference << 8) + (uint)(256 - componentId);
    }

    /// <summary>
    /// The local preference of a TCP candidate (RFC 6544 §4.2):
    /// <c>2^13 * directionPreference + otherPreference</c>, with direction preferences active 6,
    /// passive 4, simultaneous-open 2 (the host-candidate values), and the interface ranking of
    /// <paramref name="interfacePreference"/> scaled into the 13-bit other-preference.
    /// </summary>
    /// <param name="tcpType">The candidate's TCP type.</param>
    /// <param name="interfacePreference">The UDP local preference of the same interface (see <see cref="LocalPreference"/>).</param>
    /// <returns>The local preference.</returns>
    public static ushort TcpLocalPreference(RTCIceTcpCandidateType tcpType, ushort interfacePreference)
    {
        int direction = tcpType switch
        {
            RTCIceTcpCandidateType.Active => 6,
            RTCIceTcpCandidateType.Passive => 4,
            _ => 2,
        };
        return (ushort)((direction << 13) + (interfacePreference >> 3));
    }

    /// <summary>
    /// The local preference of a relay candidate: the way to the TURN server ranks first (UDP over
    /// TCP over TLS, as libwebrtc ranks them, since each adds head-of-line blocking or cost), then
    /// the interface's own preference.
    /// </summary>
    /// <param name="relayProtocol">How the TURN server is reached.</param>
    /// <param name="interfacePreference">The UDP local preference of the interface the allocation leaves from.</param>
    /// <returns>The local preference.</returns>
    public static ushort RelayLocalPreference(RTCIceServerTransportProtocol relayProtocol, ushort interfacePreference)
    {
        int rank = relayProtocol switch
        {
            RTCIceServerTransportProtocol.Udp => 2,
            RTCIceServerTransportProtocol.Tcp => 1,
            _ => 0,
        };
        return (ushort)((rank << 14) + (interfacePreference >> 2));
    }

    /// <summary>
    /// A local preference for a multihomed, dual-stack host in the spirit of RFC 8421 §4:
    /// <c>(255 - min(interfaceOrder, 255)) * 256 + familyPreference</c>, with a family preference of
    /// 255 for IPv6 and 127 for IPv4. Interfaces rank first (order 0 is the preferred one, as
    /// the caller ranks them), and on one interface IPv6 ranks above IPv4. Every
    /// (interface, family) pair gets a distinct value, as RFC 8445 §5.1.2.1 requires for
    /// candidates of one type, component and stream.
    /// </summary>
    /// <param name="family"><see cref="AddressFamily.InterNetworkV6"/> or <see cref="AddressFamily.InterNetwork"/>.</param>
    /// <param name="interfaceOrder">The caller's rank of the interface, 0 = most preferred; values above 255 share the lowest rank.</param>
    /// <returns>The local preference, 127 to 65535.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="family"/> is not IPv4/IPv6, or <paramref name="interfaceOrder"/> is negative.</exception>
    public static ushort LocalPreference(AddressFamily family, int interfaceOrder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceOrder);
        var familyPreference = family switch
        {
            AddressFamily.InterNetworkV6 => 255,
            AddressFamily.InterNetwork => 127,
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Only IPv4 and IPv6 candidates have a local preference."),
        };
        return (ushort)(((255 - Math.Min(interfaceOrder, 255)) << 8) | familyPreference);
    }

    /// <summary>
    /// A candidate pair's priority (RFC 8445 §6.1.2.3):
    /// <c>2^32 * MIN(G, D) + 2 * MAX(G, D) + (G &gt; D ? 1 : 0)</c>, where G is the controlling
    /// agent's candidate priority and D the controlled agent's.
    /// </summary>
    /// <remarks>
    /// For priorities in the RFC range (at most 2^31 - 1) the value is exact. A remote peer can
    /// send larger ones; rather than wrap, the result then saturates at <see cref="ulong.MaxValue"/>
    /// so that the order of pairs never inverts and nothing throws on network input.
    /// </remarks>
    /// <param name="controllingPriority">G: the priority of the controlling agent's candidate.</param>
    /// <param name="controlledPriority">D: the priority of the controlled agent's candidate.</param>
    /// <returns>The pair priority.</returns>
    public static ulong PairPriority(uint controllingPriority, uint controlledPriority)
    {
        var min = Math.Min(controllingPriority, controlledPriority);
        var max = Math.Max(controllingPriority, controlledPriority);
        var high = (ulong)min << 32;                 // at most 2^64 - 2^32
        var low = 2UL * max + (controllingPriority > controlledPriority ? 1UL : 0UL); // at most 2^33 - 1
        return high > ulong.MaxValue - low ? ulong.MaxValue : high + low;
    }
}
