using System.Globalization;
using System.Net;

namespace WebRtc.Client.Ice;

/// <summary>Candidate foundations (RFC 8445 §5.1.1.3).</summary>
public static class IceFoundation
{
    private const uint FnvOffsetBasis = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>
    /// Computes a foundation: equal for candidates that share type, base IP address, transport
    /// protocol and STUN/TURN server, and (up to a 32-bit hash collision) different otherwise.
    /// The value is the decimal form of a 32-bit FNV-1a hash over those four parts, so it is
    /// deterministic across runs and processes, at most 10 characters, and all ice-chars.
    /// </summary>
    /// <param name="type">The candidate type.</param>
    /// <param name="baseAddress">
    /// The candidate's base address (RFC 8445 §5.1.1.3). An IPv4-mapped IPv6 address counts as
    /// its IPv4 address; an IPv6 scope id counts, as it names a different interface.
    /// </param>
    /// <param name="protocol">The transport protocol.</param>
    /// <param name="stunOrTurnServer">
    /// The server the candidate came from (for example its URL or <c>host:port</c>), compared
    /// case-insensitively; null or empty for host and peer-reflexive candidates.
    /// </param>
    /// <returns>The foundation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="baseAddress"/> is null.</exception>
    public static string Compute(RTCIceCandidateType type, IPAddress baseAddress, RTCIceProtocol protocol, string? stunOrTurnServer)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (baseAddress.IsIPv4MappedToIPv6) { baseAddress = baseAddress.MapToIPv4(); }

        var hash = FnvOffsetBasis;
        // Fixed-width fields first, then length-prefixed ones, so that no two inputs share an encoding.
        hash = Add(hash, (byte)type);
        hash = Add(hash, (byte)protocol);
        Span<byte> address = stackalloc byte[16];
        baseAddress.TryWriteBytes(address, out var addressLength);
        hash = Add(hash, (byte)addressLength);
        foreach (var b in address[..addressLength]) { hash = Add(hash, b); }
        if (baseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var scope = baseAddress.ScopeId;
            for (var i = 0; i < 8; i++) { hash = Add(hash, (byte)(scope >> (8 * i))); }
        }
        var server = string.IsNullOrEmpty(stunOrTurnServer) ? string.Empty : stunOrTurnServer.ToLowerInvariant();
        foreach (var c in server)
        {
            hash = Add(hash, (byte)c);
            hash = Add(hash, (byte)(c >> 8));
        }
        return hash.ToString(CultureInfo.InvariantCulture);
    }

    private static uint Add(uint hash, byte b) => unchecked((hash ^ b) * FnvPrime);
}
