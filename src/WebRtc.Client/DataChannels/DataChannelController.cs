using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.Net;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.DataChannels;

/// <summary>Settings of data channels beyond the W3C surface.</summary>
public sealed record DataChannelOptions
{
    /// <summary>Send throws once a channel would buffer more than this (Chrome uses 16 MiB).</summary>
    public long MaxBufferedAmount { get; init; } = 16 * 1024 * 1024;

    /// <summary>SendAsync waits while a channel's buffered amount plus the message would pass this.</summary>
    public long SendAsyncBufferLimit { get; init; } = 1024 * 1024;

    /// <summary>Logger.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}

/// <summary>
/// The data channels of one SCTP association: opens channels with DCEP (RFC 8832) or as
/// negotiated ones, picks stream ids by DTLS role, routes messages, and closes channels by
/// stream reset (RFC 8831 §6.7). <c>RTCPeerConnection</c> owns one; it is public so that
/// ICE + DTLS + SCTP can be used without SDP.
/// </summary>
public sealed class DataChannelController
{
    private readonly object _gate = new();
    private readonly Dictionary<ushort, RTCDataChannel> _channels = new();
    private readonly List<RTCDataChannel> _unassigned = new();
    private readonly ILogger _logger;
    private SctpTransport? _transport;
    private bool _isDtlsClient;
    private bool _roleKnown;
    private int _opened;
    private int _closedCount;

    /// <summary>Takes over <paramref name="transport"/>'s message and reset callbacks.</summary>
    /// <param name="transport">The SCTP transport (started or not).</param>
    /// <param name="isDtlsClient">
    /// The DTLS role, which picks the stream id parity (client even, server odd, RFC 8832 §6);
    /// null when not known yet (see <see cref="SetDtlsRole"/>).
    /// </param>
    /// <param name="options">Settings.</param>
    public DataChannelController(SctpTransport transport, bool? isDtlsClient, DataChannelOptions? options = null)
        : this(options)
    {
        Attach(transport ?? throw new ArgumentNullException(nameof(transport)), isDtlsClient);
    }

    /// <summary>
    /// Creates a controller with no transport yet: channels created now stay Connecting until
    /// <see cref="Attach"/> (what a peer connection does before its SCTP association exists).
    /// </summary>
    public DataChannelController(DataChannelOptions? options = null)
    {
        Options = options ?? new DataChannelOptions();
        _logger = Options.Logger;
    }

    /// <summary>Binds the controller to its SCTP transport (once), taking over its callbacks; channels open when it connects.</summary>
    /// <exception cref="InvalidOperationException">Already attached.</exception>
    public void Attach(SctpTransport transport, bool? isDtlsClient)
    {
        ArgumentNullException.ThrowIfNull(transport);
        lock (_gate)
        {
            if (_transport is not null)
            {
                throw new InvalidOperationException("The controller already has a transport.");
            }

            _transport = transport;
        }

        transport.MessageHandler = OnMessage;
        transport.BufferedAmountDecreased = OnBufferedAmount;
        transport.IncomingStreamsReset += OnIncomingReset;
        transport.OutgoingStreamsReset += OnOutgoingReset;
        transport.StateChanged += OnTransportState;
        if (isDtlsClient is { } client)
        {
            SetDtlsRole(client);
        }

        if (transport.State == RTCSctpTransportState.Connected)
        {
            OnTransportState(transport, RTCSctpTransportState.Connected);
        }
    }

    /// <summary>Channels that reached Open so far (W3C RTCPeerConnectionStats.dataChannelsOpened).</summary>
    public int ChannelsOpened => _opened;

    /// <summary>Channels that closed so far (W3C dataChannelsClosed).</summary>
    public int ChannelsClosed => _closedCount;

    /// <summary>
    /// Closes every channel at once (the peer connection is closing, or the remote answer rejected the data
    /// section); no stream reset is sent.
    /// </summary>
    /// <param name="error">The error each channel reports in an Error event before Close, or null for none.</param>
    public void CloseAll(RTCException? error = null)
    {
        RTCDataChannel[] channels;
        lock (_gate)
        {
            channels = _channels.Values.Concat(_unassigned).ToArray();
            _channels.Clear();
            _unassigned.Clear();
        }

        foreach (var channel in channels)
        {
            channel.BeginClosing(raiseEvent: false);
            channel.SetClosed(error);
        }
    }

    internal void NoteOpened() => Interlocked.Increment(ref _opened);

    internal void NoteClosed() => Interlocked.Increment(ref _closedCount);

    /// <summary>A channel the peer opened (W3C ondatachannel); its Open event follows.</summary>
    public event EventHandler<RTCDataChannelEventArgs>? DataChannel;

    /// <summary>The SCTP transport (null until <see cref="Attach"/>).</summary>
    public SctpTransport? Transport => _transport;

    internal SctpTransport RequireTransport() => _transport ?? throw new InvalidStateException("The data channel has no SCTP transport yet.");

    /// <summary>The settings.</summary>
    public DataChannelOptions Options { get; }

    /// <summary>The channels that are not closed.</summary>
    public IReadOnlyList<RTCDataChannel> Channels
    {
        get
        {
            lock (_gate)
            {
                return _channels.Values.Concat(_unassigned).ToArray();
            }
        }
    }

    /// <summary>Sets the DTLS role once known; assigns ids to channels created before.</summary>
    public void SetDtlsRole(bool isDtlsClient)
    {
        List<RTCDataChannel> toOpen = new();
        lock (_gate)
        {
            if (_roleKnown)
            {
                return;
            }

            _roleKnown = true;
            _isDtlsClient = isDtlsClient;
            foreach (var channel in _unassigned)
            {
                channel.Id = AllocateId();
                _channels[channel.Id.Value] = channel;
                toOpen.Add(channel);
            }

            _unassigned.Clear();
        }

        if (Transport?.State == RTCSctpTransportState.Connected)
        {
            foreach (var channel in toOpen)
            {
                Announce(channel);
            }
        }
    }

    /// <summary>Creates a channel (W3C createDataChannel).</summary>
    /// <exception cref="ArgumentException">A W3C TypeError: label or protocol too long, both reliability limits, or a negotiated channel without id.</exception>
    /// <exception cref="OperationErrorException">The id is in use, or no id is free.</exception>
    /// <exception cref="InvalidStateException">The SCTP transport is closed.</exception>
    public RTCDataChannel CreateDataChannel(string label, RTCDataChannelInit? init = null)
    {
        ArgumentNullException.ThrowIfNull(label);
        init ??= new RTCDataChannelInit();
        if (Encoding.UTF8.GetByteCount(label) > ushort.MaxValue || Encoding.UTF8.GetByteCount(init.Protocol) > ushort.MaxValue)
        {
            throw new ArgumentException("Label and protocol are limited to 65535 bytes of UTF-8.", nameof(label));
        }

        if (init.MaxRetransmits is not null && init.MaxPacketLifeTime is not null)
        {
            throw new ArgumentException("MaxRetransmits and MaxPacketLifeTime cannot both be set.", nameof(init));
        }

        if (init.Negotiated && init.Id is null)
        {
            throw new ArgumentException("A negotiated channel needs an Id.", nameof(init));
        }

        if (init.Id == ushort.MaxValue)
        {
            throw new ArgumentException("Stream id 65535 is reserved.", nameof(init));
        }

        if (Transport?.State == RTCSctpTransportState.Closed)
        {
            throw new InvalidStateException("The SCTP transport is closed.");
        }

        RTCDataChannel channel;
        lock (_gate)
        {
            ushort? id = init.Id;
            if (id is { } wanted && _channels.ContainsKey(wanted))
            {
                throw new OperationErrorException($"Data channel id {wanted} is in use.");
            }

            if (id is null && _roleKnown)
            {
                id = AllocateId();
            }

            channel = new RTCDataChannel(this, label, init, id, _logger);
            if (id is { } assigned)
            {
                _channels[assigned] = channel;
            }
            else
            {
                _unassigned.Add(channel);
            }
        }

        if (Transport?.State == RTCSctpTransportState.Connected && channel.Id is not null)
        {
            Announce(channel);
        }

        return channel;
    }

    internal void CloseChannel(RTCDataChannel channel)
    {
        if (!channel.BeginClosing(raiseEvent: false))
        {
            return;
        }

        if (channel.Id is not { } id || Transport is not { State: RTCSctpTransportState.Connected } transport || channel.ReadyState == RTCDataChannelState.Connecting)
        {
            Remove(channel, null);
            return;
        }

        try
        {
            transport.ResetStreams(id);
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogDebug(ex, "Data channel {Id}: stream reset impossible; closing locally", id);
            Remove(channel, null);
        }
    }

    // Opens a channel on a connected transport: DCEP OPEN, or nothing for a negotiated one.
    private void Announce(RTCDataChannel channel)
    {
        if (!channel.Negotiated)
        {
            var type = (channel.MaxRetransmits, channel.MaxPacketLifeTime) switch
            {
                (not null, _) => DcepChannelType.PartialReliableRexmit,
                (_, not null) => DcepChannelType.PartialReliableTimed,
                _ => DcepChannelType.Reliable,
            };
            if (!channel.Ordered)
            {
                type = (DcepChannelType)((byte)type | 0x80);
            }

            uint reliability = channel.MaxRetransmits ?? channel.MaxPacketLifeTime ?? 0;
            var open = new DcepOpen(type, PriorityValue(channel.Priority), reliability, channel.Label, channel.Protocol);
            try
            {
                RequireTransport().Send(channel.Id!.Value, DataChannelPpid.Dcep, open.ToBytes());
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                _logger.LogWarning(ex, "Data channel {Label}: could not send DATA_CHANNEL_OPEN", channel.Label);
                Remove(channel, new OperationErrorException("Could not open the data channel: " + ex.Message, ex));
                return;
            }
        }

        channel.SetOpen();
    }

    private void OnTransportState(object? sender, RTCSctpTransportState state)
    {
        RTCDataChannel[] channels;
        lock (_gate)
        {
            channels = _channels.Values.OrderBy(c => c.Id).ToArray();
        }

        if (state == RTCSctpTransportState.Connected)
        {
            foreach (var channel in channels)
            {
                if (channel.ReadyState == RTCDataChannelState.Connecting)
                {
                    Announce(channel);
                }
            }
        }
        else if (state == RTCSctpTransportState.Closed)
        {
            var reason = Transport?.CloseReason;
            lock (_gate)
            {
                channels = _channels.Values.Concat(_unassigned).ToArray();
                _channels.Clear();
                _unassigned.Clear();
            }

            foreach (var channel in channels)
            {
                channel.SetClosed(reason is null ? null : new OperationErrorException("The SCTP association failed: " + reason));
            }
        }
    }

    private void OnMessage(ushort streamId, uint ppid, ReadOnlyMemory<byte> data)
    {
        RTCDataChannel? channel;
        lock (_gate)
        {
            _channels.TryGetValue(streamId, out channel);
        }

        if (ppid == DataChannelPpid.Dcep)
        {
            HandleDcep(streamId, data.Span, channel);
            return;
        }

        if (channel is null)
        {
            DataChannelLog.UnknownStream(_logger, streamId);
            return;
        }

        channel.OnMessage(ppid, data);
    }

    private void HandleDcep(ushort streamId, ReadOnlySpan<byte> message, RTCDataChannel? existing)
    {
        if (message.Length == 1 && message[0] == DcepOpen.AckMessageType)
        {
            if (existing is not null)
            {
                existing.Acknowledged = true;
            }

            return;
        }

        if (!DcepOpen.TryParse(message, out var open))
        {
            DataChannelLog.MalformedDcep(_logger, streamId);
            return;
        }

        RTCDataChannel channel;
        lock (_gate)
        {
            if (existing is not null || _channels.ContainsKey(streamId))
            {
                DataChannelLog.DuplicateOpen(_logger, streamId);
                return;
            }

            var init = new RTCDataChannelInit
            {
                Ordered = open!.Ordered,
                MaxRetransmits = ((byte)open.ChannelType & 0x7F) == 0x01 ? (ushort)Math.Min(open.ReliabilityParameter, ushort.MaxValue) : null,
                MaxPacketLifeTime = ((byte)open.ChannelType & 0x7F) == 0x02 ? (ushort)Math.Min(open.ReliabilityParameter, ushort.MaxValue) : null,
                Protocol = open.Protocol,
                Priority = PriorityType(open.Priority),
                Id = streamId,
            };
            channel = new RTCDataChannel(this, open.Label, init, streamId, _logger) { Acknowledged = true };
            _channels[streamId] = channel;
        }

        try
        {
            RequireTransport().Send(streamId, DataChannelPpid.Dcep, [DcepOpen.AckMessageType]);
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogDebug(ex, "Data channel {Id}: could not send DATA_CHANNEL_ACK", streamId);
        }

        EventInvoker.Raise(DataChannel, this, new RTCDataChannelEventArgs(channel), _logger, nameof(DataChannel));
        channel.SetOpen();
    }

    private void OnBufferedAmount(ushort streamId, long amount)
    {
        RTCDataChannel? channel;
        lock (_gate)
        {
            _channels.TryGetValue(streamId, out channel);
        }

        channel?.OnBufferedAmount(amount);
    }

    private void OnIncomingReset(object? sender, ushort[] streams)
    {
        foreach (ushort id in streams)
        {
            RTCDataChannel? channel;
            lock (_gate)
            {
                _channels.TryGetValue(id, out channel);
            }

            if (channel is null)
            {
                continue;
            }

            bool bothDone = channel.MarkReset(incoming: true);
            if (channel.BeginClosing(raiseEvent: true))
            {
                // The peer closed: reset our side too (RFC 8831 §6.7).
                try
                {
                    RequireTransport().ResetStreams(id);
                }
                catch (InvalidOperationException)
                {
                    // The association is no longer established: it aborted or is shutting down after the
                    // peer's reset (Firefox sends an ABORT right behind it), and this event was dispatched
                    // late. Its Closed state is queued behind this event and closes the channel, with the
                    // error if it failed, as when the reset comes first.
                }
            }
            else if (bothDone)
            {
                Remove(channel, null);
            }
        }
    }

    private void OnOutgoingReset(object? sender, (ushort[] Streams, bool Success) result)
    {
        foreach (ushort id in result.Streams)
        {
            RTCDataChannel? channel;
            lock (_gate)
            {
                _channels.TryGetValue(id, out channel);
            }

            if (channel is not null && (channel.MarkReset(incoming: false) || !result.Success))
            {
                Remove(channel, null);
            }
        }
    }

    private void Remove(RTCDataChannel channel, RTCException? error)
    {
        lock (_gate)
        {
            if (channel.Id is { } id && _channels.TryGetValue(id, out var current) && current == channel)
            {
                _channels.Remove(id);
            }

            _unassigned.Remove(channel);
        }

        channel.SetClosed(error);
    }

    private ushort AllocateId()
    {
        int limit = Transport?.MaxChannels ?? ushort.MaxValue;
        for (int id = _isDtlsClient ? 0 : 1; id < Math.Min(limit, ushort.MaxValue); id += 2)
        {
            if (!_channels.ContainsKey((ushort)id))
            {
                return (ushort)id;
            }
        }

        throw new OperationErrorException("No data channel id is free.");
    }

    private static ushort PriorityValue(RTCPriorityType priority) => priority switch
    {
        RTCPriorityType.VeryLow => 128,
        RTCPriorityType.Medium => 512,
        RTCPriorityType.High => 1024,
        _ => 256,
    };

    private static RTCPriorityType PriorityType(ushort value) => value switch
    {
        <= 128 => RTCPriorityType.VeryLow,
        <= 256 => RTCPriorityType.Low,
        <= 512 => RTCPriorityType.Medium,
        _ => RTCPriorityType.High,
    };
}

/// <summary>Source-generated log messages of the data-channel layer.</summary>
internal static partial class DataChannelLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Data channels: message on stream {StreamId}, which has no channel; dropped")]
    public static partial void UnknownStream(ILogger logger, ushort streamId);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Data channels: malformed DCEP message on stream {StreamId}; dropped")]
    public static partial void MalformedDcep(ILogger logger, ushort streamId);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "Data channels: DATA_CHANNEL_OPEN for stream {StreamId}, which is in use; ignored")]
    public static partial void DuplicateOpen(ILogger logger, ushort streamId);
}
