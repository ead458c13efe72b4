namespace WebRtc.Client.Ice;

/// <summary>Something the sans-IO <see cref="IceAgent"/> reports; the driver drains them with <see cref="IceAgent.PollEvent"/>.</summary>
public abstract record IceAgentEvent;

/// <summary>
/// A local candidate was gathered (trickle it to the peer), or re-announced for a new generation
/// after an ICE restart (<see cref="IceAgent.Restart"/>).
/// </summary>
/// <param name="Candidate">The candidate.</param>
/// <param name="UsernameFragment">The local ufrag of the generation the candidate is announced in (RTCIceCandidate.usernameFragment).</param>
public sealed record IceLocalCandidateEvent(IceLocalCandidate Candidate, string? UsernameFragment = null) : IceAgentEvent;

/// <summary>Gathering state changed; <see cref="RTCIceGatheringState.Complete"/> means end-of-candidates.</summary>
/// <param name="State">The new state.</param>
public sealed record IceGatheringStateEvent(RTCIceGatheringState State) : IceAgentEvent;

/// <summary>The transport state changed.</summary>
/// <param name="State">The new state.</param>
public sealed record IceStateEvent(RTCIceTransportState State) : IceAgentEvent;

/// <summary>The pair data is sent on changed (null when there is none any more).</summary>
/// <param name="Pair">The selected pair.</param>
public sealed record IceSelectedPairEvent(IceCandidatePair? Pair) : IceAgentEvent;

/// <summary>The role changed after a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1).</summary>
/// <param name="Role">The new role.</param>
public sealed record IceRoleEvent(RTCIceRole Role) : IceAgentEvent;

/// <summary>A STUN or TURN server did not answer or refused us while gathering (W3C icecandidateerror).</summary>
/// <param name="Server">The server.</param>
/// <param name="ErrorCode">STUN error code, or 701 when the server did not answer (W3C).</param>
/// <param name="ErrorText">Reason.</param>
/// <param name="Url">The stun:/turn: URL of the server, when known (W3C url).</param>
public sealed record IceCandidateErrorEvent(System.Net.IPEndPoint Server, int ErrorCode, string ErrorText, string? Url = null) : IceAgentEvent;
