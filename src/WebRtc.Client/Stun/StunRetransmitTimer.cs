namespace WebRtc.Client.Stun;

/// <summary>Retransmission parameters of a STUN client transaction over UDP (RFC 8489 §6.2.1).</summary>
/// <param name="InitialRto">First retransmission timeout; doubles after each retransmission.</param>
/// <param name="MaxRequests">Rc: how many requests are sent in all, the first included.</param>
/// <param name="LastWaitMultiplier">Rm: after the last request, wait Rm × <paramref name="InitialRto"/> for a response.</param>
public sealed record StunRetransmitPolicy(TimeSpan InitialRto, int MaxRequests, int LastWaitMultiplier)
{
    /// <summary>RFC 8489 defaults: RTO 500 ms, Rc = 7, Rm = 16 (a timeout after 39.5 s).</summary>
    public static StunRetransmitPolicy Default { get; } = new(TimeSpan.FromMilliseconds(500), 7, 16);
}

/// <summary>What a <see cref="StunRetransmitTimer"/> says when polled.</summary>
public enum StunTimerAction
{
    /// <summary>Nothing to do yet.</summary>
    None,
    /// <summary>Send the request again.</summary>
    Retransmit,
    /// <summary>The transaction failed: no response came.</summary>
    TimedOut,
}

/// <summary>
/// The sans-IO retransmission schedule of one STUN client transaction: the caller sends the request
/// when told and polls with the current time; no sockets and no clock of its own (RFC 8489 §6.2.1).
/// </summary>
public struct StunRetransmitTimer
{
    private readonly StunRetransmitPolicy _policy;
    private TimeSpan _rto;

    /// <summary>Starts the schedule; the caller sends the first request now.</summary>
    public StunRetransmitTimer(StunRetransmitPolicy policy, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.MaxRequests < 1 || policy.InitialRto <= TimeSpan.Zero || policy.LastWaitMultiplier < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), "Rc, Rm and RTO must be positive.");
        }

        _policy = policy;
        _rto = policy.InitialRto;
        RequestsSent = 1;
        Deadline = policy.MaxRequests == 1 ? now + (policy.InitialRto * policy.LastWaitMultiplier) : now + _rto;
    }

    /// <summary>How many times the request has been sent.</summary>
    public int RequestsSent { get; private set; }

    /// <summary>When the timer next needs a poll.</summary>
    public TimeSpan Deadline { get; private set; }

    /// <summary>True once the transaction has timed out.</summary>
    public bool IsExpired { get; private set; }

    /// <summary>Advances the schedule to <paramref name="now"/>.</summary>
    public StunTimerAction Poll(TimeSpan now)
    {
        if (IsExpired || now < Deadline)
        {
            return StunTimerAction.None;
        }

        if (RequestsSent >= _policy.MaxRequests)
        {
            IsExpired = true;
            return StunTimerAction.TimedOut;
        }

        RequestsSent++;
        _rto *= 2;
        // Schedule from the deadline, not from a late poll, so the timeline does not drift.
        Deadline = RequestsSent >= _policy.MaxRequests
            ? Deadline + (_policy.InitialRto * _policy.LastWaitMultiplier)
            : Deadline + _rto;
        return StunTimerAction.Retransmit;
    }
}
