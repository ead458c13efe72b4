using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class MdnsResolverTests
{
    private const string Name = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>A unicast stand-in for an mDNS responder on 127.0.0.1 that answers with fixed records.</summary>
    private sealed class FakeResponder : IDisposable
    {
        private readonly UdpClient _client = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _cts = new();
        private readonly Task _loop;

        public FakeResponder(Func<MdnsMessage, MdnsMessage?> answer)
        {
            _loop = Task.Run(async () =>
            {
                while (!_cts.IsCancellationRequested)
                {
                    UdpReceiveResult request;
                    try
                    {
                        request = await _client.ReceiveAsync(_cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref QueriesReceived);
                    if (MdnsMessage.TryParse(request.Buffer, out var query))
                    {
                        LastQuery = query;
                        foreach (var junk in Junk)
                        {
                            await _client.SendAsync(junk, request.RemoteEndPoint, _cts.Token);
                        }

                        if (answer(query) is { } response)
                        {
                            await _client.SendAsync(response.Encode(), request.RemoteEndPoint, _cts.Token);
                        }
                    }
                }
            });
        }

        public int QueriesReceived;

        /// <summary>Sent before each answer: malformed or unrelated datagrams the resolver must survive.</summary>
        public byte[][] Junk { get; init; } = [];

        public MdnsMessage? LastQuery { get; private set; }

        public IPEndPoint EndPoint => (IPEndPoint)_client.Client.LocalEndPoint!;

        public void Dispose()
        {
            _cts.Cancel();
            _loop.Wait(Wait);
            _client.Dispose();
            _cts.Dispose();
        }
    }

    private static MdnsMessage Answer(MdnsMessage query, params MdnsRecord[] records)
    {
        var response = new MdnsMessage { Id = query.Id, Flags = MdnsMessage.FlagResponse | MdnsMessage.FlagAuthoritative };
        response.Answers.AddRange(records);
        return response;
    }

    [Test]
    public async Task Resolves_FromResponder()
    {
        using var responder = new FakeResponder(q => Answer(q,
            new MdnsRecord(q.Questions[0].Name.ToUpperInvariant(), MdnsMessage.TypeAaaa, MdnsMessage.ClassIn, 120, IPAddress.IPv6Loopback.GetAddressBytes()),
            new MdnsRecord(q.Questions[0].Name, MdnsMessage.TypeA, MdnsMessage.ClassIn | MdnsMessage.CacheFlushBit, 120, [127, 0, 0, 42])));
        using var resolver = new MdnsResolver(responder.EndPoint);

        var address = await resolver.ResolveAsync(Name + ".", Wait);

        Assert.That(address, Is.EqualTo(IPAddress.Parse("127.0.0.42")), "A preferred over AAAA");
        var query = responder.LastQuery!;
        Assert.That(query.IsResponse, Is.False);
        Assert.That(query.Questions.Select(q => q.Type), Is.EqualTo(new[] { MdnsMessage.TypeA, MdnsMessage.TypeAaaa }));
        Assert.That(query.Questions.Select(q => q.Name), Is.All.EqualTo(Name));
        Assert.That(query.Questions.Select(q => q.Class), Is.All.EqualTo(MdnsMessage.ClassIn | MdnsMessage.UnicastResponseBit));
    }

    [Test]
    public async Task Resolves_Aaaa_WhenOnlyAaaaAnswers()
    {
        using var responder = new FakeResponder(q => Answer(q,
            new MdnsRecord(Name, MdnsMessage.TypeAaaa, MdnsMessage.ClassIn, 120, IPAddress.IPv6Loopback.GetAddressBytes())));
        using var resolver = new MdnsResolver(responder.EndPoint);
        Assert.That(await resolver.ResolveAsync(Name, Wait), Is.EqualTo(IPAddress.IPv6Loopback));
    }

    [Test]
    public async Task ConcurrentResolves_OfSameName_AllComplete()
    {
        using var responder = new FakeResponder(q => Answer(q,
            new MdnsRecord(Name, MdnsMessage.TypeA, MdnsMessage.ClassIn, 120, [127, 0, 0, 9])));
        using var resolver = new MdnsResolver(responder.EndPoint);
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => resolver.ResolveAsync(Name, Wait).AsTask()));
        Assert.That(results, Is.All.EqualTo(IPAddress.Parse("127.0.0.9")));
    }

    [Test]
    public async Task NoAnswer_ReturnsNull_AfterTimeout_WithRetransmissions()
    {
        var time = new FakeTimeProvider();
        using var responder = new FakeResponder(_ => null);
        using var resolver = new MdnsResolver(responder.EndPoint, timeProvider: time);

        var pending = resolver.ResolveAsync(Name, TimeSpan.FromSeconds(3)).AsTask();
        await WaitUntil(() => Volatile.Read(ref responder.QueriesReceived) >= 1);
        Assert.That(pending.IsCompleted, Is.False);

        // Advance in small steps until something happens, since the resolver arms its timers
        // on another thread and may do so just after an Advance.
        await AdvanceUntil(time, () => Volatile.Read(ref responder.QueriesReceived) >= 2); // retransmission after 1 s
        Assert.That(pending.IsCompleted, Is.False);

        await AdvanceUntil(time, () => pending.IsCompleted); // 3 s: the deadline
        Assert.That(await pending, Is.Null);
        Assert.That(time.GetUtcNow() - time.Start, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(3)));
    }

    private static async Task AdvanceUntil(FakeTimeProvider time, Func<bool> condition)
    {
        for (int i = 0; i < 400 && !condition(); i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            for (int j = 0; j < 20 && !condition(); j++)
            {
                await Task.Delay(1);
            }
        }

        Assert.That(condition(), Is.True, "condition not met within 100 s of fake time");
    }

    [Test]
    public async Task Silence_ReturnsNull_InRealTime()
    {
        using var responder = new FakeResponder(_ => null);
        using var resolver = new MdnsResolver(responder.EndPoint);
        Assert.That(await resolver.ResolveAsync(Name, TimeSpan.FromMilliseconds(100)).AsTask().WaitAsync(Wait), Is.Null);
    }

    [Test]
    public async Task AnswerForOtherName_IsIgnored()
    {
        using var responder = new FakeResponder(q => Answer(q,
            new MdnsRecord("someone-else.local", MdnsMessage.TypeA, MdnsMessage.ClassIn, 120, [127, 0, 0, 5])));
        using var resolver = new MdnsResolver(responder.EndPoint);
        Assert.That(await resolver.ResolveAsync(Name, TimeSpan.FromMilliseconds(200)).AsTask().WaitAsync(Wait), Is.Null);
    }

    [Test]
    public async Task GarbageResponses_AreDropped()
    {
        using var responder = new FakeResponder(q => Answer(q,
            new MdnsRecord(Name, MdnsMessage.TypeA, MdnsMessage.ClassIn, 120, [127, 0, 0, 3])))
        {
            Junk =
            [
                [],
                [1, 2, 3],
                [0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1], // pointer loop
                MdnsMessage.CreateQuery(Name, true, MdnsMessage.TypeA).Encode(), // a query, not a response
                Answer(new MdnsMessage(), new MdnsRecord(Name, MdnsMessage.TypeA, MdnsMessage.ClassIn, 1, [1, 2, 3])).Encode(), // bad A length
            ],
        };
        using var resolver = new MdnsResolver(responder.EndPoint);
        Assert.That(await resolver.ResolveAsync(Name, Wait), Is.EqualTo(IPAddress.Parse("127.0.0.3")));
    }

    [Test]
    public async Task Dispose_CompletesPendingWithNull()
    {
        using var responder = new FakeResponder(_ => null);
        var resolver = new MdnsResolver(responder.EndPoint);
        var pending = resolver.ResolveAsync(Name, Wait).AsTask();
        await WaitUntil(() => responder.LastQuery is not null);
        Assert.That(pending.IsCompleted, Is.False);

        resolver.Dispose();
        Assert.That(await pending.WaitAsync(Wait), Is.Null);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await resolver.ResolveAsync(Name, Wait));
    }

    [Test]
    public async Task Cancellation_Throws()
    {
        using var responder = new FakeResponder(_ => null);
        using var resolver = new MdnsResolver(responder.EndPoint);
        using var cts = new CancellationTokenSource();
        var pending = resolver.ResolveAsync(Name, Timeout.InfiniteTimeSpan, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAsync(Is.InstanceOf<OperationCanceledException>(), async () => await pending.WaitAsync(Wait));
    }

    [TestCase("example.com")]
    [TestCase("local")]
    [TestCase(".local")]
    [TestCase("a..local")]
    [TestCase("")]
    [TestCase("10.0.0.1")]
    public async Task NonLocalName_ThrowsArgumentException(string name)
    {
        using var resolver = new MdnsResolver(new IPEndPoint(IPAddress.Loopback, 9));
        await Assert.ThrowsAsync<ArgumentException>(async () => await resolver.ResolveAsync(name, Wait));
    }

    [Test]
    public async Task UnreachableTarget_ReturnsNull()
    {
        // In the test namespace there is no route to the mDNS group; on a host network the
        // query may go out and nobody answers within the short timeout. Either way: null.
        // This sends to 224.0.0.251 only, and only if this host has a multicast route.
        if (!OperatingSystem.IsLinux() || NetworkInterfacesHaveOnlyLoopback() is false)
        {
            Assert.Ignore("Runs only inside the loopback-only test namespace, so no packet leaves this host.");
        }

        using var resolver = new MdnsResolver();
        Assert.That(await resolver.ResolveAsync(Name, TimeSpan.FromMilliseconds(200)).AsTask().WaitAsync(Wait), Is.Null);
    }

    private static bool NetworkInterfacesHaveOnlyLoopback() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .All(n => n.NetworkInterfaceType == System.Net.NetworkInformation.NetworkInterfaceType.Loopback);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("condition not met in time");
            }

            await Task.Delay(5);
        }
    }
}
