using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Tests.Stun;

/// <summary>StunClient: retransmissions on a fake clock, response matching, cancellation, real loopback UDP.</summary>
public class StunClientTests
{
    private static readonly IPEndPoint Server = new(IPAddress.Parse("192.0.2.10"), 3478);
    private static readonly byte[] Key = StunIntegrity.ShortTermKey("secret-password");

    private sealed class Harness : IDisposable
    {
        public Harness(StunRetransmitPolicy? policy = null)
        {
            Client = new StunClient(Send, Time, policy);
            Start = Time.GetUtcNow();
        }

        public FakeTimeProvider Time { get; } = new();

        public StunClient Client { get; }

        public DateTimeOffset Start { get; }

        public List<(double AtMs, byte[] Datagram, IPEndPoint Remote)> Sent { get; } = [];

        public List<double> SendTimes => [.. Sent.Select(s => s.AtMs)];

        public void AdvanceTo(double ms)
        {
            // Small steps: the sends must land on the schedule whatever the step.
            while ((Time.GetUtcNow() - Start).TotalMilliseconds < ms)
            {
                double left = ms - (Time.GetUtcNow() - Start).TotalMilliseconds;
                Time.Advance(TimeSpan.FromMilliseconds(Math.Min(left, 250)));
            }
        }

        public void Dispose() => Client.Dispose();

        private bool Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
        {
            lock (Sent)
            {
                Sent.Add(((Time.GetUtcNow() - Start).TotalMilliseconds, datagram.ToArray(), remote));
            }

            return true;
        }
    }

    private static byte[] Response(StunTransactionId id, byte[]? key, IPEndPoint mapped, StunClass cls = StunClass.SuccessResponse)
    {
        var response = new StunMessage(new StunMessageType(StunMethod.Binding, cls), id) { XorMappedAddress = mapped };
        return key is null ? response.ToArray() : response.ToArray(key);
    }

    // RFC 8489 §6.2.1: requests at 0, 500, 1500, 3500, 7500, 15500, 31500 ms, failure at 39.5 s.
    [Test]
    public async Task Retransmits_OnRfcSchedule_ThenTimesOut()
    {
        using var h = new Harness();
        var request = new StunMessage(StunMessageType.BindingRequest);
        var task = h.Client.SendRequestAsync(request, Server, Key);

        h.AdvanceTo(39_499);
        Assert.That(task.IsCompleted, Is.False);
        Assert.That(h.SendTimes, Is.EqualTo(new double[] { 0, 500, 1500, 3500, 7500, 15500, 31500 }));
        foreach (var (_, datagram, remote) in h.Sent)
        {
            Assert.That(remote, Is.EqualTo(Server));
            Assert.That(datagram, Is.EqualTo(h.Sent[0].Datagram), "a retransmission is the same bytes");
        }

        Assert.That(StunReader.TryParse(h.Sent[0].Datagram, out var sent, out _), Is.True);
        Assert.That(sent.TransactionId, Is.EqualTo(request.TransactionId));
        Assert.That(sent.VerifyMessageIntegrity(Key), Is.True);
        Assert.That(sent.HasFingerprint, Is.True);

        h.AdvanceTo(39_500);
        Assert.That(task.IsFaulted, Is.True);
        var error = await Assert.ThrowsAsync<StunTimeoutException>(async () => await task);
        Assert.That(error!.RequestsSent, Is.EqualTo(7));
        Assert.That(error.TransactionId, Is.EqualTo(request.TransactionId));
        Assert.That(error.Server, Is.EqualTo(Server));
        Assert.That(error, Is.InstanceOf<TimeoutException>());
        Assert.That(h.Client.PendingCount, Is.Zero);

        h.AdvanceTo(100_000);
        Assert.That(h.Sent, Has.Count.EqualTo(7));
    }

    [Test]
    public void CustomPolicy_SingleRequest()
    {
        using var h = new Harness(new StunRetransmitPolicy(TimeSpan.FromMilliseconds(100), 1, 5));
        var task = h.Client.SendRequestAsync(new StunMessage(StunMessageType.BindingRequest), Server);
        h.AdvanceTo(499);
        Assert.That(task.IsCompleted, Is.False);
        h.AdvanceTo(500);
        Assert.That(h.SendTimes, Is.EqualTo(new double[] { 0 }));
        Assert.That(async () => await task, Throws.TypeOf<StunTimeoutException>());
    }

    [Test]
    public async Task ResponseAfterTwoRetransmissions_CompletesTheTask()
    {
        using var h = new Harness();
        var request = new StunMessage(StunMessageType.BindingRequest) { Username = "a:b" };
        var task = h.Client.SendRequestAsync(request, Server, Key);
        h.AdvanceTo(2000);
        Assert.That(h.SendTimes, Is.EqualTo(new double[] { 0, 500, 1500 }));

        var mapped = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40000);
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, Key, mapped), Server), Is.True);
        var response = await task;
        Assert.That(response.Type, Is.EqualTo(StunMessageType.BindingSuccess));
        Assert.That(response.XorMappedAddress, Is.EqualTo(mapped));
        Assert.That(h.Client.PendingCount, Is.Zero);

        // A duplicate response (the answer to a retransmission) no longer matches; nothing more is sent.
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, Key, mapped), Server), Is.False);
        h.AdvanceTo(60_000);
        Assert.That(h.Sent, Has.Count.EqualTo(3));
    }

    // RFC 8489 §6.3.4: an error response completes the transaction too.
    [Test]
    public async Task ErrorResponse_CompletesTheTask()
    {
        using var h = new Harness();
        var request = new StunMessage(StunMessageType.BindingRequest);
        var task = h.Client.SendRequestAsync(request, Server);
        var error = new StunMessage(StunMessageType.BindingError, request.TransactionId) { ErrorCode = (420, "Unknown Attribute") };
        Assert.That(h.Client.HandleDatagram(error.ToArray(), Server), Is.True);
        Assert.That((await task).ErrorCode, Is.EqualTo((420, "Unknown Attribute")));
    }

    [Test]
    public void NonMatchingDatagrams_AreIgnored()
    {
        using var h = new Harness();
        var request = new StunMessage(StunMessageType.BindingRequest);
        var task = h.Client.SendRequestAsync(request, Server, Key);
        var mapped = new IPEndPoint(IPAddress.Loopback, 1);

        Assert.That(h.Client.HandleDatagram([], Server), Is.False);
        Assert.That(h.Client.HandleDatagram([1, 2, 3, 4, 5], Server), Is.False);
        Assert.That(h.Client.HandleDatagram(new byte[100], Server), Is.False);
        Assert.That(h.Client.HandleDatagram(Response(StunTransactionId.NewRandom(), Key, mapped), Server), Is.False, "unknown ID");
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, Key, mapped), new IPEndPoint(Server.Address, 3479)), Is.False, "other port");
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, Key, mapped), new IPEndPoint(IPAddress.Parse("192.0.2.11"), 3478)), Is.False, "other address");
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, [1, 2, 3], mapped), Server), Is.False, "wrong key");
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, null, mapped), Server), Is.False, "no integrity");
        Assert.That(h.Client.HandleDatagram(new StunMessage(StunMessageType.BindingRequest, request.TransactionId).ToArray(Key), Server), Is.False, "a request");
        Assert.That(h.Client.HandleDatagram(new StunMessage(new StunMessageType(StunMethod.Allocate, StunClass.SuccessResponse), request.TransactionId).ToArray(Key), Server), Is.False, "other method");
        Assert.That(task.IsCompleted, Is.False);

        // The same server seen through a dual-mode socket matches.
        var mappedV6Server = new IPEndPoint(Server.Address.MapToIPv6(), Server.Port);
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, Key, mapped), mappedV6Server), Is.True);
        Assert.That(task.IsCompletedSuccessfully, Is.True);
    }

    // RFC 8489 §9.2.5: a 401 or 438 without MESSAGE-INTEGRITY is accepted; it asks for credentials.
    [TestCase(401, true)]
    [TestCase(438, true)]
    [TestCase(400, false)]
    public void UnauthenticatedErrorWithoutIntegrity(int code, bool accepted)
    {
        using var h = new Harness();
        var request = new StunMessage(new StunMessageType(StunMethod.Allocate, StunClass.Request));
        var task = h.Client.SendRequestAsync(request, Server, Key);
        var error = new StunMessage(new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse), request.TransactionId) { ErrorCode = (code, "x") };
        Assert.That(h.Client.HandleDatagram(error.ToArray(), Server), Is.EqualTo(accepted));
        Assert.That(task.IsCompleted, Is.EqualTo(accepted));
    }

    [Test]
    public void Cancellation_CancelsAndStopsRetransmitting()
    {
        using var h = new Harness();
        using var cts = new CancellationTokenSource();
        var request = new StunMessage(StunMessageType.BindingRequest);
        var task = h.Client.SendRequestAsync(request, Server, ct: cts.Token);
        h.AdvanceTo(600);
        cts.Cancel();
        Assert.That(task.IsCanceled, Is.True);
        Assert.That(async () => await task, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(h.Client.PendingCount, Is.Zero);
        h.AdvanceTo(60_000);
        Assert.That(h.SendTimes, Is.EqualTo(new double[] { 0, 500 }));
        Assert.That(h.Client.HandleDatagram(Response(request.TransactionId, null, Server), Server), Is.False);

        var canceled = h.Client.SendRequestAsync(new StunMessage(StunMessageType.BindingRequest), Server, ct: cts.Token);
        Assert.That(canceled.IsCanceled, Is.True);
        Assert.That(h.Sent, Has.Count.EqualTo(2), "a canceled token sends nothing");
    }

    [Test]
    public void Dispose_FailsPendingAndRefusesNewRequests()
    {
        var h = new Harness();
        var task = h.Client.SendRequestAsync(new StunMessage(StunMessageType.BindingRequest), Server);
        h.Dispose();
        Assert.That(async () => await task, Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => h.Client.SendRequestAsync(new StunMessage(StunMessageType.BindingRequest), Server), Throws.TypeOf<ObjectDisposedException>());
        h.AdvanceTo(60_000);
        Assert.That(h.Sent, Has.Count.EqualTo(1));
        h.Dispose();
    }

    [Test]
    public void InvalidRequests_Throw()
    {
        using var h = new Harness();
        var request = new StunMessage(StunMessageType.BindingRequest);
        _ = h.Client.SendRequestAsync(request, Server);
        Assert.That(() => h.Client.SendRequestAsync(request, Server), Throws.InvalidOperationException, "same transaction ID");
        Assert.That(() => h.Client.SendRequestAsync(new StunMessage(StunMessageType.BindingIndication), Server), Throws.ArgumentException);
        Assert.That(() => new StunClient(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void ThrowingSendCallback_FailsTheTransaction()
    {
        var time = new FakeTimeProvider();
        int calls = 0;
        using var client = new StunClient((_, _) => ++calls == 1 ? true : throw new SocketException((int)SocketError.NetworkUnreachable), time);
        var task = client.SendRequestAsync(new StunMessage(StunMessageType.BindingRequest), Server);
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(async () => await task, Throws.TypeOf<SocketException>());
        Assert.That(client.PendingCount, Is.Zero);

        using var failing = new StunClient((_, _) => throw new InvalidOperationException("closed"), time);
        Assert.That(async () => await failing.SendRequestAsync(new StunMessage(StunMessageType.BindingRequest), Server), Throws.InvalidOperationException);
    }

    [Test]
    public async Task ManyConcurrentTransactions_AllComplete()
    {
        using var h = new Harness();
        var requests = Enumerable.Range(0, 200).Select(_ => new StunMessage(StunMessageType.BindingRequest)).ToArray();
        var tasks = requests.Select(r => h.Client.SendRequestAsync(r, Server)).ToArray();
        await Parallel.ForEachAsync(requests, (r, _) =>
        {
            Assert.That(h.Client.HandleDatagram(Response(r.TransactionId, null, Server), Server), Is.True);
            return ValueTask.CompletedTask;
        });
        var responses = await Task.WhenAll(tasks);
        Assert.That(responses.Select(r => r.TransactionId), Is.EqualTo(requests.Select(r => r.TransactionId)));
    }

    // Real sockets on loopback: a tiny STUN server answers Binding requests with XOR-MAPPED-ADDRESS.
    [Test]
    public async Task LoopbackUdp_GetsServerReflexiveAddress()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var serverEndPoint = (IPEndPoint)server.LocalEndPoint!;

        var serverLoop = RunTinyServerAsync(server, cts.Token);
        using var client = new StunClient((datagram, remote) => socket.SendTo(datagram, SocketFlags.None, remote) == datagram.Length);
        var receiveLoop = RunReceiveLoopAsync(socket, client, cts.Token);

        var request = new StunMessage(StunMessageType.BindingRequest) { Software = "WebRtc.Client tests" };
        var response = await client.SendRequestAsync(request, serverEndPoint, Key, cts.Token).WaitAsync(cts.Token);
        Assert.That(response.Type, Is.EqualTo(StunMessageType.BindingSuccess));
        Assert.That(response.XorMappedAddress, Is.EqualTo(socket.LocalEndPoint));
        Assert.That(response.HasMessageIntegrity && response.HasFingerprint, Is.True);

        await cts.CancelAsync();
        await Task.WhenAll(serverLoop, receiveLoop);
    }

    private static async Task RunTinyServerAsync(Socket server, CancellationToken ct)
    {
        var buffer = new byte[1500];
        try
        {
            while (true)
            {
                var received = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct);
                var from = (IPEndPoint)received.RemoteEndPoint;
                if (Answer(buffer.AsSpan(0, received.ReceivedBytes), from) is { } answer)
                {
                    await server.SendToAsync(answer, SocketFlags.None, from, ct);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static byte[]? Answer(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (!StunReader.TryParse(datagram, out var request, out _)
            || request.Type != StunMessageType.BindingRequest
            || !request.VerifyMessageIntegrity(Key))
        {
            return null;
        }

        var response = new StunMessage(StunMessageType.BindingSuccess, request.TransactionId) { XorMappedAddress = from };
        return response.ToArray(Key);
    }

    private static async Task RunReceiveLoopAsync(Socket socket, StunClient client, CancellationToken ct)
    {
        var buffer = new byte[1500];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct);
                client.HandleDatagram(buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
