using System.Net;
using System.Net.Sockets;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Tests.Ice;

public class PriorityTests
{
    [Test]
    public void Type_preferences_are_the_recommended_ones()
    {
        // RFC 8445 §5.1.2.2: host 126, prflx 110, srflx 100, relay 0.
        Assert.Multiple(() =>
        {
            Assert.That(IcePriority.TypePreference(RTCIceCandidateType.Host), Is.EqualTo(126));
            Assert.That(IcePriority.TypePreference(RTCIceCandidateType.Prflx), Is.EqualTo(110));
            Assert.That(IcePriority.TypePreference(RTCIceCandidateType.Srflx), Is.EqualTo(100));
            Assert.That(IcePriority.TypePreference(RTCIceCandidateType.Relay), Is.Zero);
            Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.TypePreference((RTCIceCandidateType)42));
        });
    }

    // RFC 8445 §5.1.2.1: priority = 2^24*type pref + 2^8*local pref + (256 - component ID).
    [TestCase(RTCIceCandidateType.Host, 65535, 1, 2130706431u)]
    [TestCase(RTCIceCandidateType.Host, 65535, 2, 2130706430u)]
    [TestCase(RTCIceCandidateType.Srflx, 65535, 2, 1694498814u)]
    [TestCase(RTCIceCandidateType.Prflx, 0, 256, 1845493760u)]
    [TestCase(RTCIceCandidateType.Relay, 65535, 1, 16777215u)]
    [TestCase(RTCIceCandidateType.Relay, 0, 256, 0u)]
    public void Computes_candidate_priority(RTCIceCandidateType type, int localPreference, int component, uint expected) =>
        Assert.That(IcePriority.Compute(type, (ushort)localPreference, component), Is.EqualTo(expected));

    [Test]
    public void Candidate_priority_fits_the_rfc_range()
    {
        // RFC 8445 §5.1.2.1: between 1 and 2^31 - 1.
        Assert.That(IcePriority.Compute(RTCIceCandidateType.Host, ushort.MaxValue, 1), Is.LessThanOrEqualTo((uint)int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.Compute(RTCIceCandidateType.Host, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.Compute(RTCIceCandidateType.Host, 1, 257));
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.Compute((RTCIceCandidateType)4, 1, 1));
    }

    [Test]
    public void Local_preference_ranks_interfaces_then_ipv6_over_ipv4()
    {
        // RFC 8421 §4: prefer IPv6, and give every interface/family its own local preference.
        Assert.Multiple(() =>
        {
            Assert.That(IcePriority.LocalPreference(AddressFamily.InterNetworkV6, 0), Is.EqualTo(IcePriority.MaxLocalPreference));
            Assert.That(IcePriority.LocalPreference(AddressFamily.InterNetwork, 0), Is.EqualTo(65407));
            Assert.That(IcePriority.LocalPreference(AddressFamily.InterNetworkV6, 1),
                Is.LessThan(IcePriority.LocalPreference(AddressFamily.InterNetwork, 0)).And.GreaterThan(IcePriority.LocalPreference(AddressFamily.InterNetwork, 1)));
            Assert.That(IcePriority.LocalPreference(AddressFamily.InterNetwork, 1000), Is.EqualTo(IcePriority.LocalPreference(AddressFamily.InterNetwork, 255)));
            Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.LocalPreference(AddressFamily.InterNetwork, -1));
            Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.LocalPreference(AddressFamily.Unix, 0));
        });
        var all = new HashSet<ushort>();
        for (var i = 0; i <= 255; i++)
        {
            all.Add(IcePriority.LocalPreference(AddressFamily.InterNetwork, i));
            all.Add(IcePriority.LocalPreference(AddressFamily.InterNetworkV6, i));
        }
        Assert.That(all, Has.Count.EqualTo(512));
    }

    // RFC 8445 §6.1.2.3: pair priority = 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0).
    [TestCase(2130706431u, 1694498814u, (1694498814UL << 32) + (2UL * 2130706431) + 1)]
    [TestCase(1694498814u, 2130706431u, (1694498814UL << 32) + (2UL * 2130706431))]
    [TestCase(5u, 5u, (5UL << 32) + 10)]
    [TestCase(0u, 0u, 0UL)]
    [TestCase(2147483647u, 2147483647u, (2147483647UL << 32) + (2UL * 2147483647))]
    public void Computes_pair_priority(uint g, uint d, ulong expected) => Assert.That(IcePriority.PairPriority(g, d), Is.EqualTo(expected));

    [Test]
    public void Pair_priority_at_uint_max_saturates_instead_of_wrapping()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IcePriority.PairPriority(uint.MaxValue, 0), Is.EqualTo((2UL * uint.MaxValue) + 1));
            Assert.That(IcePriority.PairPriority(0, uint.MaxValue), Is.EqualTo(2UL * uint.MaxValue));
            // Exactly 2^64 - 1 and 2^64 - 2: the largest values that still fit.
            Assert.That(IcePriority.PairPriority(uint.MaxValue, uint.MaxValue - 1), Is.EqualTo(ulong.MaxValue));
            Assert.That(IcePriority.PairPriority(uint.MaxValue - 1, uint.MaxValue), Is.EqualTo(ulong.MaxValue - 1));
            // 2^64 + 2^32 - 2 does not fit: saturate, so it still sorts at the top.
            Assert.That(IcePriority.PairPriority(uint.MaxValue, uint.MaxValue), Is.EqualTo(ulong.MaxValue));
        });
    }

    [Test]
    public void Pair_priority_properties_hold_for_random_rfc_range_priorities()
    {
        var rng = new Random(8445);
        for (var i = 0; i < 10_000; i++)
        {
            var g = (uint)rng.Next(1, int.MaxValue);
            var d = rng.Next(4) == 0 ? g : (uint)rng.Next(1, int.MaxValue);
            var gd = IcePriority.PairPriority(g, d);
            var dg = IcePriority.PairPriority(d, g);
            // Symmetric up to the tie-break bit, set when the controlling side's candidate ranks higher.
            var expected = g > d ? dg + 1 : g < d ? dg - 1 : dg;
            Assert.That(gd, Is.EqualTo(expected));
            // Pairs rank by their weaker candidate first.
            var h = (uint)rng.Next(1, int.MaxValue);
            var k = (uint)rng.Next(1, int.MaxValue);
            if (Math.Min(g, d) < Math.Min(h, k))
            {
                Assert.That(gd, Is.LessThan(IcePriority.PairPriority(h, k)));
            }
        }
    }
}

public class IceFoundationTests
{
    private static readonly IPAddress Base = IPAddress.Parse("192.168.1.5");

    [Test]
    public void Same_inputs_give_the_same_foundation()
    {
        // RFC 8445 §5.1.1.3: same type, base IP, protocol and server => same foundation.
        var a = IceFoundation.Compute(RTCIceCandidateType.Srflx, Base, RTCIceProtocol.Udp, "stun:stun.example.org:3478");
        Assert.Multiple(() =>
        {
            Assert.That(IceFoundation.Compute(RTCIceCandidateType.Srflx, IPAddress.Parse("192.168.1.5"), RTCIceProtocol.Udp, "stun:stun.example.org:3478"), Is.EqualTo(a));
            Assert.That(IceFoundation.Compute(RTCIceCandidateType.Srflx, Base, RTCIceProtocol.Udp, "STUN:stun.EXAMPLE.org:3478"), Is.EqualTo(a));
            Assert.That(IceFoundation.Compute(RTCIceCandidateType.Srflx, Base.MapToIPv6(), RTCIceProtocol.Udp, "stun:stun.example.org:3478"), Is.EqualTo(a));
            Assert.That(IceFoundation.Compute(RTCIceCandidateType.Host, Base, RTCIceProtocol.Udp, null),
                Is.EqualTo(IceFoundation.Compute(RTCIceCandidateType.Host, Base, RTCIceProtocol.Udp, "")));
        });
    }

    [Test]
    public void Any_differing_part_gives_another_foundation()
    {
        var all = new[]
        {
            IceFoundation.Compute(RTCIceCandidateType.Host, Base, RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Srflx, Base, RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Prflx, Base, RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Relay, Base, RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Host, Base, RTCIceProtocol.Tcp, null),
            IceFoundation.Compute(RTCIceCandidateType.Host, IPAddress.Parse("192.168.1.6"), RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Host, IPAddress.Parse("2001:db8::5"), RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Host, IPAddress.Parse("fe80::1%1"), RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Host, IPAddress.Parse("fe80::1%2"), RTCIceProtocol.Udp, null),
            IceFoundation.Compute(RTCIceCandidateType.Srflx, Base, RTCIceProtocol.Udp, "stun:a.example:3478"),
            IceFoundation.Compute(RTCIceCandidateType.Srflx, Base, RTCIceProtocol.Udp, "stun:b.example:3478"),
            IceFoundation.Compute(RTCIceCandidateType.Relay, Base, RTCIceProtocol.Udp, "turn:a.example:3478"),
        };
        Assert.That(all.Distinct().Count(), Is.EqualTo(all.Length));
    }

    [Test]
    public void Foundation_is_short_ice_chars_and_stable_across_runs()
    {
        // RFC 8839 §5.1: foundation = 1*32ice-char. The value is pinned: it must not depend on the process (no string.GetHashCode).
        var f = IceFoundation.Compute(RTCIceCandidateType.Host, IPAddress.Loopback, RTCIceProtocol.Udp, null);
        Assert.That(f, Has.Length.InRange(1, 10));
        Assert.That(IceCredentials.IsIceChars(f), Is.True);
        Assert.That(f, Is.EqualTo(PinnedLoopbackHostUdp));
        Assert.That(RTCIceCandidate.TryParse($"candidate:{f} 1 udp 2130706431 127.0.0.1 5000 typ host", out _, out _), Is.True);
        Assert.Throws<ArgumentNullException>(() => IceFoundation.Compute(RTCIceCandidateType.Host, null!, RTCIceProtocol.Udp, null));
    }

    private const string PinnedLoopbackHostUdp = "3984846823";
}
