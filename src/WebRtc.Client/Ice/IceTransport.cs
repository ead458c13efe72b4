using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.Net;
using WebRtc.Client.Turn;

namespace WebRtc.Client.Ice;

/// <summary>
/// The driver around <see cref="IceAgent"/>: binds the UDP sockets, gathers, runs the agent's
/// timers on the injected <see cref="TimeProvider"/>, raises events without holding its lock,
/// demultiplexes received datagrams by their first byte (RFC 7983) and offers the selected pair
/// to DTLS and SRTP as <see cref="IDatagramTransport"/>s. Besides UDP host sockets, a base can be
/// an RFC 6544 TCP listener or connector, or a TURN allocation (RFC 8656) whose sans-IO client
/// runs under the same lock and clock as the agent.
/// </summary>
public sealed class IceTransport : IAsyncDisposable
{
    private readonly IceTransportOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly object _sync = new();
    private readonly IceAgent _agent;
    private readonly List<IceBase?> _bases = [];
    private readonly List<TurnAllocation> _allocations = [];
    private readonly CancellationTokenSource _closing = new();
    private int _relayPeersSynced;
    private readonly ITimer _timer;
    private readonly List<IceAgentEvent> _pendingEvents = [];
    private readonly DemuxChannel _dtls;
    private readonly DemuxChannel _rtp;
    private MdnsResolver? _mdns;
    private volatile SelectedPath? _path;
    private bool _gatherStarted;
    private bool _dispatching;
    private bool _disposed;
    private long _unknownPackets;
    private volatile IceCredentials _localCredentials;

    /// <summary>Creates a transport; nothing is bound until <see cref="GatherAsync"/>.</summary>
    public IceTransport(IceTransportOptions? options = null)
    {
        _options = options ?? new IceTransportOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        _time = _options.TimeProvider;
        _epoch = _time.GetTimestamp();
        _localCredentials = _options.LocalCredentials ?? IceCredentials.Generate();
        var tuning = _options.Tuning;
        _agent = new IceAgent(
            new IceAgentOptions
            {
                LocalUfrag = _localCredentials.Ufrag,
                LocalPassword = _localCredentials.Pwd,
                Controlling = _options.Controlling,
                Lite = tuning.Lite,
                CheckPacing = tuning.CheckPacing,
                NominationDelay = tuning.NominationDelay,
                ConsentInterval = tuning.ConsentInterval,
                DisconnectedTimeout = tuning.DisconnectedTimeout,
                ConsentTimeout = tuning.ConsentTimeout,
                KeepRedundantServerReflexive = tuning.KeepRedundantServerReflexive,
                StunServers = _options.RelayOnly ? [] : _options.StunServers,
                Random = tuning.Random,
            },
            SendFromBase);
        _timer = _time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _dtls = new DemuxChannel(this);
        _rtp = new DemuxChannel(this);
    }

    /// <summary>Local ice-ufrag and ice-pwd of the current generation; <see cref="Restart"/> replaces them.</summary>
    public IceCredentials LocalCredentials => _localCredentials;

    /// <summary>The credentials generation: 0, then one more at every ICE restart (ours or the peer's).</summary>
    public int Generation
    {
        get
        {
            lock (_sync)
            {
                return _agent.Generation;
            }
        }
    }

    /// <summary>True while a restart is under way and the pair selected before it still carries data.</summary>
    public bool IsRestarting
    {
        get
        {
            lock (_sync)
            {
                return _agent.IsRestarting;
            }
        }
    }

    /// <summary>Current role.</summary>
    public RTCIceRole Role
    {
        get
        {
            lock (_sync)
            {
                return _agent.Role;
            }
        }
    }

    /// <summary>Transport state.</summary>
    public RTCIceTransportState State
    {
        get
        {
            lock (_sync)
            {
                return _agent.State;
            }
        }
    }

    /// <summary>Gathering state.</summary>
    public RTCIceGatheringState GatheringState
    {
        get
        {
            lock (_sync)
            {
                return _agent.GatheringState;
            }
        }
    }

    /// <summary>The selected pair, or null.</summary>
    public IceCandidatePair? SelectedPair
    {
        get
        {
            lock (_sync)
            {
                return _agent.SelectedPair;
            }
        }
    }

    /// <summary>A snapshot of the checklist.</summary>
    public IReadOnlyList<IceCandidatePair> GetPairs()
    {
        lock (_sync)
        {
            return [.. _agent.Pairs];
        }
    }

    /// <summary>A snapshot of the local candidates.</summary>
    public IReadOnlyList<IceLocalCandidate> GetLocalCandidates()
    {
        lock (_sync)
        {
            return [.. _agent.LocalCandidates];
        }
    }

    /// <summary>A snapshot of the remote candidates.</summary>
    public IReadOnlyList<IceRemoteCandidate> GetRemoteCandidates()
    {
        lock (_sync)
        {
            return [.. _agent.RemoteCandidates];
        }
    }

    /// <summary>Datagrams dropped: malformed STUN, unauthenticated checks, or data from no valid pair.</summary>
    public long PacketsDropped
    {
        get
        {
            lock (_sync)
            {
                return _agent.StunPacketsDropped + Interlocked.Read(ref _unknownPackets);
            }
        }
    }

    /// <summary>DTLS records (first byte 20–63, RFC 7983) on the selected pair.</summary>
    public IDatagramTransport Dtls => _dtls;

    /// <summary>RTP and RTCP packets (first byte 128–191, RFC 7983) on the selected pair.</summary>
    public IDatagramTransport Rtp => _rtp;

    /// <summary>A local candidate was gathered (trickle ICE).</summary>
    public event EventHandler<RTCIceCandidate>? CandidateGathered;

    /// <summary>The gathering state changed; Complete means end-of-candidates.</summary>
    public event EventHandler<RTCIceGatheringState>? GatheringStateChanged;

    /// <summary>The transport state changed.</summary>
    public event EventHandler<RTCIceTransportState>? StateChanged;

    /// <summary>The selected pair changed.</summary>
    public event EventHandler<IceCandidatePair?>? SelectedPairChanged;

    /// <summary>The role changed after a role conflict.</summary>
    public event EventHandler<RTCIceRole>? RoleChanged;

    /// <summary>A STUN server failed to give a candidate.</summary>
    public event EventHandler<IceCandidateErrorEvent>? CandidateError;

    private TimeSpan Now => _time.GetElapsedTime(_epoch);

    /// <summary>
    /// Binds a socket on every usable local address, announces the host candidates and starts
    /// server-reflexive gathering. Returns once the sockets are bound; candidates keep arriving
    /// through <see cref="CandidateGathered"/> until <see cref="GatheringState"/> is Complete.
    /// </summary>
    /// <exception cref="InvalidOperationException">Gathering already started.</exception>
    public Task GatherAsync(CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_gatherStarted)
            {
                throw new InvalidOperationException("Gathering has already started.");
            }

            _gatherStarted = true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var addresses = _options.BindAddresses?.Select((a, i) => (Address: a, Order: i)).ToList()
            ?? NetworkInterfaces.GetLocalAddresses(new LocalAddressOptions
            {
                IncludeIPv4 = _options.IncludeIPv4,
                IncludeIPv6 = _options.IncludeIPv6,
                IncludeLoopback = _options.IncludeLoopback,
            }).Select((a, i) => (a.Address, Order: i)).ToList();

        foreach (var (address, order) in addresses)
        {
            if (_options.RelayOnly)
            {
                break;
            }

            ushort preference = IcePriority.LocalPreference(address.AddressFamily, order);
            UdpSocket socket;
            try
            {
                socket = _options.MinPort is { } min && _options.MaxPort is { } max
                    ? UdpSocket.BindInRange(address, min, max, _logger, _options.SocketFactory)
                    : UdpSocket.Bind(new IPEndPoint(address, 0), _logger, _options.SocketFactory);
            }
            catch (Exception ex) when (ex is SocketException or InvalidOperationException)
            {
                _logger.LogWarning("ICE: cannot bind {Address}: {Message}", address, ex.Message);
                continue;
            }

            int baseId = AddBase(new UdpIceBase(socket));
            if (baseId < 0)
            {
                break;
            }

            socket.Start((_, datagram, remote) => OnDatagram(baseId, datagram, remote));
            Run(agent => agent.AddHostCandidate(baseId, socket.LocalEndPoint, preference, Now));
            if (_options.IncludeTcp)
            {
                AddTcpBases(address, preference);
            }
        }

        foreach (var server in _options.TurnServers)
        {
            StartAllocation(server, addresses);
        }

        Run(agent => agent.EndOfLocalCandidates(Now));
        return Task.CompletedTask;
    }

    /// <summary>Adds a base (or reserves its id when null); -1 once disposed.</summary>
    private int AddBase(IceBase? iceBase)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                _ = iceBase?.DisposeAsync().AsTask();
                return -1;
            }

            _bases.Add(iceBase);
            return _bases.Count - 1;
        }
    }

    private TcpConnectionOptions TcpOptions(TcpFraming framing) => new()
    {
        Framing = framing,
        Logger = _logger,
        SocketFactory = _options.SocketFactory,
    };

    /// <summary>RFC 6544 host candidates on one address: a passive listener and an active connector (port 9).</summary>
    private void AddTcpBases(IPAddress address, ushort preference)
    {
        TcpListenerSocket listener;
        try
        {
            listener = _options.MinPort is { } min && _options.MaxPort is { } max
                ? TcpListenerSocket.BindInRange(address, min, max, _logger, _options.SocketFactory)
                : TcpListenerSocket.Bind(new IPEndPoint(address, 0), _logger, _options.SocketFactory);
        }
        catch (Exception ex) when (ex is SocketException or InvalidOperationException)
        {
            _logger.LogWarning("ICE-TCP: cannot listen on {Address}: {Message}", address, ex.Message);
            return;
        }

        int passiveId = AddBase(null);
        if (passiveId < 0)
        {
            listener.Dispose();
            return;
        }

        var passive = new TcpPassiveIceBase(listener, passiveId, TcpOptions(TcpFraming.Rfc4571), OnDatagram, _logger);
        lock (_sync)
        {
            _bases[passiveId] = passive;
        }

        Run(agent => agent.AddTcpHostCandidate(passiveId, passive.LocalEndPoint, RTCIceTcpCandidateType.Passive, preference, Now));
        int activeId = AddBase(null);
        if (activeId < 0)
        {
            return;
        }

        lock (_sync)
        {
            _bases[activeId] = new TcpActiveIceBase(address, activeId, TcpOptions(TcpFraming.Rfc4571), OnDatagram, _logger);
        }

        // RFC 6544 §4.5: an active candidate has no port of its own to announce; 9 (discard) stands in.
        Run(agent => agent.AddTcpHostCandidate(activeId, new IPEndPoint(address, 9), RTCIceTcpCandidateType.Active, preference, Now));
    }

    /// <summary>Starts allocating a relay from <paramref name="server"/> from the best local address of its family.</summary>
    private void StartAllocation(IceTurnServer server, List<(IPAddress Address, int Order)> addresses)
    {
        var family = server.Server.AddressFamily;
        bool loopback = IPAddress.IsLoopback(server.Server.Address);
        var (bindAddress, order) = addresses.FirstOrDefault(a => a.Address.AddressFamily == family && IPAddress.IsLoopback(a.Address) == loopback);
        if (bindAddress is null)
        {
            // No gathered address of that family (or relay-only with none listed): let the kernel choose.
            (bindAddress, order) = (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        }

        TurnAllocation allocation;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            int baseId = _bases.Count;
            allocation = new TurnAllocation(baseId, server, bindAddress, IcePriority.LocalPreference(family, order), OnDatagram, OnTurnControl, OnTurnClosed, _logger, _options.SocketFactory);
            _bases.Add(new RelayIceBase(allocation));
            _allocations.Add(allocation);
            _agent.BeginRelayGathering();
            DrainEvents();
        }

        RaisePending();
        _ = OpenAllocationAsync(allocation);
    }

    private async Task OpenAllocationAsync(TurnAllocation allocation)
    {
        try
        {
            await allocation.OpenAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // W3C: an unreachable server is error 701.
            _logger.LogWarning("TURN: cannot reach {Server}: {Message}", allocation, ex.Message);
            lock (_sync)
            {
                if (!_disposed && !allocation.Settled)
                {
                    allocation.Settled = true;
                    _agent.RelayGatheringFailed(Now);
                    _pendingEvents.Add(new IceCandidateErrorEvent(allocation.Server.Server, 701, "TURN server unreachable: " + ex.Message, allocation.Server.Url));
                    DrainEvents();
                    Reschedule();
                }
            }

            allocation.Released.TrySetResult();
            RaisePending();
            return;
        }

        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            allocation.Client.Allocate(Now);
            DrainTurn(allocation);
            DrainEvents();
            Reschedule();
        }

        RaisePending();
    }

    private void OnTurnControl(TurnAllocation allocation, ReadOnlySpan<byte> message)
    {
        lock (_sync)
        {
            // Responses still count while a closing transport waits for its releases.
            if (_disposed && allocation.Client.State != TurnClientState.Releasing)
            {
                return;
            }

            if (!allocation.Client.HandleServerMessage(message, Now))
            {
                _logger.LogDebug("TURN: dropped a {Length}-byte message from {Server} that is neither relayed data nor an answer of ours", message.Length, allocation);
            }

            DrainTurn(allocation);
            if (!_disposed)
            {
                DrainEvents();
                Reschedule();
            }
        }

        RaisePending();
    }

    private void OnTurnClosed(TurnAllocation allocation, Exception? error)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _logger.LogWarning("TURN: the connection to {Server} closed: {Message}", allocation, error?.Message ?? "end of stream");
            if (!allocation.Settled)
            {
                allocation.Settled = true;
                _agent.RelayGatheringFailed(Now);
                _pendingEvents.Add(new IceCandidateErrorEvent(allocation.Server.Server, 701, "TURN server closed the connection", allocation.Server.Url));
                DrainEvents();
                Reschedule();
            }
        }

        RaisePending();
    }

    /// <summary>Turns the TURN client's events into agent input and candidate errors (under the lock).</summary>
    private void DrainTurn(TurnAllocation allocation)
    {
        while (allocation.Client.PollEvent(out var turnEvent))
        {
            switch (turnEvent)
            {
                case TurnAllocatedEvent allocated when !_disposed:
                    allocation.Settled = true;
                    _logger.LogInformation("TURN: relay {Relayed} allocated on {Server} (mapped {Mapped}, lifetime {Lifetime})", allocated.RelayedAddress, allocation, allocated.MappedAddress, allocated.Lifetime);
                    _agent.AddRelayCandidate(allocation.BaseId, allocated.RelayedAddress, allocated.MappedAddress, allocation.Server.Protocol,
                        allocation.Server.Server, allocation.Server.Url, allocation.InterfacePreference, Now);
                    _relayPeersSynced = 0;
                    break;
                case TurnErrorEvent error when error.Method == Stun.StunMethod.Allocate && !allocation.Settled:
                    allocation.Settled = true;
                    _logger.LogWarning("TURN: allocation on {Server} failed: {Code} {Reason}", allocation, error.ErrorCode, error.Reason);
                    if (!_disposed)
                    {
                        _agent.RelayGatheringFailed(Now);
                        _pendingEvents.Add(new IceCandidateErrorEvent(allocation.Server.Server, error.ErrorCode, error.Reason, allocation.Server.Url));
                    }

                    allocation.Released.TrySetResult();
                    break;
                case TurnErrorEvent error:
                    _logger.LogWarning("TURN: {Method} on {Server} failed{Peer}: {Code} {Reason}", error.Method, allocation,
                        error.Peer is null ? string.Empty : " for a peer", error.ErrorCode, error.Reason);
                    if (allocation.Client.State is TurnClientState.Released or TurnClientState.Failed)
                    {
                        allocation.Released.TrySetResult();
                    }

                    break;
                case TurnPeerReadyEvent ready:
                    _logger.LogDebug("TURN: channel {Channel} bound on {Server}", ready.Channel, allocation);
                    break;
                case TurnReleasedEvent:
                    allocation.Released.TrySetResult();
                    break;
            }
        }
    }

    /// <summary>
    /// Gives every allocation a permission and a channel for each UDP remote candidate (RFC 8656
    /// §9, §12), so checks and data from the relay reach them. Runs under the lock.
    /// </summary>
    private void SyncRelayPeers()
    {
        var remotes = _agent.RemoteCandidates;
        if (_allocations.Count == 0 || _relayPeersSynced == remotes.Count)
        {
            return;
        }

        foreach (var allocation in _allocations)
        {
            if (allocation.Client.State != TurnClientState.Allocated || allocation.Client.RelayedAddress is not { } relayed)
            {
                continue;
            }

            foreach (var remote in remotes)
            {
                if (remote.Protocol == RTCIceProtocol.Udp && remote.EndPoint.AddressFamily == relayed.AddressFamily && allocation.Peers.Add(remote.EndPoint))
                {
                    allocation.Client.AddPeer(remote.EndPoint, Now);
                    DrainTurn(allocation);
                }
            }
        }

        _relayPeersSynced = remotes.Count;
    }

    /// <summary>
    /// Sets the peer's credentials (from its SDP); checks start once they are known. The same values
    /// again do nothing; different values once the peer's are known mean the peer restarted ICE:
    /// a new generation of checks starts (see <see cref="Restart"/>) and the local credentials stay
    /// as they are. To change ours too (JSEP's answerer to a restart must, RFC 8839 §4.4.1.1.2),
    /// call <see cref="Restart"/> first and then this.
    /// </summary>
    public void SetRemoteCredentials(string ufrag, string password, bool remoteIsLite = false) =>
        Run(agent => agent.SetRemoteCredentials(ufrag, password, remoteIsLite));

    /// <summary>
    /// Restarts ICE (RFC 8445 §9; W3C restartIce) on the same sockets with new local credentials.
    /// The peer's credentials and candidates are forgotten until it sends new ones
    /// (<see cref="SetRemoteCredentials"/>, <see cref="AddRemoteCandidateAsync"/>); every host and
    /// server-reflexive candidate is announced again through <see cref="CandidateGathered"/> with
    /// the new ufrag, then <see cref="GatheringStateChanged"/> goes Gathering → Complete.
    /// <para>
    /// <see cref="Dtls"/> and <see cref="Rtp"/> keep sending and receiving on the selected pair
    /// throughout (consent checks and answers to the peer's checks use the old credentials) until a
    /// pair of the new generation is nominated: then <see cref="SelectedPairChanged"/> fires and the
    /// old generation is gone. <see cref="State"/> stays Connected/Completed through a restart with a
    /// working pair; after a restart from Failed it stays Failed until the peer's new credentials
    /// arrive, then Checking → Connected → Completed.
    /// </para>
    /// </summary>
    /// <param name="newLocalCredentials">New local ice-ufrag/ice-pwd; generated when null. Put them in the next offer or answer.</param>
    /// <param name="controlling">The role from now on (true for the offerer of the restart), or null to keep the current one.</param>
    /// <returns>The new local credentials, also in <see cref="LocalCredentials"/>.</returns>
    /// <exception cref="ArgumentException">The new ufrag equals the current one.</exception>
    /// <exception cref="ObjectDisposedException">The transport was disposed.</exception>
    public IceCredentials Restart(IceCredentials? newLocalCredentials = null, bool? controlling = null)
    {
        var credentials = newLocalCredentials ?? IceCredentials.Generate();
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _agent.Restart(credentials.Ufrag, credentials.Pwd, Now, controlling);
            _localCredentials = credentials;
            DrainEvents();
            Reschedule();
        }

        _logger.LogInformation("ICE: restart, generation {Generation}", Generation);
        RaisePending();
        return credentials;
    }

    /// <summary>
    /// Adds a remote candidate. mDNS <c>.local</c> names are resolved first; a name that does not
    /// resolve is dropped with a log line. TCP candidates (RFC 6544) pair with this transport's
    /// TCP candidates when <see cref="IceTransportOptions.IncludeTcp"/> is on.
    /// </summary>
    /// <returns>True when the candidate was added.</returns>
    public async Task<bool> AddRemoteCandidateAsync(RTCIceCandidate candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.Protocol == RTCIceProtocol.Tcp && candidate.TcpType is not (RTCIceTcpCandidateType.Active or RTCIceTcpCandidateType.Passive))
        {
            _logger.LogDebug("ICE: TCP candidate with tcptype {TcpType} dropped (only active and passive are supported)", candidate.TcpType?.ToString() ?? "missing");
            return false;
        }

        IPAddress? address = candidate.IPAddress;
        if (address is null && candidate.IsMdnsHostName)
        {
            MdnsResolver resolver;
            lock (_sync)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                resolver = _mdns ??= new MdnsResolver();
            }

            address = await resolver.ResolveAsync(candidate.Address, _options.MdnsTimeout, cancellationToken).ConfigureAwait(false);
            if (address is null)
            {
                _logger.LogInformation("ICE: mDNS name of a remote candidate did not resolve; candidate dropped");
                return false;
            }
        }

        if (address is null)
        {
            _logger.LogDebug("ICE: remote candidate with unusable address dropped");
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var endPoint = new IPEndPoint(address, candidate.Port);
        IceRemoteCandidate? added = null;
        bool stale = false;
        Run(agent =>
        {
            // A candidate of an earlier generation (RFC 8838 §4.2: its ufrag names it) is not paired.
            if (candidate.UsernameFragment is { } ufrag && agent.RemoteUfrag is { } current && ufrag != current)
            {
                stale = true;
                return;
            }

            added = agent.AddRemoteCandidate(candidate.Type, endPoint, candidate.Priority, candidate.Foundation, Now, candidate.Protocol, candidate.TcpType);
        });
        if (stale)
        {
            _logger.LogDebug("ICE: remote candidate of an earlier generation dropped");
        }

        return added is not null;
    }

    /// <summary>The peer has no more candidates (RFC 8838 end-of-candidates).</summary>
    public void AddRemoteEndOfCandidates() => Run(agent => agent.AddRemoteEndOfCandidates(Now));

    /// <summary>
    /// Closes the agent, releases every TURN allocation (RFC 8656 §7.3: a Refresh with lifetime 0,
    /// waiting briefly for the answers) and closes the sockets and connections.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        List<IceBase?> bases;
        List<Task> releases = [];
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _agent.Close();
            _path = null;
            bases = [.. _bases];
            foreach (var allocation in _allocations)
            {
                if (allocation.Client.State == TurnClientState.Allocated)
                {
                    allocation.Client.Release(Now);
                    DrainTurn(allocation);
                    releases.Add(allocation.Released.Task);
                }
            }

            DrainEvents();
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        if (releases.Count > 0)
        {
            // Real time on purpose: this waits for the network, not for the agent's clock.
            await Task.WhenAny(Task.WhenAll(releases), Task.Delay(ReleaseWait)).ConfigureAwait(false);
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        foreach (var iceBase in bases)
        {
            if (iceBase is not null)
            {
                await iceBase.DisposeAsync().ConfigureAwait(false);
            }
        }

        _mdns?.Dispose();
        _closing.Dispose();
        RaisePending();
    }

    private static readonly TimeSpan ReleaseWait = TimeSpan.FromMilliseconds(500);

    private void Run(Action<IceAgent> action)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            action(_agent);
            DrainEvents();
            Reschedule();
        }

        RaisePending();
    }

    private void OnTimer()
    {
        try
        {
            Run(agent =>
            {
                var now = Now;
                agent.HandleTimeout(now);
                foreach (var allocation in _allocations)
                {
                    if (allocation.Client.NextDeadline is { } due && due <= now)
                    {
                        allocation.Client.HandleTimeout(now);
                        DrainTurn(allocation);
                    }
                }
            });
        }
        catch (Exception ex)
        {
            // A timer callback must never take the process down.
            _logger.LogError(ex, "ICE: timer handling failed");
        }
    }

    private void Reschedule()
    {
        TimeSpan? next = _agent.NextDeadline;
        foreach (var allocation in _allocations)
        {
            if (allocation.Client.NextDeadline is { } due && (next is null || due < next))
            {
                next = due;
            }
        }

        if (next is { } deadline)
        {
            var due = deadline - Now;
            _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void DrainEvents()
    {
        SyncRelayPeers();
        while (_agent.PollEvent(out var agentEvent))
        {
            if (agentEvent is IceSelectedPairEvent selected)
            {
                _path = selected.Pair is { } pair && _bases[pair.Local.BaseId] is { } iceBase ? new SelectedPath(iceBase, pair.Remote.EndPoint) : null;
                if (selected.Pair is { } chosen)
                {
                    _logger.LogInformation("ICE: selected {Pair}", chosen);
                }
            }

            _pendingEvents.Add(agentEvent!);
        }
    }

    // One dispatcher at a time keeps events in order without holding _sync while handlers run:
    // whoever finds events queued and nobody dispatching raises them; the others just return.
    private void RaisePending()
    {
        while (true)
        {
            IceAgentEvent[] events;
            lock (_sync)
            {
                if (_dispatching || _pendingEvents.Count == 0)
                {
                    return;
                }

                _dispatching = true;
                events = [.. _pendingEvents];
                _pendingEvents.Clear();
            }

            try
            {
                Raise(events);
            }
            finally
            {
                lock (_sync)
                {
                    _dispatching = false;
                }
            }
        }
    }

    private void Raise(IceAgentEvent[] events)
    {
        foreach (var agentEvent in events)
        {
            switch (agentEvent)
            {
                case IceLocalCandidateEvent local:
                    EventInvoker.Raise(CandidateGathered, this, local.Candidate.ToRTCIceCandidate(local.UsernameFragment ?? LocalCredentials.Ufrag), _logger, nameof(CandidateGathered));
                    break;
                case IceGatheringStateEvent gathering:
                    EventInvoker.Raise(GatheringStateChanged, this, gathering.State, _logger, nameof(GatheringStateChanged));
                    break;
                case IceStateEvent state:
                    EventInvoker.Raise(StateChanged, this, state.State, _logger, nameof(StateChanged));
                    break;
                case IceSelectedPairEvent selected:
                    EventInvoker.Raise(SelectedPairChanged, this, selected.Pair, _logger, nameof(SelectedPairChanged));
                    break;
                case IceRoleEvent role:
                    EventInvoker.Raise(RoleChanged, this, role.Role, _logger, nameof(RoleChanged));
                    break;
                case IceCandidateErrorEvent error:
                    EventInvoker.Raise(CandidateError, this, error, _logger, nameof(CandidateError));
                    break;
            }
        }
    }

    private void SendFromBase(int baseId, IPEndPoint remote, ReadOnlySpan<byte> datagram) => _bases[baseId]?.TrySend(datagram, remote);

    private void OnDatagram(int baseId, ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (datagram.IsEmpty)
        {
            return;
        }

        // RFC 7983 §7: demultiplex on the first byte.
        byte first = datagram[0];
        if (first <= 3)
        {
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }

                _agent.HandleStun(baseId, remote, datagram, Now);
                DrainEvents();
                Reschedule();
            }

            RaisePending();
            return;
        }

        DemuxChannel? channel = first switch
        {
            >= 20 and <= 63 => _dtls,
            >= 128 and <= 191 => _rtp,
            _ => null,
        };
        if (channel is null || !_agent.IsValidSource(baseId, remote))
        {
            Interlocked.Increment(ref _unknownPackets);
            return;
        }

        channel.Deliver(datagram);
    }

    // One reference, so the send path reads socket and remote together without a lock.
    private sealed record SelectedPath(IceBase Base, IPEndPoint Remote);

    private sealed class DemuxChannel(IceTransport owner) : IDatagramTransport
    {
        private volatile DatagramReceiver? _receiver;

        public bool IsWritable => owner._path is not null;

        public DatagramReceiver? Receiver
        {
            get => _receiver;
            set => _receiver = value;
        }

        public bool TrySend(ReadOnlySpan<byte> datagram) =>
            owner._path is { } path && path.Base.TrySend(datagram, path.Remote);

        public void Deliver(ReadOnlySpan<byte> datagram)
        {
            try
            {
                _receiver?.Invoke(datagram);
            }
            catch (Exception ex)
            {
                owner._logger.LogError(ex, "ICE: a datagram receiver threw");
            }
        }
    }
}
