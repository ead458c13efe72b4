using System.Net;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Net;
using WebRtc.Client.Sctp;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;

namespace WebRtc.Client;

// The transports under the facade: one ICE transport (max-bundle), DTLS over it once ICE has
// a pair and the answer is in, SCTP over DTLS once DTLS is up.
public sealed partial class RTCPeerConnection
{
    private IceTransport? _ice;
    private DtlsTransport? _dtls;
    private SctpTransport? _sctp;
    private DtlsRole? _dtlsRole;
    private bool _dtlsStarted;
    private bool _sctpStarted;
    private bool _gatheringStarted;
    // Candidate events wait while a SetLocalDescription is in flight, and after a peer's ICE restart
    // until our answer is applied.
    private int _localDescriptionsInFlight;
    private bool _holdCandidatesForAnswer;
    private readonly List<RTCIceCandidate?> _heldCandidateEvents = new();

    private void EnsureTransports(bool controlling)
    {
        IceTransport ice;
        lock (_gate)
        {
            if (_ice is not null || _closed)
            {
                return;
            }

            var loggerFactory = _options.LoggerFactory;
            var (stun, turn) = ResolveIceServers();
            ice = new IceTransport(new IceTransportOptions
            {
                Controlling = controlling,
                LocalCredentials = _localCredentials,
                StunServers = stun,
                TurnServers = turn,
                RelayOnly = _configuration.IceTransportPolicy == RTCIceTransportPolicy.Relay,
                IncludeTcp = _options.IceTcp,
                SocketFactory = _options.SocketFactory,
                IncludeLoopback = _options.IncludeLoopback,
                BindAddresses = _options.BindAddresses,
                MinPort = _options.MinPort,
                MaxPort = _options.MaxPort,
                TimeProvider = _options.TimeProvider,
                Logger = loggerFactory?.CreateLogger<IceTransport>(),
                Tuning = _options.IceTuning,
            });
            _ice = ice;

            // Created now so a ClientHello that beats our answer is queued, not lost.
            _dtls = new DtlsTransport(ice.Dtls, _certificate, new DtlsTransportOptions
            {
                HandshakeTimeout = _options.Dtls.HandshakeTimeout,
                InitialRetransmissionTimeout = _options.Dtls.InitialRetransmissionTimeout,
                Mtu = _options.Dtls.Mtu,
                SrtpProfiles = _options.Dtls.SrtpProfiles,
                ReceiveQueueLimit = _options.Dtls.ReceiveQueueLimit,
                NativeRecordLayer = _options.Dtls.NativeRecordLayer,
                CipherSuites = _options.Dtls.CipherSuites,
                ConfigureRecordLayer = _options.Dtls.ConfigureRecordLayer,
                Logger = _options.Dtls.Logger ?? loggerFactory?.CreateLogger<DtlsTransport>(),
            });
        }

        ice.CandidateGathered += OnCandidateGathered;
        ice.GatheringStateChanged += OnGatheringStateChanged;
        ice.StateChanged += OnIceStateChanged;
        ice.SelectedPairChanged += (_, pair) =>
        {
            if (pair is not null)
            {
                TryStartDtls();
            }
        };
        ice.CandidateError += (_, e) => Post(() => EventInvoker.Raise(IceCandidateError, this, e, _logger, nameof(IceCandidateError)));
        _dtls!.StateChanged += OnDtlsStateChanged;
    }

    // RFC 8445 §9: new credentials on the same sockets; the old pair carries data until the new
    // checks nominate one. Candidates are announced again under the new ufrag.
    private void RestartTransport(IceCredentials credentials, bool controlling)
    {
        IceTransport? ice;
        lock (_gate)
        {
            ice = _ice;
            _localCredentials = credentials;
            _restartCredentials = null;
            _localCandidates.Clear();
            _gatheringState = RTCIceGatheringState.New;
        }

        ice?.Restart(credentials, controlling);
    }

    /// <summary>
    /// The STUN servers and TURN servers of the configuration, resolved (RFC 7064, RFC 7065).
    /// A name that does not resolve is logged and skipped, as a browser reports it through
    /// icecandidateerror rather than failing the connection.
    /// </summary>
    private (IReadOnlyList<IPEndPoint> Stun, IReadOnlyList<IceTurnServer> Turn) ResolveIceServers()
    {
        var stun = new List<IPEndPoint>();
        var turn = new List<IceTurnServer>();
        foreach (var server in _configuration.IceServers)
        {
            foreach (var url in server.Urls)
            {
                var (scheme, host, port) = RTCIceServer.Parse(url);
                if (scheme == "stuns")
                {
                    _logger.LogWarning("stuns: (STUN over TLS) is not supported; {Url} is ignored", url);
                    continue;
                }

                IPAddress[] addresses;
                try
                {
                    addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
                }
                catch (System.Net.Sockets.SocketException ex)
                {
                    _logger.LogWarning(ex, "Could not resolve ICE server {Host}", host);
                    continue;
                }

                if (scheme == "stun")
                {
                    stun.AddRange(addresses.Select(a => new IPEndPoint(a, port)));
                    continue;
                }

                // One allocation per URL: the first IPv4 address if there is one (what most relays serve).
                var address = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
                if (address is null)
                {
                    continue;
                }

                var protocol = RTCIceServer.GetTurnTransport(url);
                turn.Add(new IceTurnServer(new IPEndPoint(address, port), server.Username!, server.Credential!, protocol)
                {
                    Url = url,
                    TlsTargetHost = protocol == RTCIceServerTransportProtocol.Tls ? host : null,
                    TlsCertificateValidation = _options.TurnTlsCertificateValidation,
                });
            }
        }

        return (stun, turn);
    }

    private void StartGathering()
    {
        IceTransport? ice;
        lock (_gate)
        {
            if (_gatheringStarted || _ice is null || _closed)
            {
                return;
            }

            _gatheringStarted = true;
            ice = _ice;
        }

        _ = GatherAsync(ice);
    }

    private async Task GatherAsync(IceTransport ice)
    {
        try
        {
            await ice.GatherAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogWarning(ex, "ICE gathering failed");
        }
    }

    private async Task ApplyRemoteTransportAsync(JsepRemoteDescription remote)
    {
        var ice = _ice!;
        ice.SetRemoteCredentials(remote.IceCredentials.Ufrag, remote.IceCredentials.Pwd, remote.IceLite);
        foreach (var candidate in remote.Candidates)
        {
            try
            {
                await ice.AddRemoteCandidateAsync(candidate).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
            {
                _logger.LogDebug(ex, "Remote candidate from the description ignored");
            }
        }

        if (remote.EndOfCandidates)
        {
            ice.AddRemoteEndOfCandidates();
        }
    }

    private void OnCandidateGathered(object? sender, RTCIceCandidate candidate)
    {
        var located = candidate.WithSdpLocation(_n.CandidateMid, _n.CandidateMLineIndex);
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _localCandidates.Add(located);
        }

        RaiseCandidateEvent(located);
    }

    // W3C: candidate events come after the setLocalDescription that started gathering has
    // resolved, so the description can be signaled before its candidates. Gathering runs on
    // other threads here, so events are held until SetLocalDescriptionAsync returns.
    private void RaiseCandidateEvent(RTCIceCandidate? candidate)
    {
        lock (_gate)
        {
            if (_localDescriptionsInFlight > 0 || _holdCandidatesForAnswer)
            {
                _heldCandidateEvents.Add(candidate);
                return;
            }
        }

        Post(() => EventInvoker.Raise(IceCandidate, this, new RTCPeerConnectionIceEventArgs(candidate), _logger, nameof(IceCandidate)));
    }

    // When a SetLocalDescription has finished: the held events go once no other one is in flight.
    private void ReleaseCandidateEvents()
    {
        List<RTCIceCandidate?> held;
        lock (_gate)
        {
            _localDescriptionsInFlight--;
            _holdCandidatesForAnswer = false;
            if (_localDescriptionsInFlight > 0)
            {
                return;
            }

            held = [.. _heldCandidateEvents];
            _heldCandidateEvents.Clear();
        }

        foreach (var candidate in held)
        {
            Post(() => EventInvoker.Raise(IceCandidate, this, new RTCPeerConnectionIceEventArgs(candidate), _logger, nameof(IceCandidate)));
        }
    }

    private void OnGatheringStateChanged(object? sender, RTCIceGatheringState state)
    {
        lock (_gate)
        {
            if (_closed || _gatheringState == state)
            {
                return;
            }

            _gatheringState = state;
        }

        Post(() => EventInvoker.Raise(IceGatheringStateChange, this, state, _logger, nameof(IceGatheringStateChange)));
        if (state == RTCIceGatheringState.Complete)
        {
            RaiseCandidateEvent(null);
        }
    }

    private void OnIceStateChanged(object? sender, RTCIceTransportState state)
    {
        var mapped = (RTCIceConnectionState)(int)state;
        lock (_gate)
        {
            if (_closed || _iceConnectionState == mapped)
            {
                return;
            }

            _iceConnectionState = mapped;
        }

        Post(() => EventInvoker.Raise(IceConnectionStateChange, this, mapped, _logger, nameof(IceConnectionStateChange)));
        UpdateConnectionState();
    }

    private void TryStartDtls()
    {
        JsepRemoteDescription remote;
        DtlsTransport dtls;
        DtlsRole role;
        lock (_gate)
        {
            if (_dtlsStarted || _closed || _signalingState != RTCSignalingState.Stable || _n.CurrentRemote is null
                || _dtls is null || _ice?.SelectedPair is null)
            {
                return;
            }

            _dtlsStarted = true;
            // libwebrtc's rule: the first DTLS retransmission after twice the ICE round trip,
            // 50 ms to 3 s. A ClientHello the peer drops (its DTLS not started yet; werift does)
            // then costs tens of milliseconds, not a second.
            if (_ice.SelectedPair.CurrentRoundTripTime is { } rtt)
            {
                _dtls.InitialRetransmissionTimeout = TimeSpan.FromMilliseconds(Math.Clamp(2 * rtt.TotalMilliseconds, 50, 3000));
            }

            remote = _n.CurrentRemote;
            role = remote.LocalDtlsRole;
            _dtlsRole = role;
            dtls = _dtls;
        }

        var fingerprint = remote.Fingerprints.FirstOrDefault(f => f.Algorithm.Equals("sha-256", StringComparison.OrdinalIgnoreCase)) ?? remote.Fingerprints[0];
        _ = Task.Run(() => StartDtlsAndSctpAsync(remote, dtls, role, fingerprint)); // never throws: it logs what fails
    }

    private async Task StartDtlsAndSctpAsync(JsepRemoteDescription remote, DtlsTransport dtls, DtlsRole role, RTCDtlsFingerprint fingerprint)
    {
        try
        {
            await dtls.StartAsync(role, fingerprint).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A DtlsException or a cancellation leaves the transport Failed or Closed, which the
            // connection state shows; anything else is unexpected and logged whole.
            _logger.LogWarning(ex is DtlsException or OperationCanceledException ? null : ex, "DTLS failed: {Message}", ex.Message);
            return;
        }

        StartMedia(dtls);
        try
        {
            StartSctp(remote, dtls, role);
        }
        catch (Exception ex)
        {
            // Left alone, the data channels would stay Connecting for ever.
            _logger.LogWarning(ex, "SCTP could not start over DTLS; the data channels fail");
            _channels.CloseAll(new OperationErrorException("The SCTP transport could not start: " + ex.Message, ex));
        }
    }

    private void StartSctp(JsepRemoteDescription remote, DtlsTransport dtls, DtlsRole role)
    {
        lock (_gate)
        {
            // Once per connection: at DTLS start, or when a renegotiation adds the data section later.
            if (remote.DataSection is null || _sctpStarted)
            {
                return;
            }

            _sctpStarted = true;
        }

        var data = remote.DataSection;

        var association = _options.Sctp with
        {
            LocalPort = JsepDataSection.DefaultSctpPort,
            RemotePort = (ushort)data.SctpPort,
            MaxSendMessageSize = data.MaxMessageSize == 0 ? 0 : (int)Math.Min(int.MaxValue, data.MaxMessageSize),
            MaxReceiveMessageSize = _options.MaxMessageSize,
        };
        var sctp = new SctpTransport(dtls, new SctpTransportOptions
        {
            Association = association,
            TimeProvider = _options.TimeProvider,
            Logger = _options.LoggerFactory?.CreateLogger<SctpTransport>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
        });
        lock (_gate)
        {
            if (_closed)
            {
                _ = sctp.DisposeAsync();
                return;
            }

            _sctp = sctp;
        }

        _channels.Attach(sctp, role == DtlsRole.Client);
        sctp.Start();
    }

    private void OnDtlsStateChanged(object? sender, DtlsTransportState state)
    {
        if (state is DtlsTransportState.Closed or DtlsTransportState.Failed && _sctp is { } sctp && sctp.State != RTCSctpTransportState.Closed)
        {
            // Nothing more can cross a closed DTLS transport: end SCTP and its channels now.
            sctp.Abort(state == DtlsTransportState.Failed ? "the DTLS transport failed" : "the DTLS transport closed");
        }

        UpdateConnectionState();
    }
}
