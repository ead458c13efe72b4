using Microsoft.Extensions.Time.Testing;
using WebRtc.Client.Signaling;

namespace WebRtc.Client.Tests.Signaling;

public class InMemorySignalingChannelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [ThreadStatic]
    private static bool t_inSend;

    private static SignalingMessage Numbered(int i, string? sender = null) => SignalingMessage.Candidate($"candidate:{i} 1 udp 1 192.0.2.1 {i % 65536} typ host", sender ?? "0", 0);

    private static int Number(SignalingMessage m) => int.Parse(m.CandidateString!.AsSpan(10, m.CandidateString!.IndexOf(' ', StringComparison.Ordinal) - 10), System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task Messages_ArriveInOrder_BothWays()
    {
        var (a, b) = InMemorySignalingChannel.CreatePair();
        await using var _ = a;
        await using var __ = b;
        for (int i = 0; i < 100; i++)
        {
            await a.SendAsync(Numbered(i));
            await b.SendAsync(Numbered(1000 + i));
        }

        for (int i = 0; i < 100; i++)
        {
            Assert.That(Number((await b.ReceiveAsync().AsTask().WaitAsync(Timeout))!), Is.EqualTo(i));
            Assert.That(Number((await a.ReceiveAsync().AsTask().WaitAsync(Timeout))!), Is.EqualTo(1000 + i));
        }
    }

    [Test]
    public async Task OfferAnswerExchange_OverReadAllAsync()
    {
        var (a, b) = InMemorySignalingChannel.CreatePair();
        await using var _ = a;
        await using var __ = b;
        // B answers every offer from inside its read loop, as a negotiation loop would.
        var answerer = Task.Run(async () =>
        {
            var seen = new List<SignalingMessage>();
            await foreach (var m in b.ReadAllAsync())
            {
                seen.Add(m);
                if (m.Type == SignalingMessageType.Offer) { await b.SendAsync(SignalingMessage.Answer("answer-to-" + m.Sdp)); }
                if (m.Type == SignalingMessageType.Bye) { break; }
            }

            return seen;
        });

        await a.SendAsync(SignalingMessage.Offer("o1"));
        await a.SendAsync(SignalingMessage.Candidate("candidate:1 1 udp 1 192.0.2.1 1 typ host", "0", 0));
        await a.SendAsync(SignalingMessage.EndOfCandidates("0", 0));
        Assert.That(await a.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.EqualTo(SignalingMessage.Answer("answer-to-o1")));
        await a.SendAsync(SignalingMessage.Bye());
        var seen = await answerer.WaitAsync(Timeout);
        Assert.That(seen.Select(m => m.Type), Is.EqualTo(new[]
        {
            SignalingMessageType.Offer, SignalingMessageType.Candidate, SignalingMessageType.Candidate, SignalingMessageType.Bye,
        }));
        Assert.That(seen[2].IsEndOfCandidates, Is.True);
        Assert.That(b.IsClosed, Is.False, "bye is data; it does not close the channel");
    }

    [Test]
    public async Task Delivery_IsNeverOnTheSendersStack()
    {
        var (a, b) = InMemorySignalingChannel.CreatePair();
        await using var _ = a;
        await using var __ = b;
        for (int round = 0; round < 50; round++)
        {
            var received = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var reader = Task.Run(async () =>
            {
                var m = await b.ReceiveAsync();
                received.SetResult(t_inSend);
                return m;
            });
            await Task.Delay(1);
            Task send;
            t_inSend = true;
            try
            {
                send = a.SendAsync(Numbered(round));
            }
            finally
            {
                t_inSend = false;
            }

            await send;

            Assert.That(await received.Task.WaitAsync(Timeout), Is.False);
            Assert.That(Number((await reader.WaitAsync(Timeout))!), Is.EqualTo(round));
        }
    }

    [Test]
    public async Task ManyConcurrentSenders_EveryMessageExactlyOnce_PerSenderOrderKept()
    {
        const int Senders = 8, PerSender = 500;
        var (a, b) = InMemorySignalingChannel.CreatePair();
        await using var _ = a;
        await using var __ = b;
        using var start = new ManualResetEventSlim();
        var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            start.Wait();
            for (int i = 0; i < PerSender; i++) { await a.SendAsync(Numbered(i, "s" + s)); }
        })).ToArray();
        start.Set();
        await Task.WhenAll(senders).WaitAsync(Timeout);

        var next = new int[Senders];
        for (int n = 0; n < Senders * PerSender; n++)
        {
            var m = (await b.ReceiveAsync().AsTask().WaitAsync(Timeout))!;
            int sender = int.Parse(m.SdpMid!.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(Number(m), Is.EqualTo(next[sender]), $"sender {sender}");
            next[sender]++;
        }

        Assert.That(next, Is.All.EqualTo(PerSender));
        await a.DisposeAsync();
        Assert.That(await b.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.Null, "no duplicates after the last one");
    }

    [Test]
    public async Task Dispose_EndsBothStreams_AfterDeliveringWhatWasSent()
    {
        var (a, b) = InMemorySignalingChannel.CreatePair();
        await a.SendAsync(SignalingMessage.Offer("x"));
        await a.SendAsync(SignalingMessage.Bye());
        await a.DisposeAsync();

        Assert.That((await a.Completion.WaitAsync(Timeout)).Reason, Is.EqualTo(SignalingCloseReason.Local));
        Assert.That(await ToListAsync(a.ReadAllAsync()).WaitAsync(Timeout), Is.Empty);
        Assert.That(await ToListAsync(b.ReadAllAsync()).WaitAsync(Timeout), Is.EqualTo(new[] { SignalingMessage.Offer("x"), SignalingMessage.Bye() }));
        Assert.That((await b.Completion.WaitAsync(Timeout)).Reason, Is.EqualTo(SignalingCloseReason.Remote));
        Assert.That(b.IsClosed, Is.True);

        var e = await Assert.ThrowsAsync<SignalingException>(() => a.SendAsync(SignalingMessage.Bye()));
        Assert.That(e!.Message, Does.Contain("closed by this side"));
        var e2 = await Assert.ThrowsAsync<SignalingException>(() => b.SendAsync(SignalingMessage.Bye()));
        Assert.That(e2!.Message, Does.Contain("remote closed"));
        Assert.That(await b.ReceiveAsync(), Is.Null);

        await a.DisposeAsync();
        await b.DisposeAsync();
        Assert.That((await b.Completion).Reason, Is.EqualTo(SignalingCloseReason.Remote), "the first close reason stays");
    }

    [Test]
    public async Task BufferedMessages_WaitForALateReader_AndCancelledReadLosesNothing()
    {
        var (a, b) = InMemorySignalingChannel.CreatePair();
        await using var _ = a;
        await using var __ = b;
        await a.SendAsync(Numbered(1));
        await a.SendAsync(Numbered(2));
        Assert.That(Number((await b.ReceiveAsync().AsTask().WaitAsync(Timeout))!), Is.EqualTo(1));

        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            var reads = new List<int>();
            await Assert.ThrowsAsync<OperationCanceledException>(async () =>
            {
                await foreach (var m in b.ReadAllAsync(cts.Token)) { reads.Add(Number(m)); }
            });
            Assert.That(reads, Is.EqualTo(new[] { 2 }));
        }

        await a.SendAsync(Numbered(3));
        Assert.That(Number((await b.ReceiveAsync().AsTask().WaitAsync(Timeout))!), Is.EqualTo(3));
    }

    [Test]
    public async Task Delay_HoldsMessagesUntilTheClockAdvances_InOrder()
    {
        var time = new FakeTimeProvider();
        var (a, b) = InMemorySignalingChannel.CreatePair(TimeSpan.FromMilliseconds(200), time);
        await using var _ = a;
        await using var __ = b;
        await a.SendAsync(Numbered(1));
        time.Advance(TimeSpan.FromMilliseconds(100));
        await a.SendAsync(Numbered(2));

        var first = b.ReceiveAsync().AsTask();
        await Task.Delay(50);
        Assert.That(first.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.That(Number((await first.WaitAsync(Timeout))!), Is.EqualTo(1));

        var second = b.ReceiveAsync().AsTask();
        await Task.Delay(50);
        Assert.That(second.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.That(Number((await second.WaitAsync(Timeout))!), Is.EqualTo(2));
    }

    [Test]
    public async Task Delay_CloseArrivesAfterTheMessagesInFlight()
    {
        var time = new FakeTimeProvider();
        var (a, b) = InMemorySignalingChannel.CreatePair(TimeSpan.FromSeconds(1), time);
        await a.SendAsync(SignalingMessage.Bye());
        var disposing = a.DisposeAsync().AsTask();
        Assert.That(a.IsClosed, Is.True);
        await Task.Delay(50);
        Assert.That(b.IsClosed, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        await disposing.WaitAsync(Timeout);
        Assert.That(await ToListAsync(b.ReadAllAsync()).WaitAsync(Timeout), Is.EqualTo(new[] { SignalingMessage.Bye() }));
        Assert.That((await b.Completion).Reason, Is.EqualTo(SignalingCloseReason.Remote));
        await b.DisposeAsync();
    }

    [Test]
    public async Task Arguments_AreChecked()
    {
        Assert.That(() => InMemorySignalingChannel.CreatePair(TimeSpan.FromSeconds(-1)), Throws.TypeOf<ArgumentOutOfRangeException>());
        var (a, b) = InMemorySignalingChannel.CreatePair();
        await using var _ = a;
        await using var __ = b;
        await Assert.ThrowsAsync<ArgumentNullException>(() => a.SendAsync(null!));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<TaskCanceledException>(() => a.SendAsync(SignalingMessage.Bye(), cancelled.Token));
    }

    private static async Task<List<SignalingMessage>> ToListAsync(IAsyncEnumerable<SignalingMessage> source)
    {
        var list = new List<SignalingMessage>();
        await foreach (var m in source) { list.Add(m); }
        return list;
    }
}
