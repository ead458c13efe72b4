using System.Net;
using System.Net.Sockets;
using System.Text;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Turn;

/// <summary>
/// A TURN client for one allocation (RFC 8656, long-term credentials RFC 8489 §9.2) as a sans-IO
/// state machine: no socket, no clock, no thread. The driver gives it the server's messages and
/// the time, sends what it hands to the <see cref="TurnSendCallback"/>, drains
/// <see cref="PollEvent"/> and calls <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>.
/// </summary>
/// <remarks>
/// Everything except <see cref="TryUnwrap"/>, <see cref="WrapForPeer"/> and the counters must be
/// called serialized by the driver. Those three are the data path: lock-free, safe from any
/// thread, and they read the peer/channel maps as immutable snapshots. For every message from
/// the server the driver calls <see cref="TryUnwrap"/> first and <see cref="HandleServerMessage"/>
/// when that says no; it passes only messages that came from <see cref="TurnClientOptions.Server"/>.
/// </remarks>
public sealed partial class TurnClient
{
    /// <summary>
    /// The most bytes <see cref="WrapForPeer"/> adds to the data: a Send indication (20-byte
    /// header) with XOR-PEER-ADDRESS for an IPv6 peer (24), the DATA header (4) and 3 bytes of padding.
    /// </summary>
    public const int MaxOverhead = StunConstants.HeaderLength + 24 + 4 + 3;

    // REQUESTED-TRANSPORT UDP (RFC 8656 §14.7: protocol number 17 then 3 RFFU bytes).
    private const uint RequestedTransportUdp = 17u << 24;

    // REQUESTED-ADDRESS-FAMILY IPv6 (RFC 8656 §14.1: 0x02 then 3 RFFU bytes).
    private const uint RequestedFamilyIPv6 = 0x02u << 24;

    // The W3C icecandidateerror code for a server that never answered.
    private const int NoAnswerCode = 701;

    private readonly TurnSendCallback _send;
    private readonly TurnCredentials _credentials;
    private readonly StunRetransmitPolicy _policy;
    private readonly bool _streamTransport;
    private readonly uint _requestedLifetimeSeconds;
    private readonly byte[] _buffer = new byte[4096];
    private readonly Queue<TurnClientEvent> _events = new();

    private TurnClientState _state = TurnClientState.New;
    private TimeSpan? _refreshAt;
    private bool _releaseWhenAllocated;

    /// <summary>Creates a client; nothing is sent until <see cref="Allocate"/>.</summary>
    /// <param name="options">Server, credentials and timers.</param>
    /// <param name="sendToServer">Where messages for the server go.</param>
    /// <exception cref="ArgumentException">An option is out of range (empty user name, a user name over 508 bytes or SOFTWARE over 763 bytes of UTF-8, a lifetime under a second).</exception>
    public TurnClient(TurnClientOptions options, TurnSendCallback sendToServer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sendToServer);
        ArgumentNullException.ThrowIfNull(options.Server);
        ArgumentException.ThrowIfNullOrEmpty(options.Username, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Password, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Retransmit, nameof(options));
        // RFC 8489 §14.3, §14.14: USERNAME under 509 bytes, SOFTWARE under 128 characters (763 bytes).
        if (Encoding.UTF8.GetByteCount(options.Username) > 508)
        {
            throw new ArgumentException("The TURN user name is at most 508 bytes of UTF-8.", nameof(options));
        }

        if (options.Software is not null && Encoding.UTF8.GetByteCount(options.Software) > 763)
        {
            throw new ArgumentException("SOFTWARE is at most 763 bytes of UTF-8.", nameof(options));
        }

        if (options.RequestedLifetime < TimeSpan.FromSeconds(1) || options.RequestedLifetime.TotalSeconds > uint.MaxValue)
        {
            throw new ArgumentException("The requested lifetime is at least one second.", nameof(options));
        }

        if (options.RelayFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("The relay family is IPv4 or IPv6.", nameof(options));
        }

        // Validates the policy (the timer's constructor throws for a bad one).
        _ = new StunRetransmitTimer(options.Retransmit, TimeSpan.Zero);

        Options = options;
        _send = sendToServer;
        _credentials = new TurnCredentials(options.Username, options.Password);
        _streamTransport = options.Transport is TurnTransportProtocol.Tcp or TurnTransportProtocol.Tls;
        // RFC 8489 §6.2.2: over a reliable transport, no retransmissions and one timeout, as long
        // as the whole UDP schedule (39.5 s with the defaults).
        _policy = _streamTransport ? new StunRetransmitPolicy(TotalTimeout(options.Retransmit), 1, 1) : options.Retransmit;
        _requestedLifetimeSeconds = (uint)options.RequestedLifetime.TotalSeconds;
    }

    /// <summary>The settings the client was made with.</summary>
    public TurnClientOptions Options { get; }

    /// <summary>Where the allocation is in its life.</summary>
    public TurnClientState State => _state;

    /// <summary>XOR-RELAYED-ADDRESS of the allocation, once allocated.</summary>
    public IPEndPoint? RelayedAddress { get; private set; }

    /// <summary>XOR-MAPPED-ADDRESS of the Allocate success response: the client as the server saw it.</summary>
    public IPEndPoint? MappedAddress { get; private set; }

    /// <summary>The lifetime the server last granted.</summary>
    public TimeSpan? Lifetime { get; private set; }

    /// <summary>Takes the next event, if any.</summary>
    public bool PollEvent(out TurnClientEvent? clientEvent) => _events.TryDequeue(out clientEvent);

    /// <summary>
    /// Starts the allocation (RFC 8656 §7.1): a first Allocate without credentials, which the
    /// server answers with a 401 carrying REALM and NONCE; the client then allocates again with
    /// them (RFC 8489 §9.2.3). A second 401 is final.
    /// </summary>
    /// <exception cref="InvalidOperationException">Allocate was already called.</exception>
    public void Allocate(TimeSpan now)
    {
        if (_state != TurnClientState.New)
        {
            throw new InvalidOperationException($"Allocate was already called (state {_state}).");
        }

        _state = TurnClientState.Allocating;
        StartTransaction(new Transaction { Kind = TransactionKind.Allocate }, now);
    }

    /// <summary>
    /// Deletes the allocation: a Refresh with LIFETIME 0 (RFC 8656 §7.3). The state is
    /// <see cref="TurnClientState.Releasing"/> until the answer or the timeout, then
    /// <see cref="TurnClientState.Released"/> with a <see cref="TurnReleasedEvent"/>. Peers,
    /// permissions and channels stop at once. Does nothing when already releasing or released.
    /// </summary>
    public void Release(TimeSpan now)
    {
        switch (_state)
        {
            case TurnClientState.Releasing or TurnClientState.Released:
                return;
            case TurnClientState.New or TurnClientState.Failed:
                StopEverything();
                SetReleased();
                return;
        }

        bool allocating = _state == TurnClientState.Allocating;
        if (allocating && _credentials.Key is null)
        {
            // Only the unsigned first Allocate is out, and a server never allocates on it.
            StopEverything();
            SetReleased();
            return;
        }

        StopEverything(keepAllocate: allocating);
        _state = TurnClientState.Releasing;
        if (allocating)
        {
            // The Allocate in flight may still create an allocation: delete it when it does.
            _releaseWhenAllocated = true;
            return;
        }

        StartTransaction(new Transaction { Kind = TransactionKind.Release }, now);
    }

    /// <summary>Runs the timers due at <paramref name="now"/>: retransmissions, timeouts and the refreshes of the allocation, permissions and channels.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        RunTransactionTimers(now);
        if (_state != TurnClientState.Allocated)
        {
            return;
        }

        if (_refreshAt is { } refreshAt && now >= refreshAt)
        {
            _refreshAt = null;
            StartTransaction(new Transaction { Kind = TransactionKind.Refresh }, now);
        }

        RefreshPeers(now);
    }

    /// <summary>When <see cref="HandleTimeout"/> next needs to run, or null when nothing is pending.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? deadline = null;
            foreach (var transaction in _transactions.Values)
            {
                deadline = Min(deadline, transaction.Timer.Deadline);
            }

            if (_state == TurnClientState.Allocated)
            {
                deadline = Min(deadline, _refreshAt);
                deadline = Min(deadline, NextPeerRefresh());
            }

            return deadline;
        }
    }

    /// <summary>
    /// Length of the first message in bytes received over TCP or TLS, so the driver can cut the
    /// stream into messages: a STUN message is its header plus length, ChannelData its header plus
    /// length padded to 4 (RFC 8656 §12.5). 0 when fewer than 4 bytes are buffered (not known yet),
    /// -1 when the bytes start neither (the stream is corrupt and should be closed).
    /// </summary>
    public static int GetStreamFrameLength(ReadOnlySpan<byte> buffered)
    {
        if (buffered.Length < 4)
        {
            return 0;
        }

        int length = (buffered[2] << 8) | buffered[3];
        return buffered[0] switch
        {
            < 0x40 when (length & 3) == 0 => StunConstants.HeaderLength + length,
            >= 0x40 and <= 0x4F => 4 + ((length + 3) & ~3),
            _ => -1,
        };
    }

    private static TimeSpan TotalTimeout(StunRetransmitPolicy policy)
    {
        // The sum of the UDP schedule: RTO, 2 RTO, ... for Rc - 1 waits, then Rm × RTO.
        TimeSpan total = TimeSpan.Zero, rto = policy.InitialRto;
        for (int i = 1; i < policy.MaxRequests; i++)
        {
            total += rto;
            rto *= 2;
        }

        return total + (policy.InitialRto * policy.LastWaitMultiplier);
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>RFC 8656 §7.2: refresh a minute before expiry, or at half a lifetime under two minutes.</summary>
    private static TimeSpan RefreshDelay(TimeSpan lifetime) =>
        lifetime >= TimeSpan.FromMinutes(2) ? lifetime - TimeSpan.FromMinutes(1) : lifetime / 2;

    private void OnAllocated(IPEndPoint relayed, IPEndPoint mapped, TimeSpan lifetime, TimeSpan now)
    {
        RelayedAddress = relayed;
        MappedAddress = mapped;
        Lifetime = lifetime;
        if (_releaseWhenAllocated)
        {
            _releaseWhenAllocated = false;
            StartTransaction(new Transaction { Kind = TransactionKind.Release }, now);
            return;
        }

        _state = TurnClientState.Allocated;
        _refreshAt = now + RefreshDelay(lifetime);
        _events.Enqueue(new TurnAllocatedEvent(relayed, mapped, lifetime));
        StartPendingPeers(now);
    }

    private void OnRefreshed(TimeSpan lifetime, TimeSpan now)
    {
        Lifetime = lifetime;
        _refreshAt = now + RefreshDelay(lifetime);
    }

    /// <summary>The allocation is gone or was never made: report why and stop.</summary>
    private void Fail(StunMethod method, int code, string reason)
    {
        StopEverything();
        if (_state == TurnClientState.Releasing)
        {
            // A release that met a failed Allocate has nothing left to delete.
            SetReleased();
            return;
        }

        _state = TurnClientState.Failed;
        _events.Enqueue(new TurnErrorEvent(method, code, reason, null));
    }

    private void SetReleased()
    {
        _state = TurnClientState.Released;
        _events.Enqueue(new TurnReleasedEvent());
    }

    /// <summary>Stops timers, requests and the data path.</summary>
    private void StopEverything(bool keepAllocate = false)
    {
        _refreshAt = null;
        if (keepAllocate)
        {
            foreach (var id in _transactions.Where(t => t.Value.Kind != TransactionKind.Allocate).Select(t => t.Key).ToList())
            {
                _transactions.Remove(id);
            }
        }
        else
        {
            _transactions.Clear();
        }

        ClearPeers();
    }
}
