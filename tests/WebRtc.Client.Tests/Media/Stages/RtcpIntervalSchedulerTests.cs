using WebRtc.Client.Media.Stages;

namespace WebRtc.Client.Tests.Media.Stages;

public class RtcpIntervalSchedulerTests
{
    private const double Compensation = Math.E - 1.5;

    /// <summary>A Random whose NextDouble returns a fixed value.</summary>
    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Test]
    public void First_report_comes_after_half_the_minimum()
    {
        var start = S(100);
        // RFC 3550 §6.2: "the delay before sending the initial compound RTCP packet MAY be set to half the minimum delay".
        var low = new RtcpIntervalScheduler(S(1), start, new FixedRandom(0), compensateReconsideration: false);
        var high = new RtcpIntervalScheduler(S(1), start, new FixedRandom(0.999999), compensateReconsideration: false);
        Assert.That(low.NextDeadline - start, Is.EqualTo(S(0.25)));
        Assert.That((high.NextDeadline - start).TotalSeconds, Is.EqualTo(0.75).Within(1e-5));
    }

    [Test]
    public void Interval_is_randomized_and_compensated()
    {
        var scheduler = new RtcpIntervalScheduler(S(5), S(0), new FixedRandom(0.5));
        scheduler.OnSent(S(2));
        // RFC 3550 §6.3.1: T = Td × [0.5, 1.5) random, then divided by e - 3/2.
        Assert.That((scheduler.NextDeadline - S(2)).TotalSeconds, Is.EqualTo(5 / Compensation).Within(1e-6));
        Assert.That(scheduler.DeterministicInterval, Is.EqualTo(S(5)));
    }

    [Test]
    public void Seeded_schedulers_agree_and_stay_in_range()
    {
        var a = new RtcpIntervalScheduler(RtcpIntervalScheduler.VideoMinimumInterval, TimeSpan.Zero, new Random(42), compensateReconsideration: false);
        var b = new RtcpIntervalScheduler(RtcpIntervalScheduler.VideoMinimumInterval, TimeSpan.Zero, new Random(42), compensateReconsideration: false);
        var now = TimeSpan.Zero;
        double sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            Assert.That(a.NextDeadline, Is.EqualTo(b.NextDeadline));
            now = a.NextDeadline;
            Assert.That(a.IsDue(now - TimeSpan.FromTicks(1)), Is.False);
            Assert.That(a.IsDue(now), Is.True);
            a.OnSent(now);
            b.OnSent(now);
            double interval = (a.NextDeadline - now).TotalSeconds;
            Assert.That(interval, Is.InRange(0.5, 1.5));
            sum += interval;
        }

        Assert.That(sum / 1000, Is.EqualTo(1.0).Within(0.05));
    }

    [Test]
    public void Reduced_minimum_is_360_over_kbps()
    {
        // RFC 3550 §6.2: reduced minimum in seconds = 360 / session bandwidth in kbit/s.
        Assert.That(RtcpIntervalScheduler.ReducedMinimumInterval(360), Is.EqualTo(S(1)));
        Assert.That(RtcpIntervalScheduler.ReducedMinimumInterval(1000).TotalSeconds, Is.EqualTo(0.36).Within(1e-9));
    }

    [Test]
    public void Bandwidth_share_can_lengthen_the_interval()
    {
        var scheduler = new RtcpIntervalScheduler(S(1), S(0), new FixedRandom(0.5), compensateReconsideration: false)
        {
            RtcpBandwidth = 100, // bytes per second
            Members = 2,
            Senders = 1,
        };
        scheduler.OnSent(S(1), 1000);
        // RFC 3550 A.7: senders (1) > members/4, so all share the bandwidth: t = avg_rtcp_size × n / rtcp_bw = 1000 × 2 / 100.
        Assert.That(scheduler.DeterministicInterval, Is.EqualTo(S(20)));

        scheduler.Members = 10;
        scheduler.WeSent = true;
        scheduler.OnSent(S(2), 1000);
        // Senders (1) ≤ members/4: the sender gets a quarter of the bandwidth for itself: 1000 × 1 / 25.
        Assert.That(scheduler.DeterministicInterval, Is.EqualTo(S(40)));
    }

    [Test]
    public void Average_rtcp_size_follows_a_1_16_filter()
    {
        var scheduler = new RtcpIntervalScheduler(S(1), S(0), new FixedRandom(0.5));
        scheduler.OnSent(S(1), 160);
        scheduler.OnSent(S(2), 320);
        // RFC 3550 §6.3.3: avg_rtcp_size = 1/16 × packet_size + 15/16 × avg_rtcp_size.
        Assert.That(scheduler.AverageRtcpSize, Is.EqualTo(170));
    }

    [Test]
    public void Early_feedback_skips_one_regular_report()
    {
        var scheduler = new RtcpIntervalScheduler(S(1), S(0), new FixedRandom(0.5), compensateReconsideration: false);
        scheduler.OnSent(S(0.5));
        Assert.That(scheduler.NextDeadline, Is.EqualTo(S(1.5)));
        // RFC 4585 §3.5.2: after an early packet, allow_early = FALSE and tn = tp + 2·T_rr.
        Assert.That(scheduler.TrySendEarly(S(0.7)), Is.True);
        Assert.That(scheduler.NextDeadline, Is.EqualTo(S(2.5)));
        Assert.That(scheduler.TrySendEarly(S(0.8)), Is.False);
        scheduler.OnSent(S(2.5));
        Assert.That(scheduler.TrySendEarly(S(2.6)), Is.True);
    }
}
