using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using WebRtc.Client.Signaling;

namespace WebRtc.Client.IntegrationTests.Support;

/// <summary>
/// An application's own <see cref="ISignalingChannel"/>, scripted by the test: what a send does
/// (succeed, throw, wait) and what the remote "sends" (<see cref="Receive"/>), including a read that fails.
/// </summary>
internal sealed class ScriptedSignalingChannel : ISignalingChannel
{
    private readonly Channel<SignalingMessage> _inbox = Channel.CreateUnbounded<SignalingMessage>();
    private readonly TaskCompletionSource<SignalingCloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? _readFailure;

    /// <summary>What <see cref="SendAsync"/> does; succeeds by default.</summary>
    public Func<SignalingMessage, CancellationToken, Task> OnSend { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Messages handed to <see cref="SendAsync"/>, whatever it then did.</summary>
    public ConcurrentQueue<SignalingMessage> Sent { get; } = new();

    public Task<SignalingCloseInfo> Completion => _completion.Task;

    public Task SendAsync(SignalingMessage message, CancellationToken cancellationToken = default)
    {
        Sent.Enqueue(message);
        return OnSend(message, cancellationToken);
    }

    public async IAsyncEnumerable<SignalingMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }

        if (_readFailure is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>A message from the remote.</summary>
    public void Receive(SignalingMessage message) => _inbox.Writer.TryWrite(message);

    /// <summary>The remote hangs up: the stream ends after what was received.</summary>
    public void Hangup()
    {
        _completion.TrySetResult(new SignalingCloseInfo(SignalingCloseReason.Remote));
        _inbox.Writer.TryComplete();
    }

    /// <summary>The transport breaks: the stream throws <paramref name="failure"/> after what was received.</summary>
    public void FailReading(Exception failure)
    {
        _readFailure = failure;
        _completion.TrySetResult(new SignalingCloseInfo(SignalingCloseReason.ConnectionLost, failure.Message, failure));
        _inbox.Writer.TryComplete();
    }

    public ValueTask DisposeAsync()
    {
        Hangup();
        return ValueTask.CompletedTask;
    }
}
