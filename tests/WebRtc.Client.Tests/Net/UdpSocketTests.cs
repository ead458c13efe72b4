using System.Net;
using System.Net.Sockets;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class UdpSocketTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static IEnumerable<IPAddress> LoopbackAddresses()
    {
        yield return IPAddress.Loopback;
        yield return IPAddress.IPv6Loopback;
    }

    [TestCaseSource(nameof(LoopbackAddresses))]
    public async Task TwoSockets_ExchangeDatagrams(IPAddress loopback)
    {
        await using var a = UdpSocket.Bind(new IPEndPoint(loopback, 0));
        await using var b = UdpSocket.Bind(new IPEndPoint(loopback, 0));
        Assert.That(a.LocalEndPoint.Port, Is.Not.Zero);
        Assert.That(a.LocalEndPoint.Address, Is.EqualTo(loopback));

        var atB = new TaskCompletionSource<(byte[] Data, IPEndPoint From)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var atA = new TaskCompletionSource<(byte[] Data, IPEndPoint From)>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Start((s, d, r) =>
        {
            atB.TrySetResult((d.ToArray(), r));
            s.TrySend("pong"u8, r); // reply from inside the handler, as STUN responses do
        });
        a.Start((_, d, r) => atA.TrySetResult((d.ToArray(), r)));

        Assert.That(a.TrySend("ping"u8, b.LocalEndPoint), Is.True);

        var (dataB, fromB) = await atB.Task.WaitAsync(Wait);
        Assert.That(dataB, Is.EqualTo("ping"u8.ToArray()));
        Assert.That(fromB, Is.EqualTo(a.LocalEndPoint));

        var (dataA, fromA) = await atA.Task.WaitAsync(Wait);
        Assert.That(dataA, Is.EqualTo("pong"u8.ToArray()));
        Assert.That(fromA, Is.EqualTo(b.LocalEndPoint));

        Assert.That(a.DatagramsSent, Is.EqualTo(1));
        Assert.That(a.BytesSent, Is.EqualTo(4));
        Assert.That(a.DatagramsReceived, Is.EqualTo(1));
        Assert.That(b.BytesReceived, Is.EqualTo(4));
    }

    [Test]
    public async Task SameRemote_YieldsCachedEndPoint()
    {
        await using var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var b = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var remotes = new List<IPEndPoint>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Start((_, _, r) =>
        {
            remotes.Add(r);
            if (remotes.Count == 3)
            {
                done.TrySetResult();
            }
        });

        for (int i = 0; i < 3; i++)
        {
            Assert.That(a.TrySend([(byte)i], b.LocalEndPoint), Is.True);
        }

        await done.Task.WaitAsync(Wait);
        Assert.That(remotes[1], Is.SameAs(remotes[0]));
        Assert.That(remotes[2], Is.SameAs(remotes[0]));
    }

    [TestCaseSource(nameof(LoopbackAddresses))]
    public async Task ReceiveLoop_SurvivesIcmpUnreachable(IPAddress loopback)
    {
        // A port that was bound and then closed: sends to it draw ICMP port unreachable.
        int closedPort;
        using (var probe = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        await using var a = UdpSocket.Bind(new IPEndPoint(loopback, 0));
        await using var b = UdpSocket.Bind(new IPEndPoint(loopback, 0));
        bool errorsReported = false;
        if (OperatingSystem.IsLinux())
        {
            // Linux reports ICMP errors on unconnected UDP sockets only with IP_RECVERR /
            // IPV6_RECVERR; turn it on so the receive loop really meets ConnectionRefused.
            // (Windows reports them by default; UdpSocket turns SIO_UDP_CONNRESET off there.)
            bool v6 = loopback.AddressFamily == AddressFamily.InterNetworkV6;
            a.Socket.SetRawSocketOption(v6 ? 41 : 0, v6 ? 25 : 11, BitConverter.GetBytes(1));
            errorsReported = true;
        }

        var got = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Start((_, d, _) => got.TrySetResult(d.ToArray()));

        var closed = new IPEndPoint(loopback, closedPort);
        for (int i = 0; i < 5; i++)
        {
            a.TrySend("nobody home"u8, closed); // may succeed or fail; must not throw
        }

        if (errorsReported)
        {
            // Wait until the loop has met at least one error, so "still alive" comes after it.
            var deadline = DateTime.UtcNow + Wait;
            while (a.ReceiveErrors == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.That(a.ReceiveErrors, Is.GreaterThan(0), "IP_RECVERR is on: the loop should have seen ICMP errors");
        }

        Assert.That(b.TrySend("still alive"u8, a.LocalEndPoint), Is.True);
        Assert.That(await got.Task.WaitAsync(Wait), Is.EqualTo("still alive"u8.ToArray()));
    }

    [Test]
    public async Task ThrowingHandler_DoesNotKillLoop()
    {
        await using var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var b = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var second = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        b.Start((_, d, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("handler bug");
            }

            second.TrySetResult(d.ToArray());
        });

        Assert.That(a.TrySend("one"u8, b.LocalEndPoint), Is.True);
        Assert.That(a.TrySend("two"u8, b.LocalEndPoint), Is.True);
        Assert.That(await second.Task.WaitAsync(Wait), Is.EqualTo("two"u8.ToArray()));
    }

    [Test]
    public async Task DisposeAsync_EndsLoop_WithoutUnobservedExceptions()
    {
        int unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, _) => Interlocked.Increment(ref unobserved);
        TaskScheduler.UnobservedTaskException += onUnobserved;
        try
        {
            var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var b = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            a.Start((_, _, _) => got.TrySetResult());
            Assert.That(b.TrySend("x"u8, a.LocalEndPoint), Is.True);
            await got.Task.WaitAsync(Wait);

            // Completes only once the loop has ended; a loop that died with an exception would throw here.
            await a.DisposeAsync().AsTask().WaitAsync(Wait);
            await a.DisposeAsync(); // idempotent

            Assert.That(a.TrySend("x"u8, b.LocalEndPoint), Is.False);
            Assert.That(a.SendErrors, Is.EqualTo(1));
            Assert.That(b.TrySend("late"u8, a.LocalEndPoint), Is.True.Or.False); // must not throw
            b.Dispose();
            Assert.Throws<ObjectDisposedException>(() => b.Start((_, _, _) => { }));

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.That(Volatile.Read(ref unobserved), Is.Zero);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }
    }

    [Test]
    public async Task Dispose_FromInsideHandler_EndsLoop()
    {
        var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var b = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Start((s, _, _) =>
        {
            // Must not deadlock: DisposeAsync does not wait for the loop it is called from.
            s.DisposeAsync().AsTask().GetAwaiter().GetResult();
            disposed.TrySetResult();
        });
        Assert.That(b.TrySend("x"u8, a.LocalEndPoint), Is.True);
        await disposed.Task.WaitAsync(Wait);
        await a.DisposeAsync().AsTask().WaitAsync(Wait);
    }

    [Test]
    public void Start_Twice_Throws()
    {
        using var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        a.Start((_, _, _) => { });
        Assert.Throws<InvalidOperationException>(() => a.Start((_, _, _) => { }));
    }

    [Test]
    public void TrySend_ToOtherFamily_ReturnsFalse()
    {
        using var v4 = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var v6 = UdpSocket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        Assert.That(v4.TrySend("x"u8, new IPEndPoint(IPAddress.IPv6Loopback, v6.LocalEndPoint.Port)), Is.False);
        Assert.That(v6.TrySend("x"u8, new IPEndPoint(IPAddress.Loopback, v4.LocalEndPoint.Port)), Is.False);

        // IPv6 sockets are IPv6-only: a v4-mapped destination is refused too (by the OS).
        Assert.That(v6.TrySend("x"u8, new IPEndPoint(IPAddress.Loopback.MapToIPv6(), v4.LocalEndPoint.Port)), Is.False);
        Assert.That(v4.SendErrors, Is.EqualTo(1));
        Assert.That(v6.SendErrors, Is.EqualTo(2));
    }

    [Test]
    public void TrySend_Oversized_ReturnsFalse()
    {
        using var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.That(a.TrySend(new byte[70000], a.LocalEndPoint), Is.False);
    }

    [Test]
    public void BindInRange_PicksPortInRange()
    {
        const int Min = 41000, Max = 41063;
        using var a = UdpSocket.BindInRange(IPAddress.Loopback, Min, Max);
        using var b = UdpSocket.BindInRange(IPAddress.Loopback, Min, Max);
        Assert.That(a.LocalEndPoint.Port, Is.InRange(Min, Max));
        Assert.That(b.LocalEndPoint.Port, Is.InRange(Min, Max));
        Assert.That(b.LocalEndPoint.Port, Is.Not.EqualTo(a.LocalEndPoint.Port));
    }

    [Test]
    public void BindInRange_Exhausted_ThrowsClearly()
    {
        const int Min = 41100, Max = 41103;
        var taken = new List<UdpSocket>();
        try
        {
            // Take ports until the range is exhausted (on a shared host, others may hold some).
            InvalidOperationException? exhausted = null;
            for (int i = Min; i <= Max + 1 && exhausted is null; i++)
            {
                try
                {
                    taken.Add(UdpSocket.BindInRange(IPAddress.Loopback, Min, Max));
                }
                catch (InvalidOperationException ex)
                {
                    exhausted = ex;
                }
            }

            Assert.That(exhausted, Is.Not.Null, "a full range must throw");
            Assert.That(exhausted!.Message, Does.Contain("41100-41103"));
            Assert.That(exhausted.InnerException, Is.InstanceOf<SocketException>());
            Assert.That(taken.Select(s => s.LocalEndPoint.Port), Is.Unique.And.All.InRange(Min, Max));
            Assert.That(taken, Has.Count.LessThanOrEqualTo(Max - Min + 1));
        }
        finally
        {
            taken.ForEach(s => s.Dispose());
        }
    }

    [TestCase(0, 10)]
    [TestCase(10, 9)]
    [TestCase(1, 65536)]
    public void BindInRange_BadRange_Throws(int min, int max) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => UdpSocket.BindInRange(IPAddress.Loopback, min, max));

    [Test]
    public async Task Receive_DoesNotAllocatePerDatagram()
    {
        // What is measured: bytes allocated by the whole process (all threads, precise) while
        // 10,000 datagrams from one already-cached remote go through the receive loop. The
        // sender uses a plain Socket with a cached SocketAddress and allocates nothing itself.
        // The figure also catches unrelated background work in the test process (thread-pool
        // thread injection, timers and sockets left over by earlier tests, the test host), which
        // now and then adds ~100 KB. So: up to 3 runs, and the best must stay under 2 B per
        // datagram (20 KB). A real per-datagram allocation costs at least 24 B (the smallest
        // object), i.e. >= 240 KB per run, and fails every run. Locally a run measures ~0-5 KB.
        const int Count = 10_000;
        const int Warmup = 100;
        await using var receiver = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = receiver.LocalEndPoint.Serialize();

        long received = 0;
        long goal = Warmup;
        TaskCompletionSource reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Start((_, _, _) =>
        {
            if (++received == Volatile.Read(ref goal))
            {
                Volatile.Read(ref reached).TrySetResult();
            }
        });

        byte[] payload = new byte[100];
        for (int i = 0; i < Warmup; i++)
        {
            sender.SendTo(payload, SocketFlags.None, target);
        }

        await reached.Task.WaitAsync(Wait);

        var growths = new List<long>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long start = Volatile.Read(ref received);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref reached, done);
            Volatile.Write(ref goal, start + Count);

            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Count; i++)
            {
                sender.SendTo(payload, SocketFlags.None, target);
                if ((i & 63) == 63)
                {
                    // Pace so the kernel receive queue never overflows and drops.
                    while (Volatile.Read(ref received) < start + i - 256)
                    {
                        Thread.Yield();
                    }
                }
            }

            await done.Task.WaitAsync(Wait);
            long growth = GC.GetTotalAllocatedBytes(precise: true) - before;
            growths.Add(growth);
            TestContext.Out.WriteLine($"run {attempt}: {growth} B over {Count} datagrams ({(double)growth / Count:F2} B/datagram)");
            if (growth < 2 * Count)
            {
                break;
            }
        }

        Assert.That(growths.Min(), Is.LessThan(2 * Count), "the receive path allocates per datagram");
    }

    [Test]
    public void TrySend_DoesNotAllocatePerCall()
    {
        using var a = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var remote = (IPEndPoint)sink.LocalEndPoint!;
        byte[] payload = new byte[100];
        a.TrySend(payload, remote); // populate the cache

        // Same thread, nothing else involved: this one can be exact.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            a.TrySend(payload, remote);
        }

        long growth = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(growth, Is.Zero);
    }
}
