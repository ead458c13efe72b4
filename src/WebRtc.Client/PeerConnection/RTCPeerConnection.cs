using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Net;
using WebRtc.Client.Sctp;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;

namespace WebRtc.Client;

/// <summary>
/// A WebRTC peer connection shaped like the W3C RTCPeerConnection: JSEP offer/answer over any
/// signaling, trickle ICE, DTLS with fingerprint checks, SCTP data channels. One ICE/DTLS
/// transport carries everything (max-bundle). API calls are serialized on an operations chain,
/// as the W3C spec does; events are raised in order with no internal lock held, and a handler
/// that throws is logged without harming the connection.
/// </summary>
public sealed partial class RTCPeerConnection : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _chain = new(1, 1);
    private readonly object _eventGate = new();
    private readonly Queue<Action> _eventQueue = new();
    private readonly RTCPeerConnectionOptions _options;
    private readonly ILogger _logger;
    private IceCredentials _localCredentials = IceCredentials.Generate();
    private IceCredentials? _restartCredentials;
    private readonly RTCCertificate _certificate;
    private readonly JsepOrigin _origin = new();
    private readonly DataChannelController _channels;
    private readonly List<RTCIceCandidate> _localCandidates = new();
    private RTCConfiguration _configuration;
    private bool _dispatchingEvents;

    private RTCSignalingState _signalingState = RTCSignalingState.Stable;
    private RTCIceGatheringState _gatheringState = RTCIceGatheringState.New;
    private RTCIceConnectionState _iceConnectionState = RTCIceConnectionState.New;
    private RTCPeerConnectionState _connectionState = RTCPeerConnectionState.New;
    private bool _closed;
    private bool _negotiationNeeded;

    /// <summary>Creates a peer connection.</summary>
    /// <param name="configuration">The W3C configuration (ICE servers, policies, certificates).</param>
    /// <param name="options">Knobs beyond the standard (loopback candidates, ports, SCTP sizes, clock, logging).</param>
    public RTCPeerConnection(RTCConfiguration? configuration = null, RTCPeerConnectionOptions? options = null)
    {
        _configuration = configuration ?? new RTCConfiguration();
        _options = options ?? new RTCPeerConnectionOptions();
        _logger = _options.LoggerFactory?.CreateLogger<RTCPeerConnection>() ?? (ILogger)NullLogger.Instance;
        foreach (var server in _configuration.IceServers)
        {
            // W3C setConfiguration step: a turn(s): URL without both credentials is an InvalidAccessError.
            if (server.Urls.Any(u => u.StartsWith("turn", StringComparison.OrdinalIgnoreCase)) && (server.Username is null || server.Credential is null))
            {
                throw new InvalidAccessException("A turn: or turns: ICE server needs a username and a credential.");
            }
        }

        _certificate = _configuration.Certificates.FirstOrDefault() ?? RTCCertificate.Generate();
        if (_certificate.Expires < DateTimeOffset.UtcNow)
        {
            throw new InvalidAccessException("The certificate has expired.");
        }

        _channels = new DataChannelController(_options.DataChannels with
        {
            Logger = _options.LoggerFactory?.CreateLogger<DataChannelController>() ?? _options.DataChannels.Logger,
        });
        _channels.DataChannel += (_, e) => EventInvoker.Raise(DataChannel, this, e, _logger, nameof(DataChannel));
    }

    /// <summary>A local candidate to signal; a null candidate means gathering finished.</summary>
    public event EventHandler<RTCPeerConnectionIceEventArgs>? IceCandidate;

    /// <summary>A STUN server could not be used.</summary>
    public event EventHandler<IceCandidateErrorEvent>? IceCandidateError;

    /// <summary><see cref="IceGatheringState"/> changed.</summary>
    public event EventHandler<RTCIceGatheringState>? IceGatheringStateChange;

    /// <summary><see cref="IceConnectionState"/> changed.</summary>
    public event EventHandler<RTCIceConnectionState>? IceConnectionStateChange;

    /// <summary><see cref="ConnectionState"/> changed.</summary>
    public event EventHandler<RTCPeerConnectionState>? ConnectionStateChange;

    /// <summary><see cref="SignalingState"/> changed.</summary>
    public event EventHandler<RTCSignalingState>? SignalingStateChange;

    /// <summary>Something changed that needs an offer/answer exchange (the first data channel).</summary>
    public event EventHandler? NegotiationNeeded;

    /// <summary>The peer opened a data channel; its Open event follows this one.</summary>
    public event EventHandler<RTCDataChannelEventArgs>? DataChannel;

    /// <summary>The signaling state.</summary>
    public RTCSignalingState SignalingState
    {
        get
        {
            lock (_gate)
            {
                return _signalingState;
            }
        }
    }

    /// <summary>The ICE gathering state.</summary>
    public RTCIceGatheringState IceGatheringState
    {
        get
        {
            lock (_gate)
            {
                return _gatheringState;
            }
        }
    }

    /// <summary>The ICE connection state.</summary>
    public RTCIceConnectionState IceConnectionState
    {
        get
        {
            lock (_gate)
            {
                return _iceConnectionState;
            }
        }
    }

    /// <summary>The connection state (ICE and DTLS together).</summary>
    public RTCPeerConnectionState ConnectionState
    {
        get
        {
            lock (_gate)
            {
                return _connectionState;
            }
        }
    }

    /// <summary>The certificate used for DTLS.</summary>
    public RTCCertificate Certificate => _certificate;

    /// <summary>The ICE transport once created (at the first SetLocalDescription/SetRemoteDescription).</summary>
    public IceTransport? IceTransport => _ice;

    /// <summary>The DTLS transport once created.</summary>
    public DtlsTransport? DtlsTransport => _dtls;

    /// <summary>The SCTP transport once DTLS is up (W3C pc.sctp).</summary>
    public SctpTransport? Sctp => _sctp;

    /// <summary>Creates a data channel (W3C createDataChannel); the first one fires <see cref="NegotiationNeeded"/>.</summary>
    /// <exception cref="InvalidStateException">The connection is closed.</exception>
    /// <exception cref="ArgumentException">A W3C TypeError (see <see cref="DataChannelController.CreateDataChannel"/>).</exception>
    public RTCDataChannel CreateDataChannel(string label, RTCDataChannelInit? init = null)
    {
        ThrowIfClosed();
        var channel = _channels.CreateDataChannel(label, init);
        bool fire;
        lock (_gate)
        {
            // A data m-line, once negotiated, carries every later channel (RFC 8832); only the first needs SDP.
            _n.DataRequested = true;
            _n.DataRejected = false;
            fire = !HasNegotiatedDataSection && !_negotiationNeeded;
            _negotiationNeeded |= !HasNegotiatedDataSection;
            fire &= _signalingState == RTCSignalingState.Stable;
        }

        if (fire)
        {
            Post(() => EventInvoker.Raise(NegotiationNeeded, this, _logger, nameof(NegotiationNeeded)));
        }

        return channel;
    }

    /// <summary>
    /// Asks for an ICE restart (W3C restartIce): <see cref="NegotiationNeeded"/> fires and the
    /// next offer carries new ICE credentials. Data keeps flowing on the current pair until the
    /// restarted checks nominate a new one (RFC 8445 §9).
    /// </summary>
    /// <exception cref="InvalidStateException">Closed.</exception>
    public void RestartIce()
    {
        ThrowIfClosed();
        bool fire;
        lock (_gate)
        {
            _restartCredentials ??= IceCredentials.Generate();
            fire = _signalingState == RTCSignalingState.Stable && !_negotiationNeeded;
            _negotiationNeeded = true;
        }

        if (fire)
        {
            Post(() => EventInvoker.Raise(NegotiationNeeded, this, _logger, nameof(NegotiationNeeded)));
        }
    }

    /// <summary>The configuration, with the certificate in use.</summary>
    public RTCConfiguration GetConfiguration()
    {
        lock (_gate)
        {
            return new RTCConfiguration
            {
                IceServers = _configuration.IceServers.ToList(),
                IceTransportPolicy = _configuration.IceTransportPolicy,
                BundlePolicy = _configuration.BundlePolicy,
                Certificates = [_certificate],
                IceCandidatePoolSize = _configuration.IceCandidatePoolSize,
            };
        }
    }

    /// <summary>Replaces the configuration; ICE servers apply to later gathering.</summary>
    /// <exception cref="InvalidStateException">Closed.</exception>
    /// <exception cref="InvalidModificationException">Different certificates or bundle policy (W3C).</exception>
    public void SetConfiguration(RTCConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ThrowIfClosed();
        if (configuration.Certificates.Count > 0 && (configuration.Certificates.Count != 1 || configuration.Certificates[0] != _certificate))
        {
            throw new InvalidModificationException("The certificates of a peer connection cannot change.");
        }

        lock (_gate)
        {
            if (configuration.BundlePolicy != _configuration.BundlePolicy)
            {
                throw new InvalidModificationException("The bundle policy of a peer connection cannot change.");
            }

            _configuration = configuration;
        }
    }

    /// <summary>
    /// Closes the connection (W3C close()): data channels close, the SCTP association is aborted
    /// so the peer sees it at once, DTLS sends close_notify, ICE stops. No state-change events fire.
    /// </summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _signalingState = RTCSignalingState.Closed;
            _iceConnectionState = RTCIceConnectionState.Closed;
            _connectionState = RTCPeerConnectionState.Closed;
        }

        // RFC 3550 §6.6: our sources say BYE while the transport still carries it.
        foreach (var t in GetTransceivers())
        {
            lock (_gate)
            {
                StopTransceiverNow(t);
            }

            t.Sender.Stream.Dispose();
            t.Receiver.Stream?.Dispose();
        }

        _channels.CloseAll();
        try
        {
            _sctp?.Abort("peer connection closed");
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "SCTP abort on close failed");
        }

        _dtls?.Close();
    }

    /// <summary>Closes and releases the transports and sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        Close();
        if (_sctp is { } sctp)
        {
            await sctp.DisposeAsync().ConfigureAwait(false);
        }

        if (_dtls is { } dtls)
        {
            await dtls.DisposeAsync().ConfigureAwait(false);
        }

        if (_media is { } media)
        {
            await media.DisposeAsync().ConfigureAwait(false);
        }

        if (_ice is { } ice)
        {
            await ice.DisposeAsync().ConfigureAwait(false);
        }

        // _chain is not disposed: an operation still running would fail releasing it, and the
        // calls queued behind it would wait forever (a disposed SemaphoreSlim wakes no waiter).
        // Left alone, they each take it in turn and fail with InvalidStateException (closed).
    }

    private bool HasNegotiatedDataSection => _n.HasNegotiatedDataSection;

    private void ThrowIfClosed()
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw new InvalidStateException("The peer connection is closed.");
            }
        }
    }

    // The token cancels the wait for the chain; an operation that has started runs to its end, as
    // a W3C operation cannot be aborted halfway.
    private async Task<T> ChainAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        await _chain.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            return await operation().ConfigureAwait(false);
        }
        finally
        {
            _chain.Release();
        }
    }

    // Events go through one ordered queue, drained by whichever thread finds it idle, with no lock held.
    private void Post(Action raise)
    {
        lock (_eventGate)
        {
            _eventQueue.Enqueue(raise);
            if (_dispatchingEvents)
            {
                return;
            }

            _dispatchingEvents = true;
        }

        while (true)
        {
            Action next;
            lock (_eventGate)
            {
                if (!_eventQueue.TryDequeue(out next!))
                {
                    _dispatchingEvents = false;
                    return;
                }
            }

            try
            {
                next();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A peer connection event handler threw; the connection carries on");
            }
        }
    }

    private void SetSignalingState(RTCSignalingState state)
    {
        lock (_gate)
        {
            if (_signalingState == state || _closed)
            {
                return;
            }

            _signalingState = state;
        }

        Post(() => EventInvoker.Raise(SignalingStateChange, this, state, _logger, nameof(SignalingStateChange)));
    }

    // W3C "update the connection state": ICE and DTLS together.
    private void UpdateConnectionState()
    {
        RTCPeerConnectionState next;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            var ice = _iceConnectionState;
            var dtls = _dtls?.State ?? DtlsTransportState.New;
            if (ice == RTCIceConnectionState.Failed || dtls == DtlsTransportState.Failed)
            {
                next = RTCPeerConnectionState.Failed;
            }
            else if (ice == RTCIceConnectionState.Disconnected)
            {
                next = RTCPeerConnectionState.Disconnected;
            }
            else if (ice is RTCIceConnectionState.New or RTCIceConnectionState.Closed && dtls is DtlsTransportState.New or DtlsTransportState.Closed)
            {
                next = RTCPeerConnectionState.New;
            }
            else if (ice is RTCIceConnectionState.New or RTCIceConnectionState.Checking || dtls is DtlsTransportState.New or DtlsTransportState.Connecting)
            {
                next = RTCPeerConnectionState.Connecting;
            }
            else
            {
                next = RTCPeerConnectionState.Connected;
            }

            if (next == _connectionState)
            {
                return;
            }

            _connectionState = next;
        }

        Post(() => EventInvoker.Raise(ConnectionStateChange, this, next, _logger, nameof(ConnectionStateChange)));
    }
}
