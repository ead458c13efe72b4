using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using WebRtc.Client.Net;
using WebRtc.Client.Srtp;
using BcDtlsTransport = Org.BouncyCastle.Tls.DtlsTransport;
using DatagramReceiver = WebRtc.Client.Net.DatagramReceiver;

namespace WebRtc.Client.Dtls;

/// <summary>
/// DTLS 1.2 over an ICE datagram path (W3C <c>RTCDtlsTransport</c>): runs the WebRTC handshake
/// with mutual certificate authentication pinned to the SDP fingerprints, negotiates the SRTP
/// profile (RFC 5764) and carries application data (SCTP) as an <see cref="IDatagramTransport"/>.
/// </summary>
/// <remarks>
/// BouncyCastle's DTLS API blocks, so the handshake and the record-layer receive loop run on a
/// dedicated thread; the underlying transport's receive callback only queues a copy. Once an
/// AES-GCM suite is up, application data skips that: .NET's AesGcm opens it on the network
/// receive thread (<see cref="DtlsTransportOptions.NativeRecordLayer"/>), so
/// <see cref="Receiver"/> is called there, or on the DTLS thread for any other suite.
/// </remarks>
public sealed class DtlsTransport : IDatagramTransport, IAsyncDisposable
{
    private readonly RTCCertificate _certificate;
    private readonly DtlsTransportOptions _options;
    private readonly DatagramTransportAdapter _adapter;
    private readonly ILogger _logger;
    private readonly object _stateGate = new();
    private readonly object _sendGate = new();
    private DtlsTransportState _state = DtlsTransportState.New;
    private DtlsPeerState? _peer;
    private BcDtlsTransport? _dtls;
    private DtlsAeadRecordLayer? _records;
    private readonly object _receiveGate = new();
    // Application data that came before anyone set Receiver (a peer's SCTP INIT can follow its
    // Finished within microseconds); handed over in order when Receiver is set.
    private readonly Queue<byte[]> _early = new();
    private DatagramReceiver? _receiver;
    private TimeSpan _initialRetransmissionTimeout;
    private byte[] _sendRecord = [];
    private byte[] _receivePlain = [];
    private Thread? _receiveThread;
    private int _started;
    private volatile bool _closing;

    /// <summary>Creates a transport; nothing is sent before <see cref="StartAsync"/>.</summary>
    /// <param name="transport">The datagram path below (ICE's DTLS component); its receiver is taken over.</param>
    /// <param name="certificate">This endpoint's certificate, whose fingerprint the peer has from SDP.</param>
    /// <param name="options">Knobs; defaults when null.</param>
    public DtlsTransport(IDatagramTransport transport, RTCCertificate certificate, DtlsTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(certificate);
        _certificate = certificate;
        _options = options ?? new DtlsTransportOptions();
        if (_options.Mtu < 256 || _options.HandshakeTimeout <= TimeSpan.Zero || _options.InitialRetransmissionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The MTU must be at least 256, the handshake and retransmission timeouts positive.");
        }

        if (_options.SrtpProfiles is null)
        {
            throw new ArgumentException("SrtpProfiles must not be null; an empty list offers no SRTP profile.", nameof(options));
        }

        foreach (var profile in _options.SrtpProfiles)
        {
            if (!profile.IsSupported())
            {
                throw new ArgumentException($"SRTP protection profile {profile.GetRfcName()} is not supported; use one of {string.Join(", ", SrtpProfileExtensions.DefaultPreference)}.", nameof(options));
            }
        }

        _initialRetransmissionTimeout = _options.InitialRetransmissionTimeout;

        _logger = _options.Logger ?? NullLogger.Instance;
        _adapter = new DatagramTransportAdapter(transport, _options.Mtu, _options.ReceiveQueueLimit, _logger);
    }

    /// <summary>Raised after every state change, never with a lock held, on whichever thread made the change.</summary>
    public event EventHandler<DtlsTransportState>? StateChanged;

    /// <summary>The current state.</summary>
    public DtlsTransportState State
    {
        get
        {
            lock (_stateGate)
            {
                return _state;
            }
        }
    }

    /// <summary>The role given to <see cref="StartAsync"/>, or null before it.</summary>
    public DtlsRole? Role { get; private set; }

    /// <summary>Why the transport failed (or the alert that closed it), or null.</summary>
    public DtlsException? Error { get; private set; }

    /// <summary>
    /// The SRTP protection profile the handshake negotiated (RFC 5764 use_srtp), or null before
    /// the handshake completes or when the two sides had no profile in common.
    /// </summary>
    public SrtpProfile? SrtpProfile => State is DtlsTransportState.Connected or DtlsTransportState.Closed ? _peer?.SrtpProfile : null;

    /// <summary>
    /// The negotiated TLS cipher suite id (IANA registry, e.g. 0xC02B for
    /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), or null before the handshake completes.
    /// </summary>
    public int? CipherSuite => State is DtlsTransportState.Connected or DtlsTransportState.Closed ? _peer?.NegotiatedCipherSuite : null;

    /// <summary>The DER certificate the peer presented (it matched the fingerprint); empty before Connected.</summary>
    public ReadOnlyMemory<byte> RemoteCertificate => _peer?.RemoteCertificateDer ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>This endpoint's certificate.</summary>
    public RTCCertificate LocalCertificate => _certificate;

    /// <summary>Datagrams from below that were dropped before DTLS processing (not DTLS, or queue full).</summary>
    public long DroppedDatagrams => _adapter.Dropped;

    /// <summary>True while Connected.</summary>
    public bool IsWritable => State == DtlsTransportState.Connected;

    /// <summary>
    /// Receives decrypted application data, one record at a time and in order, on the network
    /// receive thread (AES-GCM suites) or the DTLS thread; the span is valid only during the call.
    /// Exceptions thrown by it are logged and swallowed. Records that arrive while it is null are
    /// held (up to <see cref="MaxEarlyRecords"/>) and given to the receiver it is set to, in order.
    /// </summary>
    public DatagramReceiver? Receiver
    {
        get => _receiver;
        set
        {
            lock (_receiveGate)
            {
                _receiver = value;
                while (value is not null && _early.TryDequeue(out var record))
                {
                    Deliver(value, record);
                }
            }
        }
    }

    /// <summary>
    /// The first handshake retransmission timeout (see <see cref="DtlsTransportOptions.InitialRetransmissionTimeout"/>,
    /// which it starts as); set it before <see cref="StartAsync"/>, for example from a measured round-trip time.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan InitialRetransmissionTimeout
    {
        get => _initialRetransmissionTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _initialRetransmissionTimeout = value;
        }
    }

    /// <summary>How many application-data records are held while no <see cref="Receiver"/> is set.</summary>
    public const int MaxEarlyRecords = 256;

    /// <summary>
    /// Picks the DTLS role from the SDP <c>a=setup</c> attributes (RFC 8842 §5, RFC 4145):
    /// the answerer's <c>active</c> makes it the client, its <c>passive</c> the server.
    /// </summary>
    /// <exception cref="ArgumentException">The answer says actpass, or both sides claim the same role.</exception>
    public static DtlsRole ResolveRole(DtlsSetup local, DtlsSetup remote, bool localIsOfferer)
    {
        var offer = localIsOfferer ? local : remote;
        var answer = localIsOfferer ? remote : local;
        if (answer == DtlsSetup.ActPass)
        {
            throw new ArgumentException("An answer must say a=setup:active or a=setup:passive, not actpass (RFC 8842 §5.3).");
        }

        if (offer == answer)
        {
            throw new ArgumentException($"Both sides say a=setup:{answer.ToString().ToLowerInvariant()}; one must be active and the other passive.");
        }

        var answerer = answer == DtlsSetup.Active ? DtlsRole.Client : DtlsRole.Server;
        var offerer = answerer == DtlsRole.Client ? DtlsRole.Server : DtlsRole.Client;
        return localIsOfferer ? offerer : answerer;
    }

    /// <summary>
    /// Runs the handshake; completes when Connected. The peer's certificate must match
    /// <paramref name="remoteFingerprint"/> (from its SDP) or the handshake fails.
    /// </summary>
    /// <exception cref="DtlsException">Fingerprint mismatch, fatal alert, timeout or protocol failure; the state is Failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the state is Closed.</exception>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public async Task StartAsync(DtlsRole role, RTCDtlsFingerprint remoteFingerprint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remoteFingerprint);
        if (RTCDtlsFingerprint.DigestLength(remoteFingerprint.Algorithm.ToLowerInvariant()) == 0)
        {
            throw new ArgumentException($"Unsupported fingerprint algorithm '{remoteFingerprint.Algorithm}'.", nameof(remoteFingerprint));
        }

        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The DTLS transport was already started.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        Role = role;
        var timeoutMillis = (int)Math.Min(int.MaxValue, _options.HandshakeTimeout.TotalMilliseconds);
        var resendMillis = (int)Math.Clamp(InitialRetransmissionTimeout.TotalMilliseconds, 1, timeoutMillis);
        var peer = new DtlsPeerState(_certificate, remoteFingerprint, _options.SrtpProfiles, timeoutMillis, resendMillis, _logger)
        {
            UseNativeRecordLayer = _options.NativeRecordLayer,
            Adapter = _adapter,
            CipherSuites = _options.CipherSuites ?? DtlsPeerState.DefaultCipherSuites,
            ConfigureRecordLayer = _options.ConfigureRecordLayer,
        };
        _peer = peer;
        SetState(DtlsTransportState.Connecting, null);

        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var handshake = new TaskCompletionSource<BcDtlsTransport>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (role == DtlsRole.Server)
        {
            _adapter.GuardChangeCipherSpec(); // a lost CertificateVerify must not stall BouncyCastle
        }

        var thread = new Thread(() => RunHandshake(role, peer, handshake)) { IsBackground = true, Name = "DTLS " + role };
        thread.Start();

        BcDtlsTransport dtls;
        var registration = linked.Token.Register(_adapter.Close);
        try
        {
            dtls = await handshake.Task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            _adapter.Close();
            if (cancellationToken.IsCancellationRequested)
            {
                SetState(DtlsTransportState.Closed, null);
                throw new OperationCanceledException("The DTLS handshake was canceled.", ex, cancellationToken);
            }

            var error = _closing
                ? new DtlsException("DTLS: the transport was closed during the handshake.", ex)
                : timeout.IsCancellationRequested || IsTimeout(ex)
                    ? new DtlsException($"DTLS: the handshake did not complete within {_options.HandshakeTimeout.TotalSeconds:0.#} s.", ex)
                    : Describe(peer, ex, "the handshake failed");
            SetState(_closing ? DtlsTransportState.Closed : DtlsTransportState.Failed, error);
            throw error;
        }

        await registration.DisposeAsync().ConfigureAwait(false);
        _dtls = dtls;
        if (peer.RecordLayer is { } records)
        {
            _sendRecord = new byte[_options.Mtu];
            _receivePlain = new byte[DatagramTransportAdapter.MaxDatagram];
            _records = records;
            _adapter.Intercept = OnRecords;
        }
        else
        {
            _logger.LogDebug("DTLS: suite 0x{Suite:X4} has no native record path; BouncyCastle carries application data", peer.NegotiatedCipherSuite);
        }
        if (!SetState(DtlsTransportState.Connected, null))
        {
            // Closed while the last flight was in flight: tell the peer and stop.
            CloseDtls();
            throw new DtlsException("DTLS: the transport was closed during the handshake.");
        }

        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = "DTLS receive" };
        _receiveThread.Start();
    }

    /// <summary>
    /// The SRTP master keys and salts of both directions for the negotiated <see cref="SrtpProfile"/>:
    /// the RFC 5764 §4.2 exporter output ("EXTRACTOR-dtls_srtp", no context) split by the role this
    /// side played, so <see cref="SrtpKeyingMaterial.CreateLocalContext"/> protects what we send and
    /// <see cref="SrtpKeyingMaterial.CreateRemoteContext"/> unprotects what the peer sends.
    /// </summary>
    /// <returns>The keying material; the same instance on every call.</returns>
    /// <exception cref="InvalidOperationException">The transport is not connected, or the handshake negotiated no SRTP profile.</exception>
    public SrtpKeyingMaterial GetSrtpKeyingMaterial()
    {
        var state = State;
        if (state != DtlsTransportState.Connected || _peer is not { } peer)
        {
            throw new InvalidOperationException($"SRTP keying material exists only while the DTLS transport is connected; it is {state.ToString().ToLowerInvariant()}.");
        }

        return peer.SrtpKeys ?? throw new InvalidOperationException(
            "The DTLS handshake negotiated no SRTP protection profile: the peer offered no use_srtp extension or none of the profiles in DtlsTransportOptions.SrtpProfiles.");
    }

    /// <summary>The largest <see cref="TrySend"/> payload once connected (the MTU less the record overhead of the negotiated suite); 0 before.</summary>
    public int MaxSendSize => State != DtlsTransportState.Connected || _dtls is not { } dtls ? 0
        : _records is { } records ? _options.Mtu - records.Overhead : dtls.GetSendLimit();

    /// <summary>Sends one application-data record; false when not connected or the data exceeds the send limit.</summary>
    public bool TrySend(ReadOnlySpan<byte> datagram)
    {
        var dtls = _dtls;
        var native = _records;
        if (dtls is null || State != DtlsTransportState.Connected
            || datagram.Length > (native is null ? dtls.GetSendLimit() : _options.Mtu - native.Overhead))
        {
            return false;
        }

        try
        {
            // BouncyCastle's record layer is not made for concurrent writers; nor is our send buffer.
            lock (_sendGate)
            {
                if (native is { } records)
                {
                    if (records.TryProtect(DtlsAeadRecordLayer.ApplicationData, datagram, _sendRecord, out int length))
                    {
                        return _adapter.SendRaw(_sendRecord.AsSpan(0, length));
                    }
                }
                else
                {
                    dtls.Send(datagram);
                    return true;
                }
            }

            CloseAtLimit("this side has protected as much as the cipher suite allows with one key");
            return false;
        }
        catch (Exception ex) when (ex is IOException or TlsFatalAlert or InvalidOperationException)
        {
            _logger.LogDebug(ex, "DTLS send failed");
            return false;
        }
    }

    /// <summary>Sends close_notify (when connected) and stops; the state becomes Closed.</summary>
    public void Close()
    {
        _closing = true;
        var wasConnected = State == DtlsTransportState.Connected;
        SetState(DtlsTransportState.Closed, null);
        if (wasConnected)
        {
            _adapter.StopReceiving();
            CloseDtls();
        }

        _adapter.Close();
    }

    /// <summary>Closes (sending close_notify when connected) and waits briefly for the receive thread.</summary>
    public async ValueTask DisposeAsync()
    {
        Close();
        var thread = _receiveThread;
        if (thread is not null && thread != Thread.CurrentThread)
        {
            await Task.Run(() => thread.Join(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        }

        lock (_sendGate)
        {
            lock (_receiveGate)
            {
                _records?.Dispose();
            }
        }
    }

    private void RunHandshake(DtlsRole role, DtlsPeerState peer, TaskCompletionSource<BcDtlsTransport> result)
    {
        try
        {
            var crypto = new BcTlsCrypto(new SecureRandom());
            BcDtlsTransport dtls = role == DtlsRole.Client
                ? new DtlsClientProtocol().Connect(new WebRtcTlsClient(crypto, peer), _adapter)
                // No HelloVerifyRequest: ICE connectivity checks already proved the peer's address.
                : new DtlsServerProtocol { VerifyRequests = false }.Accept(new WebRtcTlsServer(crypto, peer), _adapter);
            result.TrySetResult(dtls);
        }
        catch (Exception ex)
        {
            result.TrySetException(ex);
        }
    }

    // Called on the network receive thread for every datagram once the fast path is on: every
    // epoch-1 application-data record is opened here, also inside a datagram of several records
    // (else a record could be replayed once more through BouncyCastle's separate replay window);
    // the other records go to BouncyCastle.
    private bool OnRecords(ReadOnlySpan<byte> datagram)
    {
        if (_records is not { } records)
        {
            return false;
        }

        if (DtlsAeadRecordLayer.IsSingleApplicationRecord(datagram))
        {
            OpenApplicationRecord(records, datagram);
            return true;
        }

        if (!ContainsApplicationRecord(datagram))
        {
            return false; // handshake, alerts: BouncyCastle's
        }

        while (datagram.Length >= DtlsAeadRecordLayer.HeaderLength)
        {
            int length = DtlsAeadRecordLayer.FirstRecordLength(datagram);
            var record = datagram[..length];
            if (DtlsAeadRecordLayer.IsSingleApplicationRecord(record))
            {
                OpenApplicationRecord(records, record);
            }
            else
            {
                _adapter.Enqueue(record);
            }

            datagram = datagram[length..];
        }

        if (!datagram.IsEmpty)
        {
            _adapter.LogDrop("trailing bytes shorter than a record header", datagram.Length);
        }

        return true;
    }

    private static bool ContainsApplicationRecord(ReadOnlySpan<byte> datagram)
    {
        while (datagram.Length >= DtlsAeadRecordLayer.HeaderLength)
        {
            if (datagram[0] == DtlsAeadRecordLayer.ApplicationData)
            {
                return true;
            }

            datagram = datagram[DtlsAeadRecordLayer.FirstRecordLength(datagram)..];
        }

        return false;
    }

    private void OpenApplicationRecord(DtlsAeadRecordLayer records, ReadOnlySpan<byte> record)
    {
        // Several sockets can feed one transport; the replay window and buffer want one at a time,
        // and holding the lock through the callback keeps records in arrival order.
        bool atLimit = false;
        lock (_receiveGate)
        {
            // The handshake is done once records exist: data may come before State says Connected.
            if (State is DtlsTransportState.Closed or DtlsTransportState.Failed)
            {
                _adapter.LogDrop("application data after the transport closed", record.Length);
                return;
            }

            var rejection = records.Unprotect(record, _receivePlain, out int length);
            if (rejection == RecordRejection.None)
            {
                DeliverOrHold(_receivePlain.AsSpan(0, length));
            }
            else
            {
                _adapter.LogDrop(rejection switch
                {
                    RecordRejection.Replayed => $"application-data record {ReadSequence(record)} replayed or older than the 64-record window",
                    RecordRejection.Forged => $"application-data record {ReadSequence(record)} failed authentication",
                    _ => "application-data record shorter than the AEAD overhead or longer than a record may be",
                }, record.Length);
                atLimit = records.FailureLimitReached;
            }
        }

        if (atLimit)
        {
            CloseAtLimit("more records from the peer failed authentication than the cipher suite allows with one key");
        }
    }

    private static ulong ReadSequence(ReadOnlySpan<byte> record) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(record[5..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(record[7..]);

    // RFC 9147 §4.5.3: DTLS 1.2 cannot rekey, so the session ends before a key is used past its AEAD limit.
    private void CloseAtLimit(string why)
    {
        if (_closing)
        {
            return;
        }

        var error = new DtlsException($"DTLS: closed at the AEAD limit (RFC 9147 §4.5.3): {why}; a new session (ICE restart or a new connection) is needed.");
        _logger.LogWarning("{Message}", error.Message);
        _closing = true;
        lock (_stateGate)
        {
            Error ??= error;
        }

        Close();
    }

    // Under _receiveGate.
    private void DeliverOrHold(ReadOnlySpan<byte> data)
    {
        if (_receiver is { } receiver)
        {
            Deliver(receiver, data);
        }
        else if (_early.Count < MaxEarlyRecords)
        {
            _early.Enqueue(data.ToArray());
        }
    }

    private void Deliver(DatagramReceiver receiver, ReadOnlySpan<byte> data)
    {
        try
        {
            receiver(data);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The DTLS application-data receiver threw; the stack carries on");
        }
    }

    private void ReceiveLoop()
    {
        var dtls = _dtls!;
        var peer = _peer!;
        var buffer = new byte[Math.Max(dtls.GetReceiveLimit(), _options.Mtu)];
        while (true)
        {
            int length;
            try
            {
                length = dtls.Receive(buffer, 0, buffer.Length, 1000);
            }
            catch (Exception ex)
            {
                if (_closing || peer.CloseNotifyReceived)
                {
                    SetState(DtlsTransportState.Closed, null);
                }
                else
                {
                    var error = Describe(peer, ex, "the connection failed");
                    _logger.LogDebug(ex, "DTLS receive failed: {Message}", error.Message);
                    SetState(DtlsTransportState.Failed, error);
                    _adapter.Close();
                }

                return;
            }

            if (peer.CloseNotifyReceived)
            {
                _closing = true;
                SetState(DtlsTransportState.Closed, null);
                _adapter.Close();
                return;
            }

            if (length < 0)
            {
                if (_adapter.IsClosed)
                {
                    SetState(DtlsTransportState.Closed, null);
                    return;
                }

                continue;
            }

            lock (_receiveGate)
            {
                DeliverOrHold(buffer.AsSpan(0, length));
            }
        }
    }

    private void CloseDtls()
    {
        try
        {
            lock (_sendGate)
            {
                // BouncyCastle's close_notify; the adapter re-seals it under our sequence numbers.
                _dtls?.Close();
            }
        }
        catch (Exception ex)
        {
            // Best effort: the peer also notices via ICE consent if close_notify is lost.
            _logger.LogDebug(ex, "DTLS close_notify could not be sent");
        }
    }

    // BouncyCastle enforces the same limit itself and may notice it first.
    private static bool IsTimeout(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is TlsTimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    private static DtlsException Describe(DtlsPeerState peer, Exception ex, string what)
    {
        if (peer.VerificationError is { } verification)
        {
            return new DtlsException(verification, ex) { AlertDescription = AlertDescription.bad_certificate };
        }

        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is TlsFatalAlertReceived received)
            {
                var d = received.AlertDescription;
                return new DtlsException($"DTLS: {what}: the peer sent fatal alert {AlertDescription.GetText(d)}.", ex) { AlertDescription = d, AlertFromPeer = true };
            }
        }

        if (peer.FatalAlertReceived is { } alert)
        {
            return new DtlsException($"DTLS: {what}: the peer sent fatal alert {AlertDescription.GetText((short)alert)}.", ex) { AlertDescription = alert, AlertFromPeer = true };
        }

        if (ex is TlsFatalAlert raised)
        {
            var d = raised.AlertDescription;
            return new DtlsException($"DTLS: {what}: {AlertDescription.GetText(d)} ({ex.InnerException?.Message ?? ex.Message}).", ex) { AlertDescription = d };
        }

        return new DtlsException($"DTLS: {what}: {ex.Message}", ex);
    }

    private bool SetState(DtlsTransportState state, DtlsException? error)
    {
        lock (_stateGate)
        {
            if (_state == state || _state is DtlsTransportState.Closed or DtlsTransportState.Failed)
            {
                return false;
            }

            _state = state;
            Error ??= error;
        }

        EventInvoker.Raise(StateChanged, this, state, _logger, nameof(StateChanged));
        return true;
    }
}
