using WebRtc.Client.Stun;

namespace WebRtc.Client.Tests.Stun;

/// <summary>The sans-IO retransmission schedule (RFC 8489 §6.2.1).</summary>
public class StunRetransmitTimerTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    /// <summary>Runs the timer polling exactly at each deadline; returns send times and the timeout time.</summary>
    private static (List<double> Sends, double TimeoutAt) Run(StunRetransmitPolicy policy)
    {
        var timer = new StunRetransmitTimer(policy, TimeSpan.Zero);
        var sends = new List<double> { 0 };
        while (true)
        {
            TimeSpan deadline = timer.Deadline;
            Assert.That(timer.Poll(deadline - Ms(1)), Is.EqualTo(StunTimerAction.None), "nothing before the deadline");
            var action = timer.Poll(deadline);
            if (action == StunTimerAction.TimedOut)
            {
                Assert.That(timer.IsExpired, Is.True);
                Assert.That(timer.Poll(deadline + Ms(100_000)), Is.EqualTo(StunTimerAction.None));
                Assert.That(timer.RequestsSent, Is.EqualTo(policy.MaxRequests));
                return (sends, deadline.TotalMilliseconds);
            }

            Assert.That(action, Is.EqualTo(StunTimerAction.Retransmit));
            sends.Add(deadline.TotalMilliseconds);
            Assert.That(timer.RequestsSent, Is.EqualTo(sends.Count));
        }
    }

    // RFC 8489 §6.2.1: RTO 500 ms, Rc 7, Rm 16: requests at 0, 500, 1500, 3500, 7500, 15500, 31500 ms; timeout at 39500 ms.
    [Test]
    public void DefaultPolicy_FollowsRfcSchedule()
    {
        var (sends, timeoutAt) = Run(StunRetransmitPolicy.Default);
        Assert.That(sends, Is.EqualTo(new double[] { 0, 500, 1500, 3500, 7500, 15500, 31500 }));
        Assert.That(timeoutAt, Is.EqualTo(39500));
    }

    // RFC 8489 §6.2.1: with Rc = 1 the only request is followed by the Rm × RTO wait.
    [Test]
    public void SingleRequest_WaitsRmTimesRto()
    {
        var (sends, timeoutAt) = Run(new StunRetransmitPolicy(Ms(100), 1, 16));
        Assert.That(sends, Is.EqualTo(new double[] { 0 }));
        Assert.That(timeoutAt, Is.EqualTo(1600));
    }

    [Test]
    public void CustomPolicies()
    {
        var (sends, timeoutAt) = Run(new StunRetransmitPolicy(Ms(100), 3, 4));
        Assert.That(sends, Is.EqualTo(new double[] { 0, 100, 300 }));
        Assert.That(timeoutAt, Is.EqualTo(700));

        (sends, timeoutAt) = Run(new StunRetransmitPolicy(Ms(250), 2, 1));
        Assert.That(sends, Is.EqualTo(new double[] { 0, 250 }));
        Assert.That(timeoutAt, Is.EqualTo(500));
    }

    // A late poll does not shift the later deadlines: they stay on the RFC timeline.
    [Test]
    public void LatePoll_DoesNotDrift()
    {
        var timer = new StunRetransmitTimer(StunRetransmitPolicy.Default, Ms(1000));
        Assert.That(timer.Deadline, Is.EqualTo(Ms(1500)));
        Assert.That(timer.Poll(Ms(1730)), Is.EqualTo(StunTimerAction.Retransmit));
        Assert.That(timer.Deadline, Is.EqualTo(Ms(2500)));
    }

    [Test]
    public void InvalidPolicies_Throw()
    {
        Assert.That(() => new StunRetransmitTimer(null!, TimeSpan.Zero), Throws.ArgumentNullException);
        Assert.That(() => new StunRetransmitTimer(new StunRetransmitPolicy(TimeSpan.Zero, 7, 16), TimeSpan.Zero), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new StunRetransmitTimer(new StunRetransmitPolicy(Ms(500), 0, 16), TimeSpan.Zero), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new StunRetransmitTimer(new StunRetransmitPolicy(Ms(500), 7, 0), TimeSpan.Zero), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
