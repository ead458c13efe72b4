using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class FramedTcpConnectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static IEnumerable<TestCaseData> FramingsAndAddresses()
    {
        yield return new TestCaseData(TcpFraming.Rfc4571, IPAddress.Loopback);
        yield return new TestCaseData(TcpFraming.Stun, IPAddress.Loopback);
        yield return new TestCaseData(TcpFraming.Rfc4571, IPAddress.IPv6Loopback);
        yield return new TestCaseData(TcpFraming.Stun, IPAddress.IPv6Loopback);
    }

    [TestCaseSource(nameof(FramingsAndAddresses))]
    public async Task ManyFrames_BothWays_ArriveInOrderAndIntact(TcpFraming framing, IPAddress loopback)
    {
        const int Count = 10_000;

        // A queue limit above what is sent: this test is about order and content, not drops.
        var options = new TcpConnectionOptions { Framing = framing, SendQueueLimit = 64 << 20 };
        await using var pair = await TcpPair.ConnectAsync(options, options, loopback);
        Assert.That(pair.Client.RemoteEndPoint, Is.EqualTo(pair.Listener.LocalEndPoint));
        Assert.That(pair.Server.RemoteEndPoint, Is.EqualTo(pair.Client.LocalEndPoint));

        // Random sizes up to 1500; the few empty RFC 4571 frames are sent and skipped by the peer.
        var rng = new Random(42);
        var toServer = Enumerable.Range(0, Count).Select(_ => TcpStreams.RandomFrame(framing, rng, 1500)).ToList();
        var toClient = Enumerable.Range(0, Count).Select(_ => TcpStreams.RandomFrame(framing, rng, 1500)).ToList();
        var expectedAtServer = toServer.Select(f => f.Delivered).Where(f => f.Length > 0).ToList();
        var expectedAtClient = toClient.Select(f => f.Delivered).Where(f => f.Length > 0).ToList();
        var atServer = new FrameCollector(expectedAtServer.Count);
        var atClient = new FrameCollector(expectedAtClient.Count);
        pair.Server.Start(atServer.Handler);
        pair.Client.Start(atClient.Handler);

        var sendToServer = Task.Run(() => toServer.All(f => pair.Client.TrySend(SendForm(framing, f))));
        var sendToClient = Task.Run(() => toClient.All(f => pair.Server.TrySend(SendForm(framing, f))));
        Assert.That(await sendToServer, Is.True);
        Assert.That(await sendToClient, Is.True);

        await atServer.Done.WaitAsync(Wait);
        await atClient.Done.WaitAsync(Wait);
        TcpStreams.AssertSameFrames(atServer.Frames, expectedAtServer, "client to server");
        TcpStreams.AssertSameFrames(atClient.Frames, expectedAtClient, "server to client");
        Assert.That(pair.Server.FramesReceived, Is.EqualTo(expectedAtServer.Count));
        Assert.That(pair.Client.FramesDropped, Is.Zero);

        // The counters move when a write completes, which may be just after the peer has read it.
        await WaitUntilAsync(() => pair.Client.FramesSent == Count && pair.Client.BytesSent == pair.Server.BytesReceived);
    }

    [TestCase(TcpFraming.Rfc4571)]
    [TestCase(TcpFraming.Stun)]
    public async Task TrySend_FromSeveralThreads_FramesNeverInterleave(TcpFraming framing)
    {
        const int Threads = 4;
        const int PerThread = 3000;
        var options = new TcpConnectionOptions { Framing = framing, SendQueueLimit = 64 << 20 };
        await using var pair = await TcpPair.ConnectAsync(options, options);

        // Each frame names its thread and sequence number and fills the rest with a byte derived
        // from both, so a torn or interleaved frame cannot pass the check.
        var next = new int[Threads];
        var errors = new ConcurrentQueue<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int received = 0;
        pair.Server.Start((_, frame) =>
        {
            int offset = framing == TcpFraming.Stun ? 4 : 0;
            int thread = frame[offset];
            int seq = BinaryPrimitives.ReadInt32BigEndian(frame[(offset + 1)..]);
            byte fill = (byte)(thread * 31 + seq);
            if (thread >= Threads || seq != next[thread] || frame[(offset + 5)..].ContainsAnyExcept(fill))
            {
                errors.Enqueue($"bad frame: thread {thread}, seq {seq}, length {frame.Length}");
            }
            else
            {
                next[thread]++;
            }

            if (++received == Threads * PerThread)
            {
                done.TrySetResult();
            }
        });

        using var start = new Barrier(Threads);
        var senders = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                var rng = new Random(t);
                start.SignalAndWait();
                for (int seq = 0; seq < PerThread; seq++)
                {
                    var frame = new byte[framing == TcpFraming.Stun ? 4 * rng.Next(3, 400) : rng.Next(5, 1500)];
                    int offset = 0;
                    if (framing == TcpFraming.Stun)
                    {
                        // ChannelData, already a multiple of 4 so no padding is needed.
                        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x4000);
                        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)(frame.Length - 4));
                        offset = 4;
                    }

                    frame[offset] = (byte)t;
                    BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(offset + 1), seq);
                    frame.AsSpan(offset + 5).Fill((byte)(t * 31 + seq));
                    if (!pair.Client.TrySend(frame))
                    {
                        return false;
                    }
                }

                return true;
            },
            TaskCreationOptions.LongRunning)).ToArray();

        Assert.That(await Task.WhenAll(senders), Is.All.True);
        await done.Task.WaitAsync(Wait);
        Assert.That(errors, Is.Empty);
        Assert.That(next, Is.All.EqualTo(PerThread));
    }

    [TestCase(TcpFraming.Rfc4571)]
    [TestCase(TcpFraming.Stun)]
    public async Task SendAndReceive_DoNotAllocatePerFrame(TcpFraming framing)
    {
        // Process-wide bytes allocated while 10,000 frames go from TrySend through the writer
        // loop and the socket to the peer's handler (as UdpSocketTests does it: background work
        // in the test process now and then adds ~100 KB, so the best of 3 runs counts). A real
        // per-frame allocation costs at least 24 B, i.e. >= 240 KB per run, and fails every run.
        const int Count = 10_000;
        var options = new TcpConnectionOptions { Framing = framing, SendQueueLimit = 64 << 20 };
        await using var pair = await TcpPair.ConnectAsync(options, options);
        long received = 0;
        long goal = 100;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Start((_, _) =>
        {
            if (++received == Volatile.Read(ref goal))
            {
                Volatile.Read(ref reached).TrySetResult();
            }
        });

        byte[] frame = TcpFrameReaderTests.ChannelData(0x4000, 96, fill: 1);
        for (int i = 0; i < 100; i++)
        {
            pair.Client.TrySend(frame);
        }

        await reached.Task.WaitAsync(Wait);
        var growths = new List<long>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref reached, done);
            Volatile.Write(ref goal, Volatile.Read(ref received) + Count);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Count; i++)
            {
                pair.Client.TrySend(frame);

                // Now and then a pause, so that the writer loop also goes idle and wakes up.
                if (i % 500 == 0)
                {
                    Thread.Sleep(1);
                }
            }

            await done.Task.WaitAsync(Wait);
            growths.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
            TestContext.Out.WriteLine($"run {attempt}: {growths[^1]} B over {Count} frames");
            if (growths[^1] < Count * 2)
            {
                break;
            }
        }

        Assert.That(growths.Min(), Is.LessThan(Count * 2), "bytes allocated per 10,000 frames");
    }

    [Test]
    public async Task SendQueueLimit_PeerNotReading_TrySendReturnsFalseAndDropsWholeFrames()
    {
        var clientOptions = new TcpConnectionOptions { Framing = TcpFraming.Rfc4571, SendQueueLimit = 256 * 1024 };
        var serverOptions = new TcpConnectionOptions { Framing = TcpFraming.Rfc4571 };
        await using var pair = await TcpPair.ConnectAsync(clientOptions, serverOptions);

        // The server does not read, so the kernel buffers fill, then the queue, then TrySend says no.
        var frame = new byte[1400];
        int accepted = 0;
        bool refused = false;
        for (int i = 0; i < 1_000_000 && !refused; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(frame, accepted);
            if (pair.Client.TrySend(frame))
            {
                accepted++;
            }
            else
            {
                refused = true;
            }
        }

        Assert.That(refused, Is.True, "TrySend never returned false");
        Assert.That(pair.Client.FramesDropped, Is.EqualTo(1));
        Assert.That(pair.Client.IsConnected, Is.True);

        // Once the peer reads, every accepted frame arrives, whole and in order.
        int expected = 0;
        bool inOrder = true;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Start((_, f) =>
        {
            inOrder &= f.Length == 1400 && BinaryPrimitives.ReadInt32BigEndian(f) == expected;
            if (++expected == accepted)
            {
                all.TrySetResult();
            }
        });
        await all.Task.WaitAsync(Wait);
        Assert.That(inOrder, Is.True);
        Assert.That(pair.Client.TrySend(frame), Is.True, "the queue drained, so sending works again");
    }

    [Test]
    public async Task RemoteDispose_RaisesClosedOnceOnBothSides()
    {
        var options = new TcpConnectionOptions { Framing = TcpFraming.Rfc4571 };
        await using var pair = await TcpPair.ConnectAsync(options, options);
        var clientClosed = new ClosedRecorder(pair.Client);
        var serverClosed = new ClosedRecorder(pair.Server);
        pair.Client.Start((_, _) => { });
        pair.Server.Start((_, _) => { });

        await pair.Server.DisposeAsync();
        Assert.That(serverClosed.Count, Is.EqualTo(1));
        Assert.That(serverClosed.Reason, Is.Null);

        Assert.That(await clientClosed.First.WaitAsync(Wait), Is.Null, "a FIN is a clean end of stream");
        Assert.That(pair.Client.IsConnected, Is.False);
        Assert.That(pair.Client.TrySend([1, 2, 3]), Is.False);

        await pair.Client.DisposeAsync();
        Assert.That(clientClosed.Count, Is.EqualTo(1));
        Assert.That(serverClosed.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task RemoteReset_RaisesClosedWithTheError()
    {
        await using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var accepted = new TaskCompletionSource<FramedTcpConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Start(new TcpConnectionOptions { Framing = TcpFraming.Rfc4571 }, c => accepted.TrySetResult(c));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync(listener.LocalEndPoint);
        await using var server = await accepted.Task.WaitAsync(Wait);
        var closed = new ClosedRecorder(server);
        server.Start((_, _) => { });

        raw.LingerState = new LingerOption(true, 0); // close with RST
        raw.Close();

        Assert.That(await closed.First.WaitAsync(Wait), Is.Not.Null);
        Assert.That(server.IsConnected, Is.False);
    }

    [Test]
    public async Task CorruptStunStream_DeliversWhatCameBefore_ThenCloses()
    {
        await using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var accepted = new TaskCompletionSource<FramedTcpConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Start(new TcpConnectionOptions { Framing = TcpFraming.Stun }, c => accepted.TrySetResult(c));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync(listener.LocalEndPoint);
        await using var server = await accepted.Task.WaitAsync(Wait);
        var closed = new ClosedRecorder(server);
        var frames = new ConcurrentQueue<byte[]>();
        server.Start((_, f) => frames.Enqueue(f.ToArray()));

        var stun = TcpFrameReaderTests.StunMessage(8, fill: 9);
        await raw.SendAsync((byte[])[.. stun, 0xC0, 0, 0, 4, 1, 2, 3, 4, .. stun]);

        Assert.That(await closed.First.WaitAsync(Wait), Is.InstanceOf<InvalidDataException>());
        Assert.That(frames, Is.EqualTo(new[] { stun }));
        Assert.That(server.IsConnected, Is.False);
    }

    /// <summary>
    /// Random and mutated streams from a raw socket: the connection never throws, delivers what a
    /// reference parse delivers, and ends with an error exactly when the stream is corrupt.
    /// </summary>
    [Test]
    public async Task Fuzz_StreamsFromARawSocket_AreFramedOrClosed()
    {
        await using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var accepted = Channel();
        listener.Start(new TcpConnectionOptions { Framing = TcpFraming.Stun }, c => accepted.Writer.TryWrite(c));
        var rng = new Random(5);
        for (int i = 0; i < 40; i++)
        {
            var (stream, _) = TcpStreams.Valid(TcpFraming.Stun, rng, rng.Next(1, 30), 2000);
            stream = i % 2 == 0 ? TcpStreams.Mutate(stream, rng) : stream[..rng.Next(stream.Length + 1)];
            var expected = TcpStreams.Reference(TcpFraming.Stun, stream);

            using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            raw.NoDelay = true;
            await raw.ConnectAsync(listener.LocalEndPoint);
            await using var server = await accepted.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            var closed = new ClosedRecorder(server);
            var frames = new List<byte[]>();
            server.Start((_, f) => frames.Add(f.ToArray()));
            try
            {
                for (int offset = 0; offset < stream.Length;)
                {
                    int n = Math.Min(rng.Next(1, 700), stream.Length - offset);
                    offset += await raw.SendAsync(stream.AsMemory(offset, n));
                }

                raw.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The server closed a corrupt stream while we were still sending.
            }

            var reason = await closed.First.WaitAsync(Wait);
            Assert.That(reason is InvalidDataException, Is.EqualTo(expected.Corrupt), $"stream {i}: {reason}");
            TcpStreams.AssertSameFrames(frames, expected.Frames, $"stream {i}");
        }
    }

    [Test]
    public async Task ThrowingHandler_IsLogged_AndTheConnectionStaysUp()
    {
        var logger = new Dtls.ListLogger();
        var options = new TcpConnectionOptions { Framing = TcpFraming.Rfc4571, Logger = logger };
        await using var pair = await TcpPair.ConnectAsync(options, options);
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        pair.Server.Start((_, _) =>
        {
            if (++calls == 3)
            {
                third.TrySetResult();
            }

            throw new InvalidOperationException("handler bug");
        });

        for (int i = 0; i < 3; i++)
        {
            Assert.That(pair.Client.TrySend([(byte)i]), Is.True);
        }

        await third.Task.WaitAsync(Wait);
        Assert.That(pair.Server.IsConnected, Is.True);
        Assert.That(pair.Server.FramesReceived, Is.EqualTo(3));
        Assert.That(logger.Has(Microsoft.Extensions.Logging.LogLevel.Debug, "frame handler threw"), Is.True);
    }

    [Test]
    public async Task Handler_CanDisposeItsConnection_WithoutDeadlock()
    {
        var options = new TcpConnectionOptions { Framing = TcpFraming.Rfc4571 };
        await using var pair = await TcpPair.ConnectAsync(options, options);
        var closed = new ClosedRecorder(pair.Server);
        int frames = 0;
        pair.Server.Start((c, _) =>
        {
            frames++;
            c.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });

        // Whether the second frame arrives in the same read or a later one, it is not delivered.
        Assert.That(pair.Client.TrySend([1]), Is.True);
        Assert.That(pair.Client.TrySend([2]), Is.True);
        Assert.That(await closed.First.WaitAsync(Wait), Is.Null);
        Assert.That(frames, Is.EqualTo(1), "no frame after the handler disposed the connection");
    }

    [Test]
    public async Task TrySend_Rfc4571_RejectsFramesOver65535()
    {
        var options = new TcpConnectionOptions { Framing = TcpFraming.Rfc4571 };
        await using var pair = await TcpPair.ConnectAsync(options, options);
        Assert.That(pair.Client.TrySend(new byte[ushort.MaxValue + 1]), Is.False);
        Assert.That(pair.Client.TrySend(new byte[ushort.MaxValue]), Is.True);
        Assert.That(pair.Client.TrySend([]), Is.True, "RFC 4571 allows an empty frame; the peer skips it");
        Assert.That(pair.Client.FramesDropped, Is.Zero, "only a full queue counts as a drop");
    }

    [Test]
    public async Task TrySend_Stun_RejectsEmptyAndOverlongFrames()
    {
        var options = new TcpConnectionOptions { Framing = TcpFraming.Stun };
        await using var pair = await TcpPair.ConnectAsync(options, options);
        Assert.That(pair.Client.TrySend([]), Is.False);
        Assert.That(pair.Client.TrySend(new byte[20 + ushort.MaxValue + 1]), Is.False);
    }

    [Test]
    public async Task ConnectAsync_NobodyListening_ThrowsSocketException()
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var ex = await Assert.ThrowsAsync<SocketException>(() => FramedTcpConnection.ConnectAsync(
            new IPEndPoint(IPAddress.Loopback, closedPort), new TcpConnectionOptions { Framing = TcpFraming.Rfc4571 }));
        Assert.That(ex!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
    }

    [Test]
    public async Task ConnectAsync_BindsTheLocalEndPoint_AndUsesTheSocketFactory()
    {
        await using var listener = TcpListenerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var accepted = new TaskCompletionSource<FramedTcpConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Start(new TcpConnectionOptions { Framing = TcpFraming.Rfc4571 }, c => accepted.TrySetResult(c));
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var factory = new CountingFactory();
        await using var client = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, new TcpConnectionOptions
        {
            Framing = TcpFraming.Rfc4571,
            SocketFactory = factory.Create,
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, port),
        });

        Assert.That(client.LocalEndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, port)));
        Assert.That(factory.Calls, Is.EqualTo(new[] { (AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) }));
        Assert.That(factory.Sockets[0].NoDelay, Is.True);
        await using var server = await accepted.Task.WaitAsync(Wait);
        Assert.That(server.RemoteEndPoint, Is.EqualTo(client.LocalEndPoint));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not met in time");
            await Task.Delay(10);
        }
    }

    private static System.Threading.Channels.Channel<FramedTcpConnection> Channel() =>
        System.Threading.Channels.Channel.CreateUnbounded<FramedTcpConnection>();

    /// <summary>What TrySend takes for a frame: RFC 4571 adds its own prefix, the STUN framing sends the padded bytes.</summary>
    private static byte[] SendForm(TcpFraming framing, (byte[] OnWire, byte[] Delivered) frame) =>
        framing == TcpFraming.Rfc4571 ? frame.Delivered : frame.OnWire;

    /// <summary>Collects copies of received frames and completes when the expected count arrived.</summary>
    private sealed class FrameCollector(int expected)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<byte[]> Frames { get; } = new(expected);

        public Task Done => _done.Task;

        public void Handler(FramedTcpConnection connection, ReadOnlySpan<byte> frame)
        {
            Frames.Add(frame.ToArray());
            if (Frames.Count == expected)
            {
                _done.TrySetResult();
            }
        }
    }
}

/// <summary>Records the Closed events of one connection.</summary>
internal sealed class ClosedRecorder
{
    private readonly TaskCompletionSource<Exception?> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public ClosedRecorder(FramedTcpConnection connection) =>
        connection.Closed += (_, reason) =>
        {
            Interlocked.Increment(ref _count);
            _first.TrySetResult(reason);
        };

    public Task<Exception?> First => _first.Task;

    public Exception? Reason => _first.Task.IsCompleted ? _first.Task.Result : null;

    public int Count => Volatile.Read(ref _count);
}

/// <summary>A SocketFactory that counts its calls and keeps the sockets it made.</summary>
internal sealed class CountingFactory
{
    public ConcurrentQueue<(AddressFamily, SocketType, ProtocolType)> Calls { get; } = new();

    public List<Socket> Sockets { get; } = [];

    public Socket Create(AddressFamily family, SocketType type, ProtocolType protocol)
    {
        Calls.Enqueue((family, type, protocol));
        var socket = new Socket(family, type, protocol);
        lock (Sockets)
        {
            Sockets.Add(socket);
        }

        return socket;
    }
}

/// <summary>A listener, a client connected to it and the server side of that connection.</summary>
internal sealed class TcpPair : IAsyncDisposable
{
    private TcpPair(TcpListenerSocket listener, FramedTcpConnection client, FramedTcpConnection server)
    {
        Listener = listener;
        Client = client;
        Server = server;
    }

    public TcpListenerSocket Listener { get; }

    public FramedTcpConnection Client { get; }

    public FramedTcpConnection Server { get; }

    public static async Task<TcpPair> ConnectAsync(TcpConnectionOptions clientOptions, TcpConnectionOptions serverOptions, IPAddress? address = null)
    {
        var listener = TcpListenerSocket.Bind(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        var accepted = new TaskCompletionSource<FramedTcpConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Start(serverOptions, c => accepted.TrySetResult(c));
        var client = await FramedTcpConnection.ConnectAsync(listener.LocalEndPoint, clientOptions);
        var server = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new TcpPair(listener, client, server);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await Listener.DisposeAsync();
    }
}
