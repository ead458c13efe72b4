namespace WebRtc.Client.Media.Stages;

/// <summary>
/// When to send the next regular compound RTCP packet (RFC 3550 §6.3, Appendix A.7) and whether
/// an early feedback packet is allowed (RFC 4585 §3.5.2). Deterministic apart from the injected
/// <see cref="Random"/>: the interval is max(minimum, bandwidth-derived) × a uniform factor in
/// [0.5, 1.5), divided by e − 3/2 when <see cref="CompensateReconsideration"/> is on. The first
/// report uses half the minimum (§6.2). Timer reconsideration and member counting are left to the
/// caller (two-party WebRTC sessions keep <see cref="Members"/> at 2).
/// </summary>
public sealed class RtcpIntervalScheduler
{
    /// <summary>The minimum interval libwebrtc uses for video streams.</summary>
    public static readonly TimeSpan VideoMinimumInterval = TimeSpan.FromSeconds(1);

    /// <summary>The minimum interval libwebrtc uses for audio streams.</summary>
    public static readonly TimeSpan AudioMinimumInterval = TimeSpan.FromSeconds(5);

    /// <summary>RFC 3550 §6.2's recommended fixed minimum interval.</summary>
    public static readonly TimeSpan Rfc3550MinimumInterval = TimeSpan.FromSeconds(5);

    // RFC 3550 §6.3.1: e - 3/2.
    private const double Compensation = Math.E - 1.5;

    private readonly Random _random;
    private TimeSpan _previous;
    private TimeSpan _interval;
    private bool _initial = true;
    private bool _allowEarly = true;
    private double _averageRtcpSize;

    /// <summary>Creates a scheduler whose first report is due half a minimum interval after <paramref name="now"/>.</summary>
    /// <param name="minimumInterval">The minimum interval (e.g. <see cref="VideoMinimumInterval"/>, <see cref="AudioMinimumInterval"/> or <see cref="ReducedMinimumInterval"/>).</param>
    /// <param name="now">The current time.</param>
    /// <param name="random">Source of the randomization; pass a seeded one for deterministic tests. A shared instance when null.</param>
    /// <param name="compensateReconsideration">Divide by e − 3/2 as RFC 3550 §6.3.1 does (on by default).</param>
    public RtcpIntervalScheduler(TimeSpan minimumInterval, TimeSpan now, Random? random = null, bool compensateReconsideration = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumInterval, TimeSpan.Zero);
        MinimumInterval = minimumInterval;
        CompensateReconsideration = compensateReconsideration;
        _random = random ?? Random.Shared;
        _previous = now;
        Schedule(now);
    }

    /// <summary>The minimum interval (Tmin).</summary>
    public TimeSpan MinimumInterval { get; }

    /// <summary>True when the interval is divided by e − 3/2.</summary>
    public bool CompensateReconsideration { get; }

    /// <summary>
    /// The session's RTCP bandwidth in bytes per second (5% of the session bandwidth, RFC 3550
    /// §6.2), or 0 to use only <see cref="MinimumInterval"/>.
    /// </summary>
    public double RtcpBandwidth { get; set; }

    /// <summary>Session members including ourselves (A.7 members), 2 for a peer connection.</summary>
    public int Members { get; set; } = 2;

    /// <summary>Members that sent RTP recently (A.7 senders).</summary>
    public int Senders { get; set; } = 1;

    /// <summary>True when we sent RTP since the last report (A.7 we_sent).</summary>
    public bool WeSent { get; set; }

    /// <summary>The average compound RTCP size in bytes including UDP/IP overhead (A.7 avg_rtcp_size).</summary>
    public double AverageRtcpSize => _averageRtcpSize;

    /// <summary>When the next regular report is due (tn).</summary>
    public TimeSpan NextDeadline { get; private set; }

    /// <summary>The deterministic interval before randomization (Td).</summary>
    public TimeSpan DeterministicInterval => _interval;

    /// <summary>RFC 3550 §6.2's reduced minimum: 360 divided by the session bandwidth in kbit/s, in seconds.</summary>
    public static TimeSpan ReducedMinimumInterval(double sessionBandwidthKbps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sessionBandwidthKbps);
        return TimeSpan.FromSeconds(360.0 / sessionBandwidthKbps);
    }

    /// <summary>True when the regular report is due at <paramref name="now"/>.</summary>
    public bool IsDue(TimeSpan now) => now >= NextDeadline;

    /// <summary>Records that a regular compound RTCP packet went out and schedules the next one.</summary>
    /// <param name="now">When it was sent.</param>
    /// <param name="packetSize">Its size in bytes including UDP/IP overhead, for the A.7 average; 0 leaves the average alone.</param>
    public void OnSent(TimeSpan now, int packetSize = 0)
    {
        if (packetSize > 0)
        {
            // RFC 3550 §6.3.3: avg_rtcp_size = 1/16 * packet_size + 15/16 * avg_rtcp_size.
            _averageRtcpSize = _averageRtcpSize == 0 ? packetSize : (packetSize / 16.0) + (_averageRtcpSize * 15 / 16);
        }

        _initial = false;
        _previous = now;
        // RFC 4585 §3.5.2: a regular report re-enables early feedback.
        _allowEarly = true;
        Schedule(now);
    }

    /// <summary>
    /// Asks to send an early (feedback) RTCP packet now (RFC 4585 §3.5.2, point to point: no
    /// dithering). When allowed, it returns true, disallows further early packets and skips the
    /// next regular report (tn = tp + 2·T_rr); the regular report after that re-allows them.
    /// Callers that send feedback regardless (as libwebrtc does with reduced-size RTCP) can ignore it.
    /// </summary>
    public bool TrySendEarly(TimeSpan now)
    {
        if (!_allowEarly || now >= NextDeadline)
        {
            // At or past tn the feedback simply rides on the regular report.
            return false;
        }

        _allowEarly = false;
        NextDeadline += NextDeadline - _previous;
        return true;
    }

    private void Schedule(TimeSpan now)
    {
        // RFC 3550 A.7 rtcp_interval.
        double minimum = MinimumInterval.TotalSeconds;
        if (_initial)
        {
            minimum /= 2;
        }

        double t = minimum;
        if (RtcpBandwidth > 0 && _averageRtcpSize > 0)
        {
            double bandwidth = RtcpBandwidth;
            int n = Math.Max(1, Members);
            if (Senders <= n * 0.25)
            {
                if (WeSent)
                {
                    bandwidth *= 0.25;
                    n = Math.Max(1, Senders);
                }
                else
                {
                    bandwidth *= 0.75;
                    n = Math.Max(1, n - Senders);
                }
            }

            t = Math.Max(minimum, _averageRtcpSize * n / bandwidth);
        }

        _interval = TimeSpan.FromSeconds(t);
        // RFC 3550 §6.3.1: randomize to [0.5, 1.5) × Td, then divide by e - 3/2.
        double randomized = t * (_random.NextDouble() + 0.5);
        if (CompensateReconsideration)
        {
            randomized /= Compensation;
        }

        NextDeadline = now + TimeSpan.FromSeconds(randomized);
    }
}
