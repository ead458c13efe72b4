using System.Threading.Channels;

namespace WebRtc.Client.Signaling;

/// <summary>
/// A base for <see cref="ISignalingChannel"/> implementations: it holds the ordered inbox, the
/// stream, the close state and <see cref="Completion"/>. A transport derives from it, implements
/// <see cref="SendCoreAsync"/> and <see cref="DisposeAsync"/>, calls <see cref="DeliverAsync"/> for
/// each message it receives (in order, from one loop) and <see cref="TryClose"/> when it closes.
/// </summary>
public abstract class SignalingChannel : ISignalingChannel
{
    private readonly Channel<SignalingMessage> _inbox;
    private readonly TaskCompletionSource<SignalingCloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the channel state.</summary>
    /// <param name="inboxCapacity">
    /// How many received, unread messages to buffer; 0 for no limit. With a limit,
    /// <see cref="DeliverAsync"/> waits for room, which pushes back on the transport.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inboxCapacity"/> is negative.</exception>
    protected SignalingChannel(int inboxCapacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inboxCapacity);
        // Continuations never run on the writer's stack (AllowSynchronousContinuations is false).
        _inbox = inboxCapacity == 0
            ? Channel.CreateUnbounded<SignalingMessage>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false })
            : Channel.CreateBounded<SignalingMessage>(new BoundedChannelOptions(inboxCapacity) { FullMode = BoundedChannelFullMode.Wait });
    }

    /// <inheritdoc/>
    public Task<SignalingCloseInfo> Completion => _completion.Task;

    /// <summary>Whether the channel is closed (<see cref="Completion"/> has completed).</summary>
    public bool IsClosed => _completion.Task.IsCompleted;

    /// <inheritdoc/>
    public Task SendAsync(SignalingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (cancellationToken.IsCancellationRequested) { return Task.FromCanceled(cancellationToken); }
        if (_completion.Task.IsCompleted) { return Task.FromException(ClosedException()); }
        return SendCoreAsync(message, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SignalingMessage> ReadAllAsync(CancellationToken cancellationToken = default) => _inbox.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Waits for the next received message.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The next message, or null when the channel is closed and every message has been read.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<SignalingMessage?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (await _inbox.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inbox.Reader.TryRead(out var message)) { return message; }
        }

        return null;
    }

    /// <summary>Closes the channel (if it is open) and releases the transport.</summary>
    /// <returns>A task that completes when the transport is released.</returns>
    public abstract ValueTask DisposeAsync();

    /// <summary>Sends a message over the transport; called by <see cref="SendAsync"/> after the argument and close checks.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the message is sent.</returns>
    protected abstract Task SendCoreAsync(SignalingMessage message, CancellationToken cancellationToken);

    /// <summary>Puts a received message in the inbox. Call from one receive loop, in arrival order.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Stops waiting for room in a bounded inbox.</param>
    /// <returns><see langword="false"/> when the channel is closed and the message was dropped.</returns>
    protected async ValueTask<bool> DeliverAsync(SignalingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        while (await _inbox.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inbox.Writer.TryWrite(message)) { return true; }
        }

        return false;
    }

    /// <summary>
    /// Marks the channel closed: <see cref="Completion"/> completes with <paramref name="info"/> and the
    /// stream ends after the buffered messages. Only the first call has an effect.
    /// </summary>
    /// <param name="info">Why the channel closed.</param>
    /// <returns><see langword="true"/> for the call that closed the channel.</returns>
    protected bool TryClose(SignalingCloseInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!_completion.TrySetResult(info)) { return false; }
        _inbox.Writer.TryComplete();
        return true;
    }

    /// <summary>The exception for a send on a closed channel, naming why it closed.</summary>
    /// <returns>The exception.</returns>
    protected SignalingException ClosedException()
    {
        var info = _completion.Task.IsCompleted ? _completion.Task.Result : null;
        string why = info?.Reason switch
        {
            SignalingCloseReason.Local => "it was closed by this side",
            SignalingCloseReason.Remote => "the remote closed it",
            SignalingCloseReason.ConnectionLost => "the connection was lost",
            SignalingCloseReason.ProtocolError => "the remote broke the protocol",
            _ => "it is closing",
        };
        string detail = info?.Description is { } d ? $" ({d})" : "";
        return info?.Error is { } error
            ? new SignalingException($"The signaling channel is closed: {why}{detail}.", error)
            : new SignalingException($"The signaling channel is closed: {why}{detail}.");
    }
}
