using System.Net;
using System.Net.Sockets;
using System.Text;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Ice;

/// <summary>Sends one datagram from the base socket <paramref name="baseId"/> to <paramref name="remote"/>.</summary>
public delegate void IceSendCallback(int baseId, IPEndPoint remote, ReadOnlySpan<byte> datagram);

/// <summary>
/// The ICE agent as a sans-IO state machine (RFC 8445 full and lite, RFC 8838 trickle,
/// RFC 7675 consent): no sockets, no clock, no threads. The driver feeds it gathered bases,
/// remote candidates, received STUN datagrams and the time; it sends through the callback,
/// reports <see cref="IceAgentEvent"/>s through <see cref="PollEvent"/> and says when it next
/// needs <see cref="HandleTimeout"/> through <see cref="NextDeadline"/>. Not thread-safe: the
/// driver serializes calls.
/// </summary>
public sealed partial class IceAgent
{
    private const int ComponentRtp = 1;

    private readonly IceAgentOptions _options;
    private readonly IceSendCallback _send;
    private readonly Random _random;
    private string _localUfrag;
    private byte[] _localUfragBytes;
    private byte[] _localKey;
    private readonly byte[] _buffer = new byte[1280];
    private readonly List<IceLocalCandidate> _local = [];
    private readonly Dictionary<int, IceLocalCandidate> _bases = [];
    private readonly List<IceRemoteCandidate> _remote = [];
    private readonly List<IceCandidatePair> _pairs = [];
    private readonly Queue<IceCandidatePair> _triggered = new();
    private readonly Dictionary<StunTransactionId, Transaction> _transactions = [];
    private readonly List<StunTransactionId> _expired = [];
    private readonly Queue<IceAgentEvent> _events = new();

    private string? _remoteUfrag;
    private byte[]? _remoteKey;
    private string? _checkUsername;
    private bool _controlling;
    private RTCIceTransportState _state = RTCIceTransportState.New;
    private RTCIceGatheringState _gatheringState = RTCIceGatheringState.New;
    private IceCandidatePair? _selected;
    private IceCandidatePair? _nominationPair;
    private bool _localCandidatesDone;
    private bool _remoteEndOfCandidates;
    private bool _consentLost;
    private bool _closed;
    private TimeSpan _nextCheck;
    private TimeSpan? _firstValidAt;
    private TimeSpan? _nominationDeadline;
    private TimeSpan _nextConsent;
    private int _pendingServerTransactions;
    private int _pendingRelays;
    private int _prflxCounter;
    private (int BaseId, IPEndPoint Remote)[] _validSources = [];

    /// <summary>Creates an agent.</summary>
    /// <param name="options">Credentials, role and timers.</param>
    /// <param name="send">Where outgoing STUN datagrams go.</param>
    public IceAgent(IceAgentOptions options, IceSendCallback send)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(send);
        _options = options;
        _send = send;
        _random = options.Random ?? Random.Shared;
        _controlling = options.Controlling && !options.Lite;
        TieBreaker = options.TieBreaker ?? (ulong)_random.NextInt64();
        _localUfrag = options.LocalUfrag;
        _localUfragBytes = Encoding.UTF8.GetBytes(options.LocalUfrag);
        _localKey = StunIntegrity.ShortTermKey(options.LocalPassword);
    }

    /// <summary>The current role.</summary>
    public RTCIceRole Role => _controlling ? RTCIceRole.Controlling : RTCIceRole.Controlled;

    /// <summary>The tie-breaker sent in ICE-CONTROLLING / ICE-CONTROLLED.</summary>
    public ulong TieBreaker { get; }

    /// <summary>Transport state (W3C meanings).</summary>
    public RTCIceTransportState State => _state;

    /// <summary>Gathering state.</summary>
    public RTCIceGatheringState GatheringState => _gatheringState;

    /// <summary>The pair data goes over, or null.</summary>
    public IceCandidatePair? SelectedPair => _selected;

    /// <summary>The checklist, highest priority first.</summary>
    public IReadOnlyList<IceCandidatePair> Pairs => _pairs;

    /// <summary>Local candidates gathered so far.</summary>
    public IReadOnlyList<IceLocalCandidate> LocalCandidates => _local;

    /// <summary>Remote candidates known so far, peer-reflexive ones included.</summary>
    public IReadOnlyList<IceRemoteCandidate> RemoteCandidates => _remote;

    /// <summary>The local username fragment of the current generation (changes with <see cref="Restart"/>).</summary>
    public string LocalUfrag => _localUfrag;

    /// <summary>The remote username fragment, once known.</summary>
    public string? RemoteUfrag => _remoteUfrag;

    /// <summary>True when the remote agent is ICE-lite.</summary>
    public bool RemoteIsLite { get; private set; }

    /// <summary>STUN datagrams dropped: malformed, unauthenticated, or not ours.</summary>
    public long StunPacketsDropped { get; private set; }

    /// <summary>Takes the next event, if any.</summary>
    public bool PollEvent(out IceAgentEvent? agentEvent) => _events.TryDequeue(out agentEvent);

    /// <summary>
    /// True when <paramref name="remote"/> on <paramref name="baseId"/> belongs to a valid pair, so
    /// data from it may be passed up. Safe to call from any thread.
    /// </summary>
    public bool IsValidSource(int baseId, IPEndPoint remote)
    {
        foreach (var (id, endPoint) in Volatile.Read(ref _validSources))
        {
            if (id == baseId && endPoint.Equals(remote))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds a host candidate for a bound socket (the base) and starts server-reflexive
    /// gathering from it through every configured STUN server of the same family.
    /// </summary>
    /// <param name="baseId">The driver's identifier of the socket.</param>
    /// <param name="endPoint">The socket's local address.</param>
    /// <param name="localPreference">RFC 8445 §5.1.2.1 local preference of the interface.</param>
    /// <param name="now">Agent clock.</param>
    public IceLocalCandidate AddHostCandidate(int baseId, IPEndPoint endPoint, ushort localPreference, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var host = new IceLocalCandidate(
            RTCIceCandidateType.Host,
            endPoint,
            baseId,
            endPoint,
            IcePriority.Compute(RTCIceCandidateType.Host, localPreference, ComponentRtp),
            IceFoundation.Compute(RTCIceCandidateType.Host, endPoint.Address, RTCIceProtocol.Udp, null),
            server: null)
        {
            LocalPreference = localPreference,
            PeerReflexivePriority = IcePriority.Compute(RTCIceCandidateType.Prflx, localPreference, ComponentRtp),
        };
        AddBase(host, now);
        if (!_options.Lite)
        {
            foreach (var server in _options.StunServers)
            {
                if (server.AddressFamily == endPoint.AddressFamily)
                {
                    StartServerBinding(host, server, now);
                }
            }
        }

        Update(now);
        return host;
    }

    /// <summary>
    /// Adds a host TCP candidate (RFC 6544): a passive one for a listening socket, or an active
    /// one (signaled with port 9, §4.5) for which the driver opens connections to the peer's
    /// passive candidates when the agent sends to them.
    /// </summary>
    /// <param name="baseId">The driver's identifier of the listener (passive) or of the connecting side (active).</param>
    /// <param name="endPoint">The listening address (passive), or the local address with port 9 (active).</param>
    /// <param name="tcpType">Active or passive; simultaneous-open is not supported.</param>
    /// <param name="interfacePreference">The interface's UDP local preference (<see cref="IcePriority.LocalPreference"/>).</param>
    /// <param name="now">Agent clock.</param>
    /// <exception cref="ArgumentException"><paramref name="tcpType"/> is simultaneous-open.</exception>
    public IceLocalCandidate AddTcpHostCandidate(int baseId, IPEndPoint endPoint, RTCIceTcpCandidateType tcpType, ushort interfacePreference, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (tcpType == RTCIceTcpCandidateType.So)
        {
            throw new ArgumentException("Simultaneous-open TCP candidates are not supported.", nameof(tcpType));
        }

        ushort localPreference = IcePriority.TcpLocalPreference(tcpType, interfacePreference);
        var host = new IceLocalCandidate(
            RTCIceCandidateType.Host,
            endPoint,
            baseId,
            endPoint,
            IcePriority.Compute(IcePriority.HostTcpTypePreference, localPreference, ComponentRtp),
            IceFoundation.Compute(RTCIceCandidateType.Host, endPoint.Address, RTCIceProtocol.Tcp, null),
            server: null)
        {
            LocalPreference = localPreference,
            Protocol = RTCIceProtocol.Tcp,
            TcpType = tcpType,
            PeerReflexivePriority = IcePriority.Compute(IcePriority.PeerReflexiveTcpTypePreference, localPreference, ComponentRtp),
        };
        AddBase(host, now);
        Update(now);
        return host;
    }

    /// <summary>
    /// Says that the driver is allocating a relay from a TURN server, so gathering is not complete
    /// until <see cref="AddRelayCandidate"/> or <see cref="RelayGatheringFailed"/> answers it.
    /// </summary>
    public void BeginRelayGathering()
    {
        ThrowIfClosed();
        _pendingRelays++;
        SetGatheringState(RTCIceGatheringState.Gathering);
    }

    /// <summary>An allocation announced by <see cref="BeginRelayGathering"/> failed; the driver reports the error itself.</summary>
    public void RelayGatheringFailed(TimeSpan now)
    {
        _pendingRelays = Math.Max(0, _pendingRelays - 1);
        Update(now);
    }

    /// <summary>
    /// Adds a relay candidate (RFC 8656): the relayed transport address of a TURN allocation is
    /// its own base; what the agent sends from it the driver wraps for the TURN server.
    /// Answers one <see cref="BeginRelayGathering"/>.
    /// </summary>
    /// <param name="baseId">The driver's identifier of the allocation.</param>
    /// <param name="relayed">XOR-RELAYED-ADDRESS: the address peers send to.</param>
    /// <param name="mapped">XOR-MAPPED-ADDRESS of the allocation: signaled as raddr/rport.</param>
    /// <param name="relayProtocol">How the TURN server is reached.</param>
    /// <param name="server">The TURN server's address (for the foundation).</param>
    /// <param name="url">The turn:/turns: URL (W3C url).</param>
    /// <param name="interfacePreference">The UDP local preference of the interface the allocation leaves from.</param>
    /// <param name="now">Agent clock.</param>
    public IceLocalCandidate AddRelayCandidate(int baseId, IPEndPoint relayed, IPEndPoint mapped, RTCIceServerTransportProtocol relayProtocol, IPEndPoint server, string? url, ushort interfacePreference, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(relayed);
        ArgumentNullException.ThrowIfNull(mapped);
        ArgumentNullException.ThrowIfNull(server);
        ushort localPreference = IcePriority.RelayLocalPreference(relayProtocol, interfacePreference);
        var relay = new IceLocalCandidate(
            RTCIceCandidateType.Relay,
            relayed,
            baseId,
            relayed,
            IcePriority.Compute(RTCIceCandidateType.Relay, localPreference, ComponentRtp),
            // RFC 8445 §5.1.1.3: same type, base, protocol and server give the same foundation.
            IceFoundation.Compute(RTCIceCandidateType.Relay, relayed.Address, RTCIceProtocol.Udp, server + "/" + relayProtocol),
            server)
        {
            LocalPreference = localPreference,
            RelayProtocol = relayProtocol,
            Url = url,
            RelatedEndPoint = mapped,
            PeerReflexivePriority = IcePriority.Compute(RTCIceCandidateType.Prflx, localPreference, ComponentRtp),
        };
        _pendingRelays = Math.Max(0, _pendingRelays - 1);
        AddBase(relay, now);
        Update(now);
        return relay;
    }

    private void AddBase(IceLocalCandidate candidate, TimeSpan now)
    {
        ThrowIfClosed();
        if (_bases.ContainsKey(candidate.BaseId))
        {
            throw new ArgumentException($"Base {candidate.BaseId} already has a candidate.", "baseId");
        }

        _bases.Add(candidate.BaseId, candidate);
        _local.Add(candidate);
        SetGatheringState(RTCIceGatheringState.Gathering);
        _events.Enqueue(new IceLocalCandidateEvent(candidate, _localUfrag));
        foreach (var remote in _remote)
        {
            TryAddPair(candidate, remote, now);
        }
    }

    /// <summary>Says that no more bases will be added; gathering completes once the STUN servers have answered.</summary>
    public void EndOfLocalCandidates(TimeSpan now)
    {
        _localCandidatesDone = true;
        Update(now);
    }

    /// <summary>
    /// Sets the peer's ice-ufrag and ice-pwd (and whether it is ICE-lite); checks start once known.
    /// Setting the same values again does nothing. Setting different values while the peer's
    /// credentials are already known is the peer restarting ICE (RFC 8839 §4.4.1.1.2): the agent
    /// starts a new generation exactly as <see cref="Restart"/> does, but keeps its own local
    /// credentials (call <see cref="Restart"/> first, then this, to change both, as JSEP's
    /// answerer does).
    /// </summary>
    public void SetRemoteCredentials(string ufrag, string password, bool remoteIsLite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(ufrag);
        ArgumentException.ThrowIfNullOrEmpty(password);
        ThrowIfClosed();
        byte[] key = StunIntegrity.ShortTermKey(password);
        if (_remoteUfrag is not null && _remoteKey is not null)
        {
            if (_remoteUfrag == ufrag && _remoteKey.AsSpan().SequenceEqual(key) && RemoteIsLite == remoteIsLite)
            {
                return;
            }

            if (_remoteUfrag != ufrag || !_remoteKey.AsSpan().SequenceEqual(key))
            {
                BeginNewGeneration();
                AnnounceLocalCandidates();
                UpdateGathering();
            }
        }

        _remoteUfrag = ufrag;
        _remoteKey = key;
        _checkUsername = ufrag + ":" + _localUfrag;
        RemoteIsLite = remoteIsLite;
        if (remoteIsLite && !_controlling && !_options.Lite)
        {
            // RFC 8445 §6.1.1: a full agent facing a lite agent is always controlling.
            SetRole(controlling: true);
        }
    }

    /// <summary>Adds a remote candidate (trickled or from the SDP).</summary>
    /// <param name="type">Candidate type.</param>
    /// <param name="endPoint">Its resolved address.</param>
    /// <param name="priority">Its priority.</param>
    /// <param name="foundation">Its foundation.</param>
    /// <param name="now">Agent clock.</param>
    /// <param name="protocol">UDP, or TCP (RFC 6544).</param>
    /// <param name="tcpType">For TCP candidates, the peer's tcptype; a TCP candidate without one is unusable.</param>
    /// <returns>The candidate, or null when it was a duplicate or unusable.</returns>
    public IceRemoteCandidate? AddRemoteCandidate(RTCIceCandidateType type, IPEndPoint endPoint, uint priority, string foundation, TimeSpan now,
        RTCIceProtocol protocol = RTCIceProtocol.Udp, RTCIceTcpCandidateType? tcpType = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ThrowIfClosed();
        if (protocol == RTCIceProtocol.Tcp && tcpType is null)
        {
            return null;
        }

        var existing = FindRemote(endPoint, protocol);
        if (existing is not null)
        {
            if (existing.Type == RTCIceCandidateType.Prflx && type != RTCIceCandidateType.Prflx)
            {
                // RFC 8445 §7.3.1.3: a signaled candidate replaces the peer-reflexive one learned earlier.
                existing.Type = type;
                existing.Priority = priority;
                existing.Foundation = foundation;
                RecomputePriorities();
            }

            return null;
        }

        var remote = new IceRemoteCandidate(type, endPoint, priority, foundation) { Protocol = protocol, TcpType = protocol == RTCIceProtocol.Tcp ? tcpType : null };
        _remote.Add(remote);
        foreach (var local in _bases.Values)
        {
            TryAddPair(local, remote, now);
        }

        Update(now);
        return remote;
    }

    private IceRemoteCandidate? FindRemote(IPEndPoint endPoint, RTCIceProtocol protocol) =>
        _remote.Find(r => r.Protocol == protocol && r.EndPoint.Equals(endPoint));

    /// <summary>The peer said end-of-candidates (RFC 8838 §8.2).</summary>
    public void AddRemoteEndOfCandidates(TimeSpan now)
    {
        _remoteEndOfCandidates = true;
        Update(now);
    }

    /// <summary>
    /// Handles one received STUN datagram. Returns false when it was dropped (malformed,
    /// unauthenticated, or a response to nothing of ours); never throws for bad input.
    /// </summary>
    public bool HandleStun(int baseId, IPEndPoint remote, ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        if (_closed || !StunReader.TryParse(datagram, out var message, out _))
        {
            StunPacketsDropped++;
            return false;
        }

        bool handled = message.Type.Class switch
        {
            StunClass.Request when message.Type.Method == StunMethod.Binding => HandleBindingRequest(baseId, remote, message, now),
            StunClass.SuccessResponse or StunClass.ErrorResponse => HandleResponse(baseId, remote, message, now),
            // A Binding indication is a keepalive (RFC 8445 §11): nothing to do.
            StunClass.Indication => message.Type.Method == StunMethod.Binding,
            _ => false,
        };
        if (!handled)
        {
            StunPacketsDropped++;
        }

        Update(now);
        return handled;
    }

    /// <summary>Runs the timers due at <paramref name="now"/>: retransmissions, paced checks, nomination, consent.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        if (_closed)
        {
            return;
        }

        RunTransactionTimers(now);
        if (!_options.Lite && !_consentLost && _remoteKey is not null && now >= _nextCheck)
        {
            // Paced whether or not a check went out, so a deadline never stays in the past.
            SendNextCheck(now);
            _nextCheck = now + _options.CheckPacing;
        }

        if (_selected is { State: IceCandidatePairState.Succeeded } selected && !_options.Lite && now >= _nextConsent)
        {
            SendCheck(selected, now, TransactionKind.Consent, useCandidate: false);
            _nextConsent = now + JitteredConsentInterval();
        }

        Update(now);
    }

    /// <summary>When <see cref="HandleTimeout"/> next needs to run, or null when nothing is pending.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            if (_closed)
            {
                return null;
            }

            TimeSpan? deadline = null;
            foreach (var transaction in _transactions.Values)
            {
                deadline = Min(deadline, transaction.Timer.Deadline);
            }

            if (!_options.Lite && !_consentLost && _remoteKey is not null && HasCheckWork())
            {
                deadline = Min(deadline, _nextCheck);
            }

            if (_nominationDeadline is { } nominateAt)
            {
                deadline = Min(deadline, nominateAt);
            }

            if (_selected is { } selected && !_options.Lite)
            {
                deadline = Min(deadline, _nextConsent);
                if (selected.LastConsent is { } last)
                {
                    TimeSpan disconnectAt = last + _options.DisconnectedTimeout;
                    TimeSpan failAt = last + _options.ConsentTimeout;
                    deadline = Min(deadline, _state == RTCIceTransportState.Disconnected ? failAt : disconnectAt);
                }
            }

            return deadline;
        }
    }

    /// <summary>Closes the agent: no more sends, state Closed.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _transactions.Clear();
        _triggered.Clear();
        Volatile.Write(ref _validSources, []);
        if (_selected is not null)
        {
            _selected = null;
            _events.Enqueue(new IceSelectedPairEvent(null));
        }

        SetState(RTCIceTransportState.Closed);
    }

    private static TimeSpan Min(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);

    private TimeSpan JitteredConsentInterval() =>
        _options.ConsentInterval * (0.8 + (0.4 * _random.NextDouble()));

    private void SetGatheringState(RTCIceGatheringState state)
    {
        if (_gatheringState != state)
        {
            _gatheringState = state;
            _events.Enqueue(new IceGatheringStateEvent(state));
        }
    }

    private void SetState(RTCIceTransportState state)
    {
        if (_state != state)
        {
            _state = state;
            _events.Enqueue(new IceStateEvent(state));
        }
    }

    private void SetRole(bool controlling)
    {
        if (_controlling == controlling)
        {
            return;
        }

        _controlling = controlling;
        RecomputePriorities();
        _events.Enqueue(new IceRoleEvent(Role));
    }

    private void RecomputePriorities()
    {
        foreach (var pair in _pairs)
        {
            pair.Priority = _controlling
                ? IcePriority.PairPriority(pair.Local.Priority, pair.Remote.Priority)
                : IcePriority.PairPriority(pair.Remote.Priority, pair.Local.Priority);
        }

        // Stable order for equal priorities keeps tests deterministic.
        var sorted = _pairs.OrderByDescending(p => p.Priority).ToList();
        _pairs.Clear();
        _pairs.AddRange(sorted);
    }

    private IceCandidatePair? TryAddPair(IceLocalCandidate local, IceRemoteCandidate remote, TimeSpan now)
    {
        if (!ProtocolsPair(local, remote))
        {
            return null;
        }

        // RFC 8445 §6.1.2.2: same component and address family; loopback only pairs with loopback.
        if (local.EndPoint.AddressFamily != remote.EndPoint.AddressFamily
            || IPAddress.IsLoopback(local.EndPoint.Address) != IPAddress.IsLoopback(remote.EndPoint.Address)
            || (remote.EndPoint.AddressFamily == AddressFamily.InterNetworkV6
                && local.EndPoint.Address.IsIPv6LinkLocal != remote.EndPoint.Address.IsIPv6LinkLocal))
        {
            return null;
        }

        var pair = FindPair(local.BaseId, remote.EndPoint);
        if (pair is not null)
        {
            return pair;
        }

        pair = new IceCandidatePair(local, remote)
        {
            Priority = _controlling
                ? IcePriority.PairPriority(local.Priority, remote.Priority)
                : IcePriority.PairPriority(remote.Priority, local.Priority),
        };

        // RFC 8445 §6.1.2.6 with trickle (RFC 8838 §10): the first pair of a foundation waits, others freeze.
        bool foundationActive = _pairs.Exists(p => p.Foundation == pair.Foundation
            && p.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress);
        pair.State = foundationActive ? IceCandidatePairState.Frozen : IceCandidatePairState.Waiting;

        int index = _pairs.FindIndex(p => p.Priority < pair.Priority);
        _pairs.Insert(index < 0 ? _pairs.Count : index, pair);
        if (_pairs.Count > _options.MaxPairs)
        {
            int victim = _pairs.FindLastIndex(p => p.State is IceCandidatePairState.Frozen or IceCandidatePairState.Waiting && !p.InTriggeredQueue);
            if (victim >= 0)
            {
                _pairs.RemoveAt(victim);
            }
        }

        if (_pairs.Count == 1 || _nextCheck < now)
        {
            _nextCheck = Max(_nextCheck, now);
        }

        return pair;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// UDP pairs with UDP (a relay base relays UDP). TCP follows RFC 6544 §6.2: our active side
    /// connects to the peer's passive one; our passive side cannot connect anywhere, so it only
    /// pairs with the peer-reflexive candidate of a connection the peer opened to it.
    /// </summary>
    private static bool ProtocolsPair(IceLocalCandidate local, IceRemoteCandidate remote)
    {
        if (local.Protocol != remote.Protocol)
        {
            return false;
        }

        return local.Protocol == RTCIceProtocol.Udp || (local.TcpType, remote.TcpType) switch
        {
            (RTCIceTcpCandidateType.Active, RTCIceTcpCandidateType.Passive) => true,
            (RTCIceTcpCandidateType.Passive, RTCIceTcpCandidateType.Active) => remote.Type == RTCIceCandidateType.Prflx,
            _ => false,
        };
    }

    private IceCandidatePair? FindPair(int baseId, IPEndPoint remote)
    {
        foreach (var pair in _pairs)
        {
            if (pair.Local.BaseId == baseId && pair.Remote.EndPoint.Equals(remote))
            {
                return pair;
            }
        }

        return null;
    }

    private bool HasNominatedPair() => _pairs.Exists(p => p.Nominated && p.State == IceCandidatePairState.Succeeded);

    private bool HasCheckWork()
    {
        if (_triggered.Count > 0)
        {
            return true;
        }

        if (HasNominatedPair())
        {
            return false;
        }

        // A frozen pair only counts when SendNextCheck could unfreeze it; otherwise the check in
        // flight for its foundation wakes the agent through its own transaction deadline.
        return _pairs.Exists(p => p.State == IceCandidatePairState.Waiting
            || (p.State == IceCandidatePairState.Frozen && !_pairs.Exists(o => o.Foundation == p.Foundation
                && o.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress)));
    }

    private void EnqueueTriggered(IceCandidatePair pair)
    {
        if (!pair.InTriggeredQueue)
        {
            pair.InTriggeredQueue = true;
            _triggered.Enqueue(pair);
        }
    }

    private void MarkValid(IceCandidatePair pair, TimeSpan now)
    {
        bool wasValid = pair.State == IceCandidatePairState.Succeeded;
        pair.State = IceCandidatePairState.Succeeded;
        pair.LastConsent = now;
        _firstValidAt ??= now;
        if (wasValid)
        {
            return;
        }

        // RFC 8445 §7.2.5.3.3: success unfreezes the pairs of the same foundation.
        foreach (var other in _pairs)
        {
            if (other.State == IceCandidatePairState.Frozen && other.Foundation == pair.Foundation)
            {
                other.State = IceCandidatePairState.Waiting;
            }
        }

        AddValidSource(pair.Local.BaseId, pair.Remote.EndPoint);
    }

    /// <summary>
    /// Lets data from this remote through: a valid pair, or a peer that sent us an authenticated
    /// check. The latter matters because the controlling side may start DTLS before our own
    /// triggered check on that pair has come back. Copy-on-write for lock-free readers.
    /// </summary>
    private void AddValidSource(int baseId, IPEndPoint remote)
    {
        if (_consentLost || IsValidSource(baseId, remote))
        {
            return;
        }

        var sources = Volatile.Read(ref _validSources);
        Volatile.Write(ref _validSources, [.. sources, (baseId, remote)]);
    }
}
