using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Rtp;

public class RtpSequenceTests
{
    [TestCase((ushort)1, (ushort)0, true)]
    [TestCase((ushort)0, (ushort)65535, true)]
    [TestCase((ushort)65535, (ushort)0, false)]
    [TestCase((ushort)5, (ushort)5, false)]
    [TestCase((ushort)0x8000, (ushort)0, true)]
    [TestCase((ushort)0, (ushort)0x8000, false)]
    public void Newer_than_survives_wrap(ushort a, ushort b, bool newer)
    {
        Assert.That(RtpSequence.IsNewer(a, b), Is.EqualTo(newer));
    }

    [Test]
    public void Timestamps_wrap_too()
    {
        Assert.That(RtpSequence.IsNewerTimestamp(10, uint.MaxValue - 10), Is.True);
        Assert.That(RtpSequence.IsNewerTimestamp(uint.MaxValue - 10, 10), Is.False);
        var unwrapper = new RtpTimestampUnwrapper();
        Assert.That(unwrapper.Unwrap(uint.MaxValue - 100), Is.EqualTo(uint.MaxValue - 100L));
        Assert.That(unwrapper.Unwrap(50), Is.EqualTo((1L << 32) + 50));
        Assert.That(unwrapper.Unwrap(uint.MaxValue - 200), Is.EqualTo(uint.MaxValue - 200L));
    }

    [Test]
    public void Unwrapper_extends_across_several_cycles_with_reordering()
    {
        var unwrapper = new RtpSequenceUnwrapper();
        long expected = 65000;
        Assert.That(unwrapper.Unwrap(65000), Is.EqualTo(65000));
        for (int i = 0; i < 200_000; i++)
        {
            expected++;
            Assert.That(unwrapper.Unwrap((ushort)expected), Is.EqualTo(expected));
            if (i % 97 == 0)
            {
                // A late packet maps behind, without moving the highest.
                Assert.That(unwrapper.Unwrap((ushort)(expected - 30)), Is.EqualTo(expected - 30));
                Assert.That(unwrapper.Highest, Is.EqualTo(expected));
            }
        }
    }

    [Test]
    public void Ntp_conversion_round_trips()
    {
        var time = new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc).AddTicks(4567);
        var ntp = NtpTime.FromDateTime(time);
        // RFC 5905 §6: 2024 is 3923942400 + ... seconds after 1900; check the 1970 offset instead.
        Assert.That(NtpTime.FromDateTime(DateTime.UnixEpoch).Seconds, Is.EqualTo(2208988800u));
        Assert.That(Math.Abs((ntp.ToDateTime() - time).Ticks), Is.LessThanOrEqualTo(1));
        Assert.That(NtpTime.CompactToTimeSpan(0x00018000), Is.EqualTo(TimeSpan.FromSeconds(1.5)));
        Assert.That(NtpTime.TimeSpanToCompact(TimeSpan.FromSeconds(1.5)), Is.EqualTo(0x00018000u));
        Assert.That(new NtpTime(0x1122334455667788).Compact, Is.EqualTo(0x33445566u));
    }
}
