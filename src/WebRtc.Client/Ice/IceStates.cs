namespace WebRtc.Client.Ice;

/// <summary>State of an ICE transport (W3C webrtc-pc RTCIceTransportState).</summary>
public enum RTCIceTransportState
{
    /// <summary>Gathering or waiting for remote candidates; no checks yet.</summary>
    New,
    /// <summary>Checking candidate pairs; no usable pair yet.</summary>
    Checking,
    /// <summary>A usable pair exists; checks may still go on.</summary>
    Connected,
    /// <summary>Checks are done, a pair is nominated, and both sides said end-of-candidates.</summary>
    Completed,
    /// <summary>Consent checks on the selected pair have gone unanswered for a while (may recover).</summary>
    Disconnected,
    /// <summary>Every pair failed, or consent was lost for good (RFC 7675).</summary>
    Failed,
    /// <summary>The transport was closed.</summary>
    Closed,
}

/// <summary>Gathering state (W3C RTCIceGatheringState).</summary>
public enum RTCIceGatheringState
{
    /// <summary>Nothing gathered yet.</summary>
    New,
    /// <summary>Gathering is under way.</summary>
    Gathering,
    /// <summary>Every candidate has been gathered.</summary>
    Complete,
}

/// <summary>The agent's ICE role (W3C RTCIceRole).</summary>
public enum RTCIceRole
{
    /// <summary>Not yet decided.</summary>
    Unknown,
    /// <summary>The controlling agent nominates the pair.</summary>
    Controlling,
    /// <summary>The controlled agent accepts the nomination.</summary>
    Controlled,
}

/// <summary>State of one candidate pair in the checklist (RFC 8445 §6.1.2.6).</summary>
public enum IceCandidatePairState
{
    /// <summary>Waiting for a pair of the same foundation to succeed.</summary>
    Frozen,
    /// <summary>Ready to be checked.</summary>
    Waiting,
    /// <summary>A check is in flight.</summary>
    InProgress,
    /// <summary>A check succeeded: the pair is valid.</summary>
    Succeeded,
    /// <summary>The check failed or timed out, or consent was lost.</summary>
    Failed,
}
