namespace WebRtc.Client.Signaling;

/// <summary>
/// A pluggable, ordered, message-based path to the remote peer for offers, answers and candidates
/// (WebSocket, in-memory pair, or anything an application brings, such as SignalR or MQTT).
/// </summary>
/// <remarks>
/// <para>
/// Messages arrive in the order the remote sent them. Messages that arrive before anyone reads are
/// buffered, so a negotiation loop may start reading late without losing any. Read with one
/// consumer at a time: concurrent enumerations of <see cref="ReadAllAsync"/> compete for messages.
/// </para>
/// <para>
/// A typical negotiation loop:
/// <code>
/// await foreach (var m in channel.ReadAllAsync(ct))
/// {
///     switch (m.Type) { case SignalingMessageType.Offer: ...; case SignalingMessageType.Candidate: ...; }
/// }
/// // Here the channel is closed; channel.Completion says why.
/// </code>
/// </para>
/// <para>
/// <see cref="SendAsync"/> may be called concurrently; each message is sent whole and exactly once.
/// A <see cref="SignalingMessageType.Bye"/> message is data like any other; it does not close the channel.
/// </para>
/// </remarks>
public interface ISignalingChannel : IAsyncDisposable
{
    /// <summary>
    /// Sends a message. The task completes when the message is handed to the transport (not when
    /// the remote has read it).
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send. On a WebSocket, cancelling a send that has started aborts the connection.</param>
    /// <returns>A task that completes when the message is sent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="SignalingException">The channel is closed, the message is too large, or the transport failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task SendAsync(SignalingMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the received messages in order, as they arrive. The stream ends (without an exception)
    /// once the channel is closed — by <see cref="IAsyncDisposable.DisposeAsync"/>, a remote hang-up or a
    /// lost connection — and every message received before that has been read.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the enumeration then throws <see cref="OperationCanceledException"/>. Unread messages stay buffered.</param>
    /// <returns>The messages.</returns>
    IAsyncEnumerable<SignalingMessage> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes, with why, when the channel closes. It never faults or cancels. Messages received
    /// before the close may still be waiting to be read from <see cref="ReadAllAsync"/>.
    /// </summary>
    Task<SignalingCloseInfo> Completion { get; }
}
