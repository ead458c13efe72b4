using System.Net;
using Microsoft.Extensions.Logging;
using WebRtc.Client.IntegrationTests.Support;
using WebRtc.Client.Signaling;

namespace WebRtc.Client.IntegrationTests.PeerConnection;

/// <summary>
/// <see cref="PerfectNegotiator"/> when things fail: whatever a signaling channel (the application's
/// own, or one being torn down) throws, and however the negotiator or the connection is closed
/// mid-negotiation, nothing escapes its event handlers or its read loop (an exception out of an
/// <c>async void</c> handler would end the process).
/// </summary>
[NonParallelizable] // the unhandled-exception watch is process-wide
public class PerfectNegotiatorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static RTCPeerConnection NewPeer() =>
        new(new RTCConfiguration(), new RTCPeerConnectionOptions { BindAddresses = [IPAddress.Loopback] });

    private static Exception Failure(string kind) => kind switch
    {
        "canceled" => new OperationCanceledException("the application's signaling gave up"),
        "custom" => new SignalingBackendException("the application's message bus is down"),
        "disposed" => new ObjectDisposedException("AppSignaling"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // NUnit runs tests under a SynchronizationContext that would catch what an async void handler
    // throws; an application (a console peer, a server) has none, and there it ends the process.
    // So the event that starts the negotiation is raised from a thread-pool thread, as it would be there.
    private static Task CreateDataChannelOffContext(RTCPeerConnection pc) => Task.Run(() => pc.CreateDataChannel("x"));

    private static bool IsWarning(ListLogger.Entry entry) => entry.Level == LogLevel.Warning;

    [TestCase("canceled")]
    [TestCase("custom")]
    [TestCase("disposed")]
    public async Task SendingTheOfferFails_IsLoggedAsAWarning_NothingEscapes(string kind)
    {
        using var watch = UnhandledExceptions.Watch();
        var log = new ListLogger();
        var thrown = Failure(kind);
        await using var pc = NewPeer();
        var channel = new ScriptedSignalingChannel
        {
            OnSend = (m, _) => m.Type == SignalingMessageType.Offer ? Task.FromException(thrown) : Task.CompletedTask,
        };
        await using var negotiator = PerfectNegotiator.Attach(pc, channel, polite: true, logger: log);
        negotiator.Error += (_, _) => throw new InvalidOperationException("a handler bug"); // logged, harmless
        var error = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        negotiator.Error += (_, e) => error.TrySetResult(e);

        await CreateDataChannelOffContext(pc);
        await Task.WhenAny(watch.First, error.Task).WaitAsync(Timeout);

        Assert.That(watch.Seen, Is.Empty, "an exception escaped the negotiator's NegotiationNeeded handler");
        Assert.That(await error.Task, Is.SameAs(thrown), "the failure is raised through Error, past a throwing handler");
        Assert.That(log.Entries.Single(IsWarning).Exception, Is.SameAs(thrown));
    }

    [Test]
    public async Task SendingCandidatesFails_IsLoggedAsAWarning_NothingEscapes()
    {
        using var watch = UnhandledExceptions.Watch();
        var log = new ListLogger();
        await using var pc = NewPeer();
        var channel = new ScriptedSignalingChannel
        {
            OnSend = (m, _) => m.Type == SignalingMessageType.Candidate
                ? Task.FromException(new SignalingBackendException("candidate rejected by the message bus"))
                : Task.CompletedTask,
        };
        await using var negotiator = PerfectNegotiator.Attach(pc, channel, polite: true, logger: log);

        await CreateDataChannelOffContext(pc);
        await Task.WhenAny(watch.First, log.WaitFor(IsWarning)).WaitAsync(Timeout);

        Assert.That(watch.Seen, Is.Empty, "an exception escaped the negotiator's IceCandidate or NegotiationNeeded handler");
        Assert.That(log.Entries.Where(IsWarning).Select(e => e.Exception), Is.Not.Empty.And.All.TypeOf<SignalingBackendException>());
    }

    [Test]
    public async Task DisposeAsync_WhileTheOfferIsBeingSent_EndsQuietly()
    {
        using var watch = UnhandledExceptions.Watch();
        var log = new ListLogger();
        await using var pc = NewPeer();
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = new ScriptedSignalingChannel
        {
            OnSend = async (m, ct) =>
            {
                if (m.Type == SignalingMessageType.Offer)
                {
                    sending.TrySetResult();
                    await Task.Delay(System.Threading.Timeout.Infinite, ct); // a send that only the token ends
                }
            },
        };
        var negotiator = PerfectNegotiator.Attach(pc, channel, polite: true, logger: log);
        int errors = 0;
        negotiator.Error += (_, _) => Interlocked.Increment(ref errors);

        await CreateDataChannelOffContext(pc);
        await sending.Task.WaitAsync(Timeout);
        await negotiator.DisposeAsync().AsTask().WaitAsync(Timeout);
        await Task.WhenAny(watch.First, log.WaitFor(e => e.Exception is OperationCanceledException)).WaitAsync(Timeout);

        Assert.That(watch.Seen, Is.Empty, "the canceled send escaped the negotiator");
        Assert.That(log.Entries.Where(e => e.Exception is OperationCanceledException).Select(e => e.Level), Is.Not.Empty.And.All.EqualTo(LogLevel.Debug), "a cancellation the dispose caused is expected");
        Assert.That(log.Entries.Where(IsWarning), Is.Empty);
        Assert.That(errors, Is.Zero);
        await negotiator.DisposeAsync(); // twice is fine
    }

    [Test]
    public async Task TheConnectionClosesWhileTheOfferIsBeingSent_IsNotAFailure()
    {
        using var watch = UnhandledExceptions.Watch();
        var log = new ListLogger();
        await using var pc = NewPeer();
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var send = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = new ScriptedSignalingChannel
        {
            OnSend = (m, _) =>
            {
                if (m.Type != SignalingMessageType.Offer)
                {
                    return Task.CompletedTask;
                }

                sending.TrySetResult();
                return send.Task;
            },
        };
        await using var negotiator = PerfectNegotiator.Attach(pc, channel, polite: true, logger: log);
        int errors = 0;
        negotiator.Error += (_, _) => Interlocked.Increment(ref errors);

        await CreateDataChannelOffContext(pc);
        await sending.Task.WaitAsync(Timeout);
        pc.Close();
        send.SetException(new OperationCanceledException("the application tore its signaling down with the call"));
        await Task.WhenAny(watch.First, log.WaitFor(e => e.Exception is OperationCanceledException)).WaitAsync(Timeout);

        Assert.That(watch.Seen, Is.Empty, "the failed send escaped the negotiator");
        Assert.That(log.Entries.Where(e => e.Exception is OperationCanceledException).Select(e => e.Level), Is.Not.Empty.And.All.EqualTo(LogLevel.Debug), "a failure after Close is expected");
        Assert.That(log.Entries.Where(IsWarning), Is.Empty);
        Assert.That(errors, Is.Zero);
    }

    [Test]
    public async Task ReadingTheChannelFails_CompletionEndsWithoutFault_AndTheFailureIsLogged()
    {
        var log = new ListLogger();
        await using var pc = NewPeer();
        var channel = new ScriptedSignalingChannel();
        await using var negotiator = PerfectNegotiator.Attach(pc, channel, polite: true, logger: log);
        var error = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        negotiator.Error += (_, e) => error.TrySetResult(e);

        var broken = new IOException("the connection to the signaling server broke");
        channel.FailReading(broken);

        await Assert.ThatAsync(() => negotiator.Completion.WaitAsync(Timeout), Throws.Nothing, "Completion never faults");
        Assert.That(log.Entries.Single(IsWarning).Exception, Is.SameAs(broken));
        Assert.That(await error.Task.WaitAsync(Timeout), Is.SameAs(broken));
    }

    [Test]
    public async Task AnAnswerThatCannotBeSent_DoesNotStopTheReadLoop()
    {
        using var watch = UnhandledExceptions.Watch();
        var log = new ListLogger();
        await using var pc = NewPeer();
        await using var remote = NewPeer();
        remote.CreateDataChannel("from-remote");
        var offer = await remote.CreateOfferAsync();
        var channel = new ScriptedSignalingChannel
        {
            OnSend = (m, _) => m.Type == SignalingMessageType.Answer
                ? Task.FromException(new SignalingBackendException("answer rejected by the message bus"))
                : Task.CompletedTask,
        };
        await using var negotiator = PerfectNegotiator.Attach(pc, channel, polite: true, logger: log);

        channel.Receive(SignalingMessage.Offer(offer.Sdp));
        channel.Receive(SignalingMessage.Bye());
        channel.Hangup();

        await Assert.ThatAsync(() => negotiator.Completion.WaitAsync(Timeout), Throws.Nothing, "Completion never faults");
        Assert.That(pc.SignalingState, Is.EqualTo(RTCSignalingState.Closed), "the bye after the failed answer was still read");
        Assert.That(log.Entries.Where(IsWarning).Select(e => e.Exception), Has.Some.TypeOf<SignalingBackendException>());
        Assert.That(watch.Seen, Is.Empty);
    }

    /// <summary>What an application's own signaling transport might throw.</summary>
    private sealed class SignalingBackendException(string message) : Exception(message);
}
