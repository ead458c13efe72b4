using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class TcpListenerSocketTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TcpConnectionOptions Options = new() { Framing = TcpFraming.Rfc4571 };

    [Test]
    public async Task MaxPendingConnections_ExtraConnectionsAreClosed_UntilOneEnds()
    {
        await using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.MaxPendingConnections = 2;
        var accepted = Channel.CreateUnbounded<FramedTcpConnection>();
        listener.Start(Options, c => accepted.Writer.TryWrite(c));

        await using var c1 = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, Options);
        await using var s1 = await accepted.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        await using var c2 = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, Options);
        await using var s2 = await accepted.Reader.ReadAsync().AsTask().WaitAsync(Wait);

        // The kernel completes the third handshake; the listener then closes it at once.
        await using var c3 = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, Options);
        var closed3 = new ClosedRecorder(c3);
        c3.Start((_, _) => { });
        await closed3.First.WaitAsync(Wait);
        Assert.That(listener.ConnectionsRefused, Is.EqualTo(1));
        Assert.That(listener.LiveConnections, Is.EqualTo(2));
        Assert.That(c1.IsConnected && c2.IsConnected, Is.True);

        await s1.DisposeAsync();
        Assert.That(listener.LiveConnections, Is.EqualTo(1));
        await using var c4 = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, Options);
        await using var s4 = await accepted.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.That(s4.RemoteEndPoint, Is.EqualTo(c4.LocalEndPoint));
        Assert.That(listener.ConnectionsAccepted, Is.EqualTo(3));
        Assert.That(listener.LiveConnections, Is.EqualTo(2));
    }

    [Test]
    public async Task ThrowingAcceptCallback_ClosesThatConnection_AndTheLoopGoesOn()
    {
        await using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var second = new TaskCompletionSource<FramedTcpConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        listener.Start(Options, c =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("owner bug");
            }

            second.TrySetResult(c);
        });

        await using var c1 = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, Options);
        var closed1 = new ClosedRecorder(c1);
        c1.Start((_, _) => { });
        await closed1.First.WaitAsync(Wait);

        await using var c2 = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, Options);
        await using var s2 = await second.Task.WaitAsync(Wait);
        Assert.That(s2.IsConnected, Is.True);
        Assert.That(listener.LiveConnections, Is.EqualTo(1));
    }

    [Test]
    public async Task Dispose_StopsAccepting_ButLeavesAcceptedConnectionsOpen()
    {
        var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var accepted = new TaskCompletionSource<FramedTcpConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Start(Options, c => accepted.TrySetResult(c));
        await using var client = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, Options);
        await using var server = await accepted.Task.WaitAsync(Wait);
        var endPoint = listener.LocalEndPoint;

        await listener.DisposeAsync();
        Assert.That(server.IsConnected, Is.True);
        var got = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Start((_, f) => got.TrySetResult(f.ToArray()));
        Assert.That(client.TrySend([7, 8]), Is.True);
        Assert.That(await got.Task.WaitAsync(Wait), Is.EqualTo(new byte[] { 7, 8 }));

        var ex = await Assert.ThrowsAsync<SocketException>(() => FramedTcpConnection.ConnectAsync(endPoint, Options));
        Assert.That(ex!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
    }

    [Test]
    public void Start_Twice_Throws()
    {
        using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Start(Options, _ => { });
        Assert.Throws<InvalidOperationException>(() => listener.Start(Options, _ => { }));
    }

    [Test]
    public void BindInRange_PicksFreePortsInRange()
    {
        const int Min = 47100, Max = 47103;
        using var a = TcpListenerSocket.BindInRange(IPAddress.Loopback, Min, Max);
        using var b = TcpListenerSocket.BindInRange(IPAddress.Loopback, Min, Max);
        Assert.That(a.LocalEndPoint.Port, Is.InRange(Min, Max));
        Assert.That(b.LocalEndPoint.Port, Is.InRange(Min, Max));
        Assert.That(b.LocalEndPoint.Port, Is.Not.EqualTo(a.LocalEndPoint.Port));
    }

    [Test]
    public void BindInRange_Exhausted_ThrowsClearly()
    {
        const int Min = 47110, Max = 47112;
        var taken = new List<TcpListenerSocket>();
        try
        {
            for (int i = 0; i <= Max - Min; i++)
            {
                taken.Add(TcpListenerSocket.BindInRange(IPAddress.Loopback, Min, Max));
            }

            var ex = Assert.Throws<InvalidOperationException>(() => TcpListenerSocket.BindInRange(IPAddress.Loopback, Min, Max));
            Assert.That(ex!.Message, Does.Contain("47110-47112"));
        }
        finally
        {
            taken.ForEach(l => l.Dispose());
        }
    }

    [TestCase(0, 10)]
    [TestCase(10, 65536)]
    [TestCase(20, 10)]
    public void BindInRange_BadRange_Throws(int min, int max) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TcpListenerSocket.BindInRange(IPAddress.Loopback, min, max));

    [Test]
    public void MaxPendingConnections_MustBePositive()
    {
        using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => listener.MaxPendingConnections = 0);
    }
}
