namespace WebRtc.Client.Rtp;

/// <summary>
/// A 64-bit NTP timestamp (RFC 5905 §6): seconds since 1900-01-01 UTC in the high 32 bits, the
/// fraction in the low 32. Era 0 only; the next era (2036) maps by wrap-around like other stacks.
/// </summary>
public readonly record struct NtpTime(ulong Value)
{
    private static readonly DateTime Epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Whole seconds.</summary>
    public uint Seconds => (uint)(Value >> 32);

    /// <summary>Fraction of a second in units of 2^-32.</summary>
    public uint Fraction => (uint)Value;

    /// <summary>The middle 32 bits (16.16 seconds) used by RTCP LSR/DLSR and XR (RFC 3550 §6.4.1).</summary>
    public uint Compact => (uint)(Value >> 16);

    /// <summary>Converts a UTC time.</summary>
    public static NtpTime FromDateTime(DateTime utc)
    {
        long ticks = (utc.ToUniversalTime() - Epoch).Ticks;
        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong fraction = (ulong)(ticks % TimeSpan.TicksPerSecond) * (1UL << 32) / TimeSpan.TicksPerSecond;
        return new NtpTime((seconds << 32) | fraction);
    }

    /// <summary>Converts from a <see cref="DateTimeOffset"/>.</summary>
    public static NtpTime FromDateTimeOffset(DateTimeOffset time) => FromDateTime(time.UtcDateTime);

    /// <summary>Converts to a UTC <see cref="DateTime"/> (tick precision).</summary>
    public DateTime ToDateTime() =>
        Epoch.AddTicks((long)Seconds * TimeSpan.TicksPerSecond + (long)((ulong)Fraction * TimeSpan.TicksPerSecond >> 32));

    /// <summary>A compact (16.16) NTP value as a <see cref="TimeSpan"/>.</summary>
    public static TimeSpan CompactToTimeSpan(uint compact) => TimeSpan.FromTicks((long)((ulong)compact * TimeSpan.TicksPerSecond >> 16));

    /// <summary>A <see cref="TimeSpan"/> as a compact (16.16) value, saturating.</summary>
    public static uint TimeSpanToCompact(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return 0;
        }

        ulong compact = (ulong)value.Ticks * 65536 / TimeSpan.TicksPerSecond;
        return compact > uint.MaxValue ? uint.MaxValue : (uint)compact;
    }
}
