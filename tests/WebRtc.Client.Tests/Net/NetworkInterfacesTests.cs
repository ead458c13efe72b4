using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class NetworkInterfacesTests
{
    /// <summary>True inside the test namespace that build.sh makes: only lo, and it is up.</summary>
    private static bool OnlyLoopbackIsUp() =>
        NetworkInterface.GetAllNetworkInterfaces().All(n => n.NetworkInterfaceType == NetworkInterfaceType.Loopback);

    [Test]
    public void WithLoopback_ListsLoopbackAddresses()
    {
        var all = NetworkInterfaces.GetLocalAddresses(new LocalAddressOptions { IncludeLoopback = true });
        Assert.That(all.Select(a => a.Address), Does.Contain(IPAddress.Loopback));
        TestContext.Out.WriteLine(string.Join(", ", all));
        var lo = all.First(a => a.Address.Equals(IPAddress.Loopback));
        Assert.That(lo.IsLoopback, Is.True);
        Assert.That(lo.Type, Is.EqualTo(NetworkInterfaceType.Loopback));
        Assert.That(lo.InterfaceName, Is.Not.Empty);
        Assert.That(lo.InterfaceIndex, Is.GreaterThan(0));
        if (OnlyLoopbackIsUp())
        {
            Assert.That(all.Select(a => a.Address), Is.EquivalentTo(new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }));
        }
    }

    [Test]
    public void Default_ExcludesLoopbackAndLinkLocal()
    {
        var addresses = NetworkInterfaces.GetLocalAddresses(new LocalAddressOptions());
        Assert.That(addresses.Where(a => a.IsLoopback || IPAddress.IsLoopback(a.Address)), Is.Empty);
        Assert.That(addresses.Where(a => NetworkInterfaces.IsLinkLocal(a.Address)), Is.Empty);
        if (OnlyLoopbackIsUp())
        {
            Assert.That(addresses, Is.Empty);
        }
    }

    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(false, false)]
    public void FamilySwitches_AreHonoured(bool v4, bool v6)
    {
        var addresses = NetworkInterfaces.GetLocalAddresses(
            new LocalAddressOptions { IncludeIPv4 = v4, IncludeIPv6 = v6, IncludeLoopback = true, IncludeLinkLocal = true });
        if (!v4)
        {
            Assert.That(addresses.Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork), Is.Empty);
        }

        if (!v6)
        {
            Assert.That(addresses.Where(a => a.Address.AddressFamily == AddressFamily.InterNetworkV6), Is.Empty);
        }

        if (v4)
        {
            Assert.That(addresses.Select(a => a.Address), Does.Contain(IPAddress.Loopback));
        }
    }

    [Test]
    public void NoDuplicates()
    {
        var addresses = NetworkInterfaces.GetLocalAddresses(
            new LocalAddressOptions { IncludeLoopback = true, IncludeLinkLocal = true });
        Assert.That(addresses.Select(a => a.Address), Is.Unique);
    }

    [TestCase("169.254.1.2", true)]
    [TestCase("169.253.1.2", false)]
    [TestCase("10.0.0.1", false)]
    [TestCase("fe80::1", true)]
    [TestCase("febf::1", true)]
    [TestCase("fec0::1", false)]
    [TestCase("2001:db8::1", false)]
    public void IsLinkLocal(string address, bool expected) =>
        Assert.That(NetworkInterfaces.IsLinkLocal(IPAddress.Parse(address)), Is.EqualTo(expected));
}
