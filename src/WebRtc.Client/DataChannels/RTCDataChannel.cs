using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Net;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.DataChannels;

/// <summary>
/// A WebRTC data channel (W3C RTCDataChannel over RFC 8831/8832). Create one with
/// <see cref="DataChannelController.CreateDataChannel"/>; the peer's appear in
/// <see cref="DataChannelController.DataChannel"/>. Thread-safe; events are raised without
/// internal locks held, messages on the transport's receive thread in order.
/// </summary>
public sealed class RTCDataChannel
{
    private readonly object _gate = new();
    private readonly DataChannelController _owner;
    private readonly ILogger _logger;
    private RTCDataChannelState _state = RTCDataChannelState.Connecting;
    private long _bufferedAmountLowThreshold;
    private bool _wasAboveThreshold;
    private TaskCompletionSource? _drained;
    private ArrayBufferWriter<byte>? _partial;
    private bool _incomingReset;
    private bool _outgoingReset;
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesReceived;
    private long _bytesReceived;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RTCDataChannel(DataChannelController owner, string label, RTCDataChannelInit init, ushort? id, ILogger logger)
    {
        _owner = owner;
        _logger = logger;
        Label = label;
        Ordered = init.Ordered;
        MaxPacketLifeTime = init.MaxPacketLifeTime;
        MaxRetransmits = init.MaxRetransmits;
        Protocol = init.Protocol;
        Negotiated = init.Negotiated;
        Priority = init.Priority;
        Id = id;
    }

    /// <summary>Raised when the channel opens.</summary>
    public event EventHandler? Open;

    /// <summary>Raised for each message, in order (for ordered channels).</summary>
    public event EventHandler<RTCDataChannelMessageEventArgs>? MessageReceived;

    /// <summary>Raised when <see cref="BufferedAmount"/> falls from above <see cref="BufferedAmountLowThreshold"/> to at most it.</summary>
    public event EventHandler? BufferedAmountLow;

    /// <summary>Raised when the channel fails (for example when the SCTP association dies).</summary>
    public event EventHandler<RTCErrorEventArgs>? Error;

    /// <summary>Raised when the peer starts closing the channel.</summary>
    public event EventHandler? Closing;

    /// <summary>Raised once the channel is closed.</summary>
    public event EventHandler? Close;

    /// <summary>The label.</summary>
    public string Label { get; }

    /// <summary>True when messages are delivered in order.</summary>
    public bool Ordered { get; }

    /// <summary>Lifetime limit in milliseconds, if partially reliable by time.</summary>
    public ushort? MaxPacketLifeTime { get; }

    /// <summary>Retransmission limit, if partially reliable by retransmits.</summary>
    public ushort? MaxRetransmits { get; }

    /// <summary>The sub-protocol.</summary>
    public string Protocol { get; }

    /// <summary>True when opened by the application on both sides (no DCEP).</summary>
    public bool Negotiated { get; }

    /// <summary>The priority.</summary>
    public RTCPriorityType Priority { get; }

    /// <summary>The SCTP stream id (null until the DTLS role is known).</summary>
    public ushort? Id { get; internal set; }

    /// <summary>The state.</summary>
    public RTCDataChannelState ReadyState
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Bytes queued by Send and not yet sent.</summary>
    public long BufferedAmount => Id is { } id && _owner.Transport is { } transport ? transport.GetBufferedAmount(id) : 0;

    /// <summary>The level <see cref="BufferedAmountLow"/> watches (default 0).</summary>
    public long BufferedAmountLowThreshold
    {
        get => Interlocked.Read(ref _bufferedAmountLowThreshold);
        set => Interlocked.Exchange(ref _bufferedAmountLowThreshold, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>The largest message the peer accepts.</summary>
    public int MaxMessageSize => _owner.Transport?.MaxMessageSize ?? 0;

    /// <summary>Messages sent (W3C RTCDataChannelStats.messagesSent).</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Payload bytes sent (W3C bytesSent).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Messages received (W3C messagesReceived).</summary>
    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    /// <summary>Payload bytes received (W3C bytesReceived).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    internal bool Acknowledged { get; set; }

    internal SctpSendOptions SendOptions => new()
    {
        // RFC 8832 §6: until the peer acknowledges the OPEN, messages go ordered so none overtakes it.
        Unordered = !Ordered && (Acknowledged || Negotiated),
        MaxRetransmits = MaxRetransmits,
        Lifetime = MaxPacketLifeTime is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
    };

    /// <summary>Sends a text message (PPID 51; empty text as PPID 56).</summary>
    /// <exception cref="InvalidStateException">The channel is not open.</exception>
    /// <exception cref="ArgumentException">The message is larger than the peer accepts.</exception>
    /// <exception cref="OperationErrorException">More than <see cref="DataChannelOptions.MaxBufferedAmount"/> would be buffered.</exception>
    public void Send(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        try
        {
            Span<byte> buffer = rented ?? stackalloc byte[max];
            int n = Encoding.UTF8.GetBytes(text, buffer);
            SendCore(buffer[..n], binary: false);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Sends a binary message (PPID 53; empty as PPID 57). The bytes are copied.</summary>
    /// <exception cref="InvalidStateException">The channel is not open.</exception>
    /// <exception cref="ArgumentException">The message is larger than the peer accepts.</exception>
    /// <exception cref="OperationErrorException">More than <see cref="DataChannelOptions.MaxBufferedAmount"/> would be buffered.</exception>
    public void Send(ReadOnlySpan<byte> data) => SendCore(data, binary: true);

    /// <summary>Sends a binary message.</summary>
    public void Send(byte[] data) => SendCore(data, binary: true);

    /// <summary>
    /// Sends a binary message once the buffered amount leaves room for it (below
    /// <see cref="DataChannelOptions.SendAsyncBufferLimit"/>): flow control for bulk senders.
    /// </summary>
    public async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_state != RTCDataChannelState.Open)
                {
                    throw new InvalidStateException($"The data channel '{Label}' is {_state}, not open.");
                }

                long buffered = BufferedAmount;
                if (buffered == 0 || buffered + data.Length <= _owner.Options.SendAsyncBufferLimit)
                {
                    _drained = null;
                    wait = Task.CompletedTask;
                }
                else
                {
                    _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _drained.Task;
                }
            }

            if (wait.IsCompleted)
            {
                SendCore(data.Span, binary: true);
                return;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a text message once there is buffer room (see <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>).</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken = default) =>
        SendTextAsync(text, cancellationToken);

    /// <summary>
    /// Closes the channel (W3C close()): no more sends, queued messages still go out, then the
    /// stream is reset both ways (RFC 8831 §6.7). The task completes when the channel is closed;
    /// it need not be awaited.
    /// </summary>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        _owner.CloseChannel(this);
        return _closed.Task.WaitAsync(cancellationToken);
    }

    private async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        while (true)
        {
            long buffered = BufferedAmount;
            if (buffered == 0 || buffered + bytes.Length <= _owner.Options.SendAsyncBufferLimit || ReadyState != RTCDataChannelState.Open)
            {
                SendCore(bytes, binary: false);
                return;
            }

            Task wait;
            lock (_gate)
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _drained.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SendCore(ReadOnlySpan<byte> data, bool binary)
    {
        ushort id;
        lock (_gate)
        {
            if (_state != RTCDataChannelState.Open || Id is null)
            {
                throw new InvalidStateException($"The data channel '{Label}' is {_state}, not open.");
            }

            id = Id.Value;
        }

        if (data.Length > MaxMessageSize && MaxMessageSize > 0)
        {
            throw new ArgumentException($"The message is {data.Length} bytes; the peer accepts at most {MaxMessageSize} (max-message-size).", nameof(data));
        }

        var transport = _owner.RequireTransport();
        long before = transport.GetBufferedAmount(id);
        if (before + data.Length > _owner.Options.MaxBufferedAmount)
        {
            throw new OperationErrorException($"The send buffer of data channel '{Label}' is full ({before} bytes queued).");
        }

        if (before + data.Length > BufferedAmountLowThreshold)
        {
            _wasAboveThreshold = true;
        }

        uint ppid;
        if (data.IsEmpty)
        {
            // RFC 8831 §6.6: SCTP cannot carry an empty message; one byte with the "empty" PPID stands in.
            ppid = binary ? DataChannelPpid.BinaryEmpty : DataChannelPpid.StringEmpty;
            data = [0];
        }
        else
        {
            ppid = binary ? DataChannelPpid.Binary : DataChannelPpid.String;
        }

        int length = ppid is DataChannelPpid.BinaryEmpty or DataChannelPpid.StringEmpty ? 0 : data.Length;
        try
        {
            transport.Send(id, ppid, data, SendOptions);
            Interlocked.Increment(ref _messagesSent);
            Interlocked.Add(ref _bytesSent, length);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidStateException($"The data channel '{Label}' cannot send: {ex.Message}");
        }
    }

    internal void OnMessage(uint ppid, ReadOnlyMemory<byte> data)
    {
        Acknowledged = true; // any message proves the peer has the channel (RFC 8832 §6)
        bool binary;
        switch (ppid)
        {
            case DataChannelPpid.String:
            case DataChannelPpid.Binary:
                binary = ppid == DataChannelPpid.Binary;
                if (_partial is { WrittenCount: > 0 } partial)
                {
                    partial.Write(data.Span);
                    data = partial.WrittenMemory;
                }

                break;
            case DataChannelPpid.StringEmpty:
            case DataChannelPpid.BinaryEmpty:
                binary = ppid == DataChannelPpid.BinaryEmpty;
                data = ReadOnlyMemory<byte>.Empty;
                break;
            case DataChannelPpid.StringPartial:
            case DataChannelPpid.BinaryPartial:
                // Deprecated PPIDs: pieces of one message until a final 51/53 (RFC 8831 §6.6).
                (_partial ??= new ArrayBufferWriter<byte>()).Write(data.Span);
                if (_partial.WrittenCount > Math.Max(MaxMessageSize, 65536) * 4L)
                {
                    _partial.Clear();
                }

                return;
            default:
                return; // unknown PPID: not ours to interpret
        }

        if (ReadyState is not (RTCDataChannelState.Open or RTCDataChannelState.Closing))
        {
            return;
        }

        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, data.Length);
        EventInvoker.Raise(MessageReceived, this, new RTCDataChannelMessageEventArgs(binary, data), _logger, nameof(MessageReceived));
        _partial?.Clear();
    }

    internal void OnBufferedAmount(long amount)
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetResult();
        if (_wasAboveThreshold && amount <= BufferedAmountLowThreshold)
        {
            _wasAboveThreshold = false;
            EventInvoker.Raise(BufferedAmountLow, this, _logger, nameof(BufferedAmountLow));
        }
    }

    internal void SetOpen()
    {
        lock (_gate)
        {
            if (_state != RTCDataChannelState.Connecting)
            {
                return;
            }

            _state = RTCDataChannelState.Open;
        }

        _owner.NoteOpened();
        EventInvoker.Raise(Open, this, _logger, nameof(Open));
    }

    /// <summary>Moves to Closing; true if it was not closing already.</summary>
    internal bool BeginClosing(bool raiseEvent)
    {
        lock (_gate)
        {
            if (_state is RTCDataChannelState.Closing or RTCDataChannelState.Closed)
            {
                return false;
            }

            _state = RTCDataChannelState.Closing;
        }

        if (raiseEvent)
        {
            EventInvoker.Raise(Closing, this, _logger, nameof(Closing));
        }

        return true;
    }

    /// <summary>Records one direction reset; true once both are (the channel can close).</summary>
    internal bool MarkReset(bool incoming)
    {
        lock (_gate)
        {
            if (incoming)
            {
                _incomingReset = true;
            }
            else
            {
                _outgoingReset = true;
            }

            return _incomingReset && _outgoingReset;
        }
    }

    internal void SetClosed(RTCException? error)
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            if (_state == RTCDataChannelState.Closed)
            {
                return;
            }

            _state = RTCDataChannelState.Closed;
            _owner.NoteClosed();
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetResult();
        _closed.TrySetResult();
        if (error is not null)
        {
            EventInvoker.Raise(Error, this, new RTCErrorEventArgs(error), _logger, nameof(Error));
        }

        EventInvoker.Raise(Close, this, _logger, nameof(Close));
    }
}
