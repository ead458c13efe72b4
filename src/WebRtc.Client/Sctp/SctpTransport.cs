using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.Dtls;
using WebRtc.Client.Net;

namespace WebRtc.Client.Sctp;

/// <summary>States of the SCTP transport as W3C RTCSctpTransport names them.</summary>
public enum RTCSctpTransportState
{
    /// <summary>The association is being set up.</summary>
    Connecting,

    /// <summary>The association is up.</summary>
    Connected,

    /// <summary>The association is gone.</summary>
    Closed,
}

/// <summary>Settings of an <see cref="SctpTransport"/>.</summary>
public sealed record SctpTransportOptions
{
    /// <summary>Association settings (ports, windows, timers, message sizes).</summary>
    public SctpAssociationOptions Association { get; init; } = new();

    /// <summary>Clock for the association's timers.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logger.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}

/// <summary>A message handed up by <see cref="SctpTransport"/>; valid only during the callback.</summary>
/// <param name="streamId">Stream.</param>
/// <param name="ppid">Payload protocol identifier.</param>
/// <param name="data">The bytes (only valid during the call).</param>
public delegate void SctpMessageHandler(ushort streamId, uint ppid, ReadOnlyMemory<byte> data);

/// <summary>
/// Drives an <see cref="SctpAssociation"/> over a datagram transport (DTLS, RFC 8261): feeds
/// it received records, sends what it produces, runs its timers on a <see cref="TimeProvider"/>,
/// and hands messages and events up in order, without holding its lock during callbacks.
/// Messages arrive on the thread that received the packet (the DTLS receive thread).
/// </summary>
public sealed class SctpTransport : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly IDatagramTransport _transport;
    private readonly SctpTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _start;
    private readonly SctpAssociation _association;
    private readonly byte[] _sendBuffer;
    private readonly ITimer _timer;
    private readonly Queue<DispatchItem> _dispatch = new();
    private readonly List<ushort> _bufferedScratch = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan? _armedDeadline;
    private bool _dispatching;
    private bool _started;
    // Packets that came before Start: handled at Start, once the owner has wired its handlers.
    private readonly Queue<byte[]> _early = new();
    private const int MaxEarlyPackets = 64;
    private RTCSctpTransportState _state = RTCSctpTransportState.Connecting;
    private long _sendFailures;

    /// <summary>Creates the transport over <paramref name="transport"/> (normally a connected <see cref="DtlsTransport"/>).</summary>
    public SctpTransport(IDatagramTransport transport, SctpTransportOptions? options = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _options = options ?? new SctpTransportOptions();
        _time = _options.TimeProvider;
        _logger = _options.Logger;
        _start = _time.GetTimestamp();
        var association = _options.Association;
        if (transport is DtlsTransport { MaxSendSize: > 0 } dtls && dtls.MaxSendSize < association.MaxPacketSize)
        {
            association = association with { MaxPacketSize = dtls.MaxSendSize & ~3 };
        }

        _association = new SctpAssociation(association);
        _sendBuffer = new byte[association.MaxPacketSize];
        _timer = _time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        transport.Receiver = OnDatagram;
    }

    /// <summary>Raised in order when <see cref="State"/> changes.</summary>
    public event EventHandler<RTCSctpTransportState>? StateChanged;

    /// <summary>Raised when the peer reset streams of its own (our incoming side of them is closed).</summary>
    public event EventHandler<ushort[]>? IncomingStreamsReset;

    /// <summary>Raised when our reset of outgoing streams completed; the flag is false when the peer refused.</summary>
    public event EventHandler<(ushort[] Streams, bool Success)>? OutgoingStreamsReset;

    /// <summary>Called for every delivered message, in order, on the receiving thread.</summary>
    public SctpMessageHandler? MessageHandler { get; set; }

    /// <summary>Called after sends drained the buffered amount of a stream (with its new amount).</summary>
    public Action<ushort, long>? BufferedAmountDecreased { get; set; }

    /// <summary>The state.</summary>
    public RTCSctpTransportState State => _state;

    /// <summary>Why the association closed abnormally, if it did.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>The largest message we may send (the peer's max-message-size).</summary>
    public int MaxMessageSize => _association.Options.MaxSendMessageSize;

    /// <summary>The largest number of channels usable at once (negotiated streams), or null before connecting.</summary>
    public int? MaxChannels
    {
        get
        {
            lock (_gate)
            {
                return _association.IsEstablished ? Math.Min(_association.OutboundStreams, _association.InboundStreams) : null;
            }
        }
    }

    /// <summary>Counters of the association.</summary>
    public SctpAssociationStatistics Statistics => _association.Statistics;

    /// <summary>Records the transport could not send (the association retransmits them).</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>A snapshot of the association's state, for logs.</summary>
    public string DescribeState()
    {
        lock (_gate)
        {
            return _association.DescribeState();
        }
    }

    /// <summary>
    /// Starts the association (INIT). Both peers may start; the collision is resolved by the protocol.
    /// Packets received before this call are held and handled right after our INIT, so nothing the
    /// peer sent early (its INIT, say) reaches a transport whose handlers are not set yet.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            if (_association.State == SctpAssociationState.Closed && !_association.IsEstablished)
            {
                _association.Connect(Now);
            }

            // After our INIT: a held INIT is then answered with our tag (RFC 9260 §5.2.1), so both
            // sides converge on one association. Answered from Closed, it would carry a tag our INIT
            // then replaces, and the peer's COOKIE ECHO would be discarded.
            while (_early.TryDequeue(out var packet))
            {
                Handle(packet);
            }

            Flush();
        }

        Dispatch();
    }

    /// <summary>Starts (if needed) and waits until the association is up.</summary>
    /// <exception cref="OperationErrorException">The association closed before it came up.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        Start();
        var done = await Task.WhenAny(_connected.Task, _closed.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (done != _connected.Task)
        {
            throw new OperationErrorException("The SCTP association closed before it was established" + (CloseReason is null ? "." : ": " + CloseReason));
        }
    }

    /// <summary>Queues one message (copied).</summary>
    /// <exception cref="InvalidOperationException">The association cannot send (closed, shutting down, or the stream is being reset).</exception>
    /// <exception cref="ArgumentException">The message is empty or larger than the peer accepts.</exception>
    public void Send(ushort streamId, uint ppid, ReadOnlySpan<byte> data, SctpSendOptions options = default)
    {
        lock (_gate)
        {
            _association.Send(streamId, ppid, data, options, Now);
            Flush();
        }

        Dispatch();
    }

    /// <summary>Bytes queued on a stream and not yet sent once.</summary>
    public long GetBufferedAmount(ushort streamId)
    {
        lock (_gate)
        {
            return _association.GetBufferedAmount(streamId);
        }
    }

    /// <summary>Resets outgoing streams once their queued data is sent (RFC 6525); see <see cref="OutgoingStreamsReset"/>.</summary>
    public void ResetStreams(params ushort[] streams)
    {
        lock (_gate)
        {
            _association.ResetStreams(streams);
            Flush();
        }

        Dispatch();
    }

    /// <summary>Shuts down gracefully (queued data first) and waits until closed or cancelled.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_association.IsEstablished)
            {
                _association.Shutdown(Now);
            }
            else
            {
                _association.Abort("closed before it was established");
            }

            Flush();
        }

        Dispatch();
        await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Aborts the association at once (ABORT chunk).</summary>
    public void Abort(string reason = "closed by the application")
    {
        lock (_gate)
        {
            _association.Abort(reason);
            Flush();
        }

        Dispatch();
    }

    /// <summary>Aborts if still open and stops the timer.</summary>
    public ValueTask DisposeAsync()
    {
        if (_state != RTCSctpTransportState.Closed)
        {
            Abort("disposed");
        }

        _timer.Dispose();
        _transport.Receiver = null;
        return ValueTask.CompletedTask;
    }

    private TimeSpan Now => _time.GetElapsedTime(_start);

    private void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        lock (_gate)
        {
            if (!_started)
            {
                if (_early.Count < MaxEarlyPackets)
                {
                    _early.Enqueue(datagram.ToArray());
                }

                return;
            }

            Handle(datagram);
            Flush();
        }

        Dispatch();
    }

    // Under _gate.
    private void Handle(ReadOnlySpan<byte> datagram)
    {
        if (!_association.HandlePacket(datagram, Now))
        {
            SctpLog.Dropped(_logger, datagram.Length, _association.Statistics.PacketsDropped);
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _armedDeadline = null;
            _association.HandleTimeout(Now);
            Flush();
        }

        Dispatch();
    }

    // Under _gate: send what the association has, collect what goes up, re-arm the timer.
    private void Flush()
    {
        var now = Now;
        int n;
        while ((n = _association.PollTransmit(_sendBuffer, now)) > 0)
        {
            if (!_transport.TrySend(_sendBuffer.AsSpan(0, n)))
            {
                _sendFailures++;
            }
        }

        while (_association.TryReceive(out var message))
        {
            _dispatch.Enqueue(new DispatchItem(DispatchKind.Message, message, null, 0, 0));
        }

        while (_association.PollEvent(out var e))
        {
            _dispatch.Enqueue(new DispatchItem(DispatchKind.Event, default, e, 0, 0));
        }

        _association.CollectBufferedAmountChanges(_bufferedScratch);
        foreach (ushort stream in _bufferedScratch)
        {
            _dispatch.Enqueue(new DispatchItem(DispatchKind.Buffered, default, null, stream, _association.GetBufferedAmount(stream)));
        }

        _bufferedScratch.Clear();
        var deadline = _association.NextDeadline;
        if (deadline != _armedDeadline)
        {
            _armedDeadline = deadline;
            var due = deadline is { } d ? (d > now ? d - now : TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    // One dispatcher at a time drains the queue in order, with no lock held during callbacks.
    private void Dispatch()
    {
        while (true)
        {
            DispatchItem item;
            lock (_gate)
            {
                if (_dispatching || !_dispatch.TryDequeue(out item))
                {
                    return;
                }

                _dispatching = true;
            }

            try
            {
                while (true)
                {
                    Deliver(item);
                    lock (_gate)
                    {
                        if (!_dispatch.TryDequeue(out item))
                        {
                            _dispatching = false;
                            break;
                        }
                    }
                }
            }
            catch
            {
                lock (_gate)
                {
                    _dispatching = false;
                }

                throw;
            }
        }
    }

    private void Deliver(in DispatchItem item)
    {
        switch (item.Kind)
        {
            case DispatchKind.Message:
                using (var message = item.Message)
                {
                    try
                    {
                        MessageHandler?.Invoke(message.StreamId, message.Ppid, message.Memory);
                    }
                    catch (Exception ex)
                    {
                        _logger.LogError(ex, "An SCTP message handler threw; the transport carries on");
                    }
                }

                break;
            case DispatchKind.Buffered:
                try
                {
                    BufferedAmountDecreased?.Invoke(item.StreamId, item.Amount);
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "A buffered-amount handler threw; the transport carries on");
                }

                break;
            case DispatchKind.Event:
                RaiseEvent(item.Event!);
                break;
        }
    }

    private void RaiseEvent(SctpAssociationEvent e)
    {
        switch (e)
        {
            case SctpStateChangedEvent changed:
                var state = changed.State switch
                {
                    SctpAssociationState.Closed => RTCSctpTransportState.Closed,
                    SctpAssociationState.CookieWait or SctpAssociationState.CookieEchoed => RTCSctpTransportState.Connecting,
                    _ => RTCSctpTransportState.Connected,
                };
                if (state == _state || _state == RTCSctpTransportState.Closed)
                {
                    return;
                }

                if (state == RTCSctpTransportState.Closed)
                {
                    CloseReason = changed.Reason;
                    if (changed.Reason is not null)
                    {
                        _logger.LogInformation("SCTP association closed: {Reason}", changed.Reason);
                    }
                }

                _state = state;
                EventInvoker.Raise(StateChanged, this, state, _logger, nameof(StateChanged));
                if (state == RTCSctpTransportState.Connected)
                {
                    _connected.TrySetResult();
                }
                else if (state == RTCSctpTransportState.Closed)
                {
                    _closed.TrySetResult();
                }

                break;
            case SctpIncomingStreamsResetEvent incoming:
                EventInvoker.Raise(IncomingStreamsReset, this, incoming.Streams, _logger, nameof(IncomingStreamsReset));
                break;
            case SctpOutgoingStreamsResetEvent outgoing:
                EventInvoker.Raise(OutgoingStreamsReset, this, (outgoing.Streams, outgoing.Success), _logger, nameof(OutgoingStreamsReset));
                break;
        }
    }

    private enum DispatchKind : byte
    {
        Message,
        Event,
        Buffered,
    }

    private readonly record struct DispatchItem(DispatchKind Kind, SctpReceivedMessage Message, SctpAssociationEvent? Event, ushort StreamId, long Amount);
}

/// <summary>Source-generated log messages of the SCTP layer.</summary>
internal static partial class SctpLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "SCTP: dropped a packet of {Length} bytes ({Total} dropped so far)")]
    public static partial void Dropped(ILogger logger, int length, long total);
}
