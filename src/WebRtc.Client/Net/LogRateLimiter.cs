namespace WebRtc.Client.Net;

/// <summary>
/// Lets at most one log line per interval through, so a flood of hostile or broken
/// packets cannot turn into a flood of log lines. Thread-safe and allocation-free.
/// </summary>
internal sealed class LogRateLimiter
{
    private readonly long _intervalMs;
    private long _nextAllowedMs;
    private long _suppressed;

    /// <summary>Creates a limiter that lets one entry through per <paramref name="interval"/>.</summary>
    public LogRateLimiter(TimeSpan interval) => _intervalMs = (long)interval.TotalMilliseconds;

    /// <summary>
    /// Returns true when the caller may log now; <paramref name="suppressed"/> is the number of
    /// entries swallowed since the last one that went through.
    /// </summary>
    public bool TryAcquire(out long suppressed)
    {
        // Environment.TickCount64 rather than TimeProvider: this only shapes log volume,
        // it is not protocol timing that tests need to control.
        long now = Environment.TickCount64;
        long next = Volatile.Read(ref _nextAllowedMs);
        if (now >= next && Interlocked.CompareExchange(ref _nextAllowedMs, now + _intervalMs, next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }

        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
