using System.Net;

namespace WebRtc.Client.Ice;

/// <summary>
/// One local/remote pairing in the checklist. Local server-reflexive candidates are replaced by
/// their base (RFC 8445 §6.1.2.4), so a pair is a base socket plus a remote address.
/// </summary>
public sealed class IceCandidatePair
{
    internal IceCandidatePair(IceLocalCandidate local, IceRemoteCandidate remote)
    {
        Local = local;
        Remote = remote;
    }

    /// <summary>The local candidate (a host candidate: the base the checks leave from).</summary>
    public IceLocalCandidate Local { get; }

    /// <summary>The remote candidate.</summary>
    public IceRemoteCandidate Remote { get; internal set; }

    /// <summary>Pair priority (RFC 8445 §6.1.2.3).</summary>
    public ulong Priority { get; internal set; }

    /// <summary>Check state.</summary>
    public IceCandidatePairState State { get; internal set; }

    /// <summary>True once nominated (RFC 8445 §8.1).</summary>
    public bool Nominated { get; internal set; }

    /// <summary>Foundation of the pair: the local and the remote foundation.</summary>
    public string Foundation => Local.Foundation + ":" + Remote.Foundation;

    /// <summary>Most recent round-trip time of a check or consent check.</summary>
    public TimeSpan? CurrentRoundTripTime { get; internal set; }

    /// <summary>Sum of every measured round-trip time (W3C totalRoundTripTime).</summary>
    public TimeSpan TotalRoundTripTime { get; internal set; }

    /// <summary>Number of responses that measured a round-trip time.</summary>
    public int ResponsesReceived { get; internal set; }

    /// <summary>Connectivity and consent requests sent on this pair.</summary>
    public int RequestsSent { get; internal set; }

    /// <summary>Requests received from the remote on this pair.</summary>
    public int RequestsReceived { get; internal set; }

    /// <summary>Responses sent to the remote on this pair.</summary>
    public int ResponsesSent { get; internal set; }

    /// <summary>The last time an authenticated response refreshed consent (RFC 7675), agent clock.</summary>
    public TimeSpan? LastConsent { get; internal set; }

    /// <summary>The remote address.</summary>
    public IPEndPoint RemoteEndPoint => Remote.EndPoint;

    // Controlled side: a USE-CANDIDATE arrived before this pair's own check succeeded (RFC 8445 §7.3.1.5).
    internal bool NominateOnSuccess { get; set; }

    // Set while the pair sits in the triggered-check queue.
    internal bool InTriggeredQueue { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Local.EndPoint} ({Local.Type}) <-> {Remote.EndPoint} ({Remote.Type}) {State}{(Nominated ? " nominated" : string.Empty)}";
}
