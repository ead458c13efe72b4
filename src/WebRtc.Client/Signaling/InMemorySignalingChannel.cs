using System.Threading.Channels;

namespace WebRtc.Client.Signaling;

/// <summary>
/// One end of an in-process signaling pair (see <see cref="CreatePair"/>), for tests and for two
/// peer connections in one process: what one end sends, the other receives, in order.
/// </summary>
/// <remarks>
/// Delivery is always asynchronous: a message is never handed to the reader on the sender's
/// stack, so a handler that answers an offer from inside the read loop cannot re-enter the
/// sender. <see cref="SignalingChannel.SendAsync"/> completes as soon as the message is queued.
/// Disposing one end closes it at once (<see cref="SignalingCloseReason.Local"/>); the other end
/// receives every message already sent and then closes with <see cref="SignalingCloseReason.Remote"/>.
/// Messages sent to an end that has closed are dropped, as a network would.
/// </remarks>
public sealed class InMemorySignalingChannel : SignalingChannel
{
    private readonly Channel<(SignalingMessage Message, DateTimeOffset Due)> _outbound =
        Channel.CreateUnbounded<(SignalingMessage, DateTimeOffset)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private InMemorySignalingChannel _peer = null!;
    private Task _pump = Task.CompletedTask;

    private InMemorySignalingChannel(TimeSpan delay, TimeProvider time)
    {
        _delay = delay;
        _time = time;
    }

    /// <summary>Creates two connected ends.</summary>
    /// <param name="delay">How long each message takes to reach the other end; zero (the default) for no delay. Order is kept either way.</param>
    /// <param name="timeProvider">The clock for <paramref name="delay"/> (a fake one in tests); <see cref="TimeProvider.System"/> by default.</param>
    /// <returns>The two ends.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static (InMemorySignalingChannel A, InMemorySignalingChannel B) CreatePair(TimeSpan delay = default, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var time = timeProvider ?? TimeProvider.System;
        var a = new InMemorySignalingChannel(delay, time);
        var b = new InMemorySignalingChannel(delay, time);
        a._peer = b;
        b._peer = a;
        a._pump = a.PumpAsync();
        b._pump = b.PumpAsync();
        return (a, b);
    }

    /// <summary>Closes this end; the other end closes after it has received what this end sent.</summary>
    /// <returns>A task that completes when the messages this end sent have been delivered (or dropped).</returns>
    public override async ValueTask DisposeAsync()
    {
        TryClose(new SignalingCloseInfo(SignalingCloseReason.Local));
        _outbound.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override Task SendCoreAsync(SignalingMessage message, CancellationToken cancellationToken) =>
        _outbound.Writer.TryWrite((message, _delay > TimeSpan.Zero ? _time.GetUtcNow() + _delay : default))
            ? Task.CompletedTask
            : Task.FromException(ClosedException());

    // Carries this end's messages to the peer, after the delay, then tells the peer this end closed.
    private async Task PumpAsync()
    {
        await Task.Yield();
        var reader = _outbound.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                var wait = item.Due - _time.GetUtcNow();
                if (_delay > TimeSpan.Zero && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time).ConfigureAwait(false);
                }

                await _peer.DeliverAsync(item.Message).ConfigureAwait(false);
            }
        }

        _peer.OnRemoteClosed();
    }

    private void OnRemoteClosed()
    {
        TryClose(new SignalingCloseInfo(SignalingCloseReason.Remote, "The other end of the in-memory pair was closed."));
        _outbound.Writer.TryComplete();
    }
}
