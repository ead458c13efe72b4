using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WebRtc.Client.Signaling;

namespace WebRtc.Client.IntegrationTests.Signaling;

/// <summary>WebSocket signaling against a real Kestrel server on 127.0.0.1 (loopback only).</summary>
[NonParallelizable]
public class WebSocketSignalingChannelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private const string Offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\na=ice-ufrag:a+b/\r\na=ice-pwd:0123456789abcdefghijkl\r\n";
    private const string Host = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0";
    private SignalingTestServer _server = null!;

    [SetUp]
    public async Task SetUp() => _server = await SignalingTestServer.StartAsync();

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    [Test]
    public async Task Relay_ExchangesOfferAnswerAndCandidates_AndPropagatesClose()
    {
        var a = await WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/relay?room=r1"));
        await using var b = await WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/relay?room=r1"));

        var fromA = new[]
        {
            SignalingMessage.Offer(Offer),
            SignalingMessage.Candidate(Host, "0", 0, "a+b/"),
            SignalingMessage.Candidate("candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active", "0", 0),
            SignalingMessage.EndOfCandidates("0", 0),
        };
        foreach (var m in fromA) { await a.SendAsync(m); }
        for (int i = 0; i < fromA.Length; i++)
        {
            Assert.That(await b.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.EqualTo(fromA[i]));
        }

        await b.SendAsync(SignalingMessage.Answer("answer-sdp"));
        await b.SendAsync(SignalingMessage.Candidate(Host, "0", 0));
        Assert.That(await a.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.EqualTo(SignalingMessage.Answer("answer-sdp")));
        Assert.That(await a.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.EqualTo(SignalingMessage.Candidate(Host, "0", 0)));

        // A hangs up: the relay closes B's socket; B's stream ends and it knows why.
        await a.SendAsync(SignalingMessage.Bye());
        await a.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.That((await a.Completion).Reason, Is.EqualTo(SignalingCloseReason.Local));
        var rest = new List<SignalingMessage>();
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var m in b.ReadAllAsync(cts.Token)) { rest.Add(m); }
        Assert.That(rest, Is.EqualTo(new[] { SignalingMessage.Bye() }));
        var closed = await b.Completion.WaitAsync(Timeout);
        Assert.That(closed.Reason, Is.EqualTo(SignalingCloseReason.Remote));
        Assert.That(closed.Description, Does.Contain("1000"));
        var e = await Assert.ThrowsAsync<SignalingException>(() => b.SendAsync(SignalingMessage.Bye()));
        Assert.That(e!.Message, Does.Contain("remote closed"));
    }

    [Test]
    public async Task ServerSideChannel_AnswersOffer_AndItsCloseEndsTheClientStream()
    {
        await using var client = await WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/answer"));
        var serverSide = await _server.Accepted.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        await client.SendAsync(SignalingMessage.Offer(Offer));
        Assert.That(await client.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.EqualTo(SignalingMessage.Answer("answer:" + Offer)));

        await client.SendAsync(SignalingMessage.Bye());
        Assert.That(await client.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.Null, "the server closed after bye");
        Assert.That((await client.Completion.WaitAsync(Timeout)).Reason, Is.EqualTo(SignalingCloseReason.Remote));
        Assert.That((await serverSide.Completion.WaitAsync(Timeout)).Reason, Is.EqualTo(SignalingCloseReason.Local));
    }

    [Test]
    public async Task ClientClose_IsSeenByTheServerSideChannel()
    {
        var client = await WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/echo"));
        var serverSide = await _server.Accepted.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        await client.DisposeAsync().AsTask().WaitAsync(Timeout);
        var closed = await serverSide.Completion.WaitAsync(Timeout);
        Assert.That(closed.Reason, Is.EqualTo(SignalingCloseReason.Remote));
        Assert.That(closed.Description, Does.Contain("NormalClosure"));
    }

    [Test]
    public async Task ConcurrentSends_AreEachDeliveredOnce_InPerSenderOrder()
    {
        const int Senders = 4, PerSender = 200;
        await using var client = await WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/echo"));
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < PerSender; i++) { await client.SendAsync(SignalingMessage.Candidate($"candidate:{i} 1 udp 1 127.0.0.1 1 typ host", "s" + s, i)); }
        }))).WaitAsync(Timeout);

        var next = new int[Senders];
        for (int n = 0; n < Senders * PerSender; n++)
        {
            var m = (await client.ReceiveAsync().AsTask().WaitAsync(Timeout))!;
            int sender = m.SdpMid![1] - '0';
            Assert.That(m.SdpMLineIndex, Is.EqualTo(next[sender]));
            next[sender]++;
        }

        Assert.That(next, Is.All.EqualTo(PerSender));
    }

    [Test]
    public async Task RawClient_FragmentedAndBinaryFramesParse_MalformedOnesAreDropped()
    {
        using var raw = new ClientWebSocket();
        await raw.ConnectAsync(_server.Endpoint("/echo"), CancellationToken.None).WaitAsync(Timeout);
        var serverSide = await _server.Accepted.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

        byte[] offer = SignalingMessage.Offer(Offer).ToUtf8Json();
        await raw.SendAsync(offer.AsMemory(0, 5), WebSocketMessageType.Text, false, default);
        await raw.SendAsync(offer.AsMemory(5, 20), WebSocketMessageType.Text, false, default);
        await raw.SendAsync(offer.AsMemory(25), WebSocketMessageType.Text, true, default);
        Assert.That(await ReceiveTextAsync(raw), Is.EqualTo(SignalingMessage.Offer(Offer).ToJson()));

        await raw.SendAsync("not json"u8.ToArray(), WebSocketMessageType.Text, true, default);
        await raw.SendAsync("{\"type\":\"hello\"}"u8.ToArray(), WebSocketMessageType.Text, true, default);
        await raw.SendAsync("{\"type\":\"bye\"}"u8.ToArray(), WebSocketMessageType.Binary, true, default);
        Assert.That(await ReceiveTextAsync(raw), Is.EqualTo("{\"type\":\"bye\"}"));
        Assert.That(serverSide.DroppedMessageCount, Is.EqualTo(2));
        Assert.That(serverSide.IsClosed, Is.False);

        await raw.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", default).WaitAsync(Timeout);
        Assert.That((await serverSide.Completion.WaitAsync(Timeout)).Description, Does.Contain("done"));
    }

    [Test]
    public async Task OversizedIncomingMessage_ClosesWith1009_AndProtocolError()
    {
        using var raw = new ClientWebSocket();
        await raw.ConnectAsync(_server.Endpoint("/echo"), CancellationToken.None).WaitAsync(Timeout);
        var serverSide = await _server.Accepted.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

        var receive = Task.Run(async () => await raw.ReceiveAsync(new byte[1024], default));
        byte[] big = Encoding.UTF8.GetBytes("{\"type\":\"offer\",\"sdp\":\"" + new string('x', WebSocketSignalingOptions.DefaultMaxMessageSize) + "\"}");
        // Fragmented, as a browser may send it; the limit is on the whole message.
        for (int offset = 0; offset < big.Length; offset += 64 * 1024)
        {
            int n = Math.Min(64 * 1024, big.Length - offset);
            await raw.SendAsync(big.AsMemory(offset, n), WebSocketMessageType.Text, offset + n == big.Length, default);
        }

        var result = await receive.WaitAsync(Timeout);
        Assert.That(result.MessageType, Is.EqualTo(WebSocketMessageType.Close));
        Assert.That(raw.CloseStatus, Is.EqualTo(WebSocketCloseStatus.MessageTooBig));
        await raw.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        var closed = await serverSide.Completion.WaitAsync(Timeout);
        Assert.That(closed.Reason, Is.EqualTo(SignalingCloseReason.ProtocolError));
        Assert.That(closed.Error, Is.TypeOf<SignalingException>().With.Message.Contains("1048576"));
    }

    [Test]
    public async Task OversizedOutgoingMessage_FailsTheSendOnly()
    {
        await using var client = await WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/echo"), new WebSocketSignalingOptions { MaxMessageSize = 1000 });
        var e = await Assert.ThrowsAsync<SignalingException>(() => client.SendAsync(SignalingMessage.Offer(new string('x', 1000))));
        Assert.That(e!.Message, Does.Contain("limit is 1000"));
        await client.SendAsync(SignalingMessage.Bye());
        Assert.That(await client.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.EqualTo(SignalingMessage.Bye()));
    }

    [Test]
    public async Task ServerAbort_EndsTheStreamAsConnectionLost()
    {
        await using var client = await WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/abort"));
        await client.SendAsync(SignalingMessage.Offer(Offer));
        Assert.That(await client.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.Null);
        var closed = await client.Completion.WaitAsync(Timeout);
        Assert.That(closed.Reason, Is.EqualTo(SignalingCloseReason.ConnectionLost));
        await Assert.ThrowsAsync<SignalingException>(() => client.SendAsync(SignalingMessage.Bye()));
    }

    [Test]
    public async Task Connect_ToAClosedPort_ThrowsSignalingException()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var e = await Assert.ThrowsAsync<SignalingException>(() => WebSocketSignalingChannel.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/x?token=secret")));
        Assert.That(e!.Message, Does.Contain($"127.0.0.1:{port}/x").And.Not.Contain("secret"));
        Assert.That(() => WebSocketSignalingChannel.ConnectAsync(new Uri("http://127.0.0.1/")), Throws.ArgumentException);
    }

    [Test]
    public async Task Connect_ToANonWebSocketEndpoint_ThrowsSignalingException()
    {
        await Assert.ThrowsAsync<SignalingException>(() => WebSocketSignalingChannel.ConnectAsync(_server.Endpoint("/nothing-here")));
    }

    private static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        int count = 0;
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer.AsMemory(count), default).AsTask().WaitAsync(Timeout);
            count += r.Count;
            if (r.EndOfMessage) { return Encoding.UTF8.GetString(buffer, 0, count); }
        }
    }
}
