using System.Net;
using System.Net.Sockets;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

/// <summary>Every socket the Net layer opens comes from the SocketFactory when one is given.</summary>
[TestFixture]
public class SocketFactoryTests
{
    [Test]
    public void UdpSocket_BindAndBindInRange_UseTheFactory()
    {
        var factory = new CountingFactory();
        using var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), socketFactory: factory.Create);
        using var b = UdpSocket.BindInRange(IPAddress.IPv6Loopback, 47200, 47210, socketFactory: factory.Create);
        Assert.That(factory.Calls, Is.EqualTo(new[]
        {
            (AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp),
            (AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp),
        }));
        Assert.That(factory.Sockets[0].LocalEndPoint, Is.EqualTo(a.LocalEndPoint));
    }

    [Test]
    public void UdpSocket_BindInRange_AsksTheFactoryForEachPortTried()
    {
        const int Min = 47220, Max = 47221;
        using var first = UdpSocket.BindInRange(IPAddress.Loopback, Min, Max);
        var factory = new CountingFactory();
        using var second = UdpSocket.BindInRange(IPAddress.Loopback, Min, Max, socketFactory: factory.Create);
        Assert.That(factory.Calls, Has.Count.InRange(1, 2));
        Assert.That(factory.Sockets[^1].LocalEndPoint, Is.EqualTo(second.LocalEndPoint));
    }

    [Test]
    public async Task TcpListenerSocket_BindAndBindInRange_UseTheFactory()
    {
        var factory = new CountingFactory();
        await using var a = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), socketFactory: factory.Create);
        await using var b = TcpListenerSocket.BindInRange(IPAddress.IPv6Loopback, 47230, 47240, socketFactory: factory.Create);
        Assert.That(factory.Calls, Is.EqualTo(new[]
        {
            (AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp),
            (AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp),
        }));
        Assert.That(b.LocalEndPoint.Address, Is.EqualTo(IPAddress.IPv6Loopback));
    }

    [Test]
    public void FactoryReturningNull_ThrowsClearly()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), socketFactory: (_, _, _) => null!));
        Assert.That(ex!.Message, Does.Contain("SocketFactory"));
    }
}
