using System.Net;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Ice;

/// <summary>Settings of the sans-IO <see cref="IceAgent"/>. Defaults follow RFC 8445 and RFC 7675.</summary>
public sealed class IceAgentOptions
{
    /// <summary>Local username fragment (ice-ufrag).</summary>
    public required string LocalUfrag { get; init; }

    /// <summary>Local password (ice-pwd).</summary>
    public required string LocalPassword { get; init; }

    /// <summary>True to start as the controlling agent (the offerer, RFC 8445 §6.1.1).</summary>
    public bool Controlling { get; init; }

    /// <summary>Tie-breaker for role conflicts (RFC 8445 §7.3.1.1); random when null.</summary>
    public ulong? TieBreaker { get; init; }

    /// <summary>
    /// Run as an ICE-lite agent (RFC 8445 §2.5): host candidates only, no checks of its own,
    /// always controlled, the pair chosen by the peer's USE-CANDIDATE.
    /// </summary>
    public bool Lite { get; init; }

    /// <summary>Ta, the pacing between two checks (RFC 8445 §14.2); 50 ms by default.</summary>
    public TimeSpan CheckPacing { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Retransmission of connectivity checks; the RTO used is max(this RTO, Ta × active pairs) (RFC 8445 §14.3).</summary>
    public StunRetransmitPolicy CheckRetransmit { get; init; } = new(TimeSpan.FromMilliseconds(500), 7, 16);

    /// <summary>Retransmission of Binding requests to STUN servers while gathering.</summary>
    public StunRetransmitPolicy ServerRetransmit { get; init; } = new(TimeSpan.FromMilliseconds(500), 5, 8);

    /// <summary>
    /// How long the controlling agent waits after the first valid pair for better pairs to
    /// succeed before it nominates the best valid one (regular nomination, RFC 8445 §8.1.1).
    /// </summary>
    public TimeSpan NominationDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Mean interval of consent checks; each is randomized to 0.8–1.2 × this (RFC 7675 §5.1).</summary>
    public TimeSpan ConsentInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>With no consent response for this long the transport reports Disconnected.</summary>
    public TimeSpan DisconnectedTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>With no consent response for this long consent is lost and the transport fails (RFC 7675 §5.1: 30 s).</summary>
    public TimeSpan ConsentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>STUN servers for server-reflexive candidates.</summary>
    public IReadOnlyList<IPEndPoint> StunServers { get; init; } = [];

    /// <summary>
    /// Report a server-reflexive candidate even when it equals a host candidate (no NAT between
    /// us and the STUN server). RFC 8445 §5.1.3 calls it redundant and drops it, which is the
    /// default; diagnostics and tests against a STUN server on loopback want to see it.
    /// </summary>
    public bool KeepRedundantServerReflexive { get; init; }

    /// <summary>Most candidate pairs kept in the checklist (RFC 8445 §6.1.2.5 suggests 100).</summary>
    public int MaxPairs { get; init; } = 100;

    /// <summary>Source of randomness (tie-breaker, consent jitter, prflx foundations); a seeded one makes tests repeatable.</summary>
    public Random? Random { get; init; }
}
