using System.Net;
using System.Net.Sockets;

namespace WebRtc.Client.Stun;

/// <summary>
/// Sends one datagram for a <see cref="StunClient"/>.
/// </summary>
/// <param name="datagram">The bytes to send; only valid during the call.</param>
/// <param name="remote">Where to send them.</param>
/// <returns>
/// False when the datagram could not be sent; the transaction treats that like a lost datagram and
/// keeps its retransmission schedule.
/// </returns>
public delegate bool StunSendCallback(ReadOnlySpan<byte> datagram, IPEndPoint remote);

/// <summary>
/// Drives STUN client transactions over a socket someone else owns (RFC 8489 §6.2.1): sends the
/// request, retransmits it on the <see cref="StunRetransmitTimer"/> schedule with timers from a
/// <see cref="TimeProvider"/>, and completes when the owner of the socket hands a matching response
/// to <see cref="HandleDatagram"/>. For standalone use, such as asking a STUN server for the
/// server-reflexive address. Thread-safe.
/// </summary>
public sealed class StunClient : IDisposable
{
    private readonly StunSendCallback _send;
    private readonly TimeProvider _time;
    private readonly StunRetransmitPolicy _policy;
    private readonly Lock _lock = new();
    private readonly Dictionary<StunTransactionId, Transaction> _pending = [];
    private bool _disposed;

    /// <summary>Creates a client.</summary>
    /// <param name="send">Sends a datagram on the owner's socket.</param>
    /// <param name="timeProvider">The clock and timers; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="policy">The retransmission schedule; <see cref="StunRetransmitPolicy.Default"/> when null.</param>
    public StunClient(StunSendCallback send, TimeProvider? timeProvider = null, StunRetransmitPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(send);
        _send = send;
        _time = timeProvider ?? TimeProvider.System;
        _policy = policy ?? StunRetransmitPolicy.Default;

        // Validates the policy now rather than on the first request.
        _ = new StunRetransmitTimer(_policy, TimeSpan.Zero);
    }

    /// <summary>How many transactions are waiting for a response.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="server"/> and waits for the response with
    /// its transaction ID, success or error. With an <paramref name="integrityKey"/>, the request
    /// carries MESSAGE-INTEGRITY and a response must verify with the same key (RFC 8489 §9.1.4,
    /// §9.2.5), except a 401 or 438 error response without integrity, which is how a server asks for
    /// (new) long-term credentials. Every request carries FINGERPRINT.
    /// </summary>
    /// <param name="request">The request; its transaction ID must not be pending already.</param>
    /// <param name="server">The server.</param>
    /// <param name="integrityKey">Key for MESSAGE-INTEGRITY (see <see cref="StunIntegrity"/>), or empty for none.</param>
    /// <param name="ct">Cancels the transaction; the task is then canceled.</param>
    /// <returns>The response.</returns>
    /// <exception cref="StunTimeoutException">No response came before the schedule ran out (through the task).</exception>
    /// <exception cref="ArgumentException">The message is not a request.</exception>
    /// <exception cref="InvalidOperationException">A transaction with the same ID is pending.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public Task<StunMessage> SendRequestAsync(StunMessage request, IPEndPoint server, ReadOnlyMemory<byte> integrityKey = default, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(server);
        if (request.Type.Class != StunClass.Request)
        {
            throw new ArgumentException("Only requests have transactions.", nameof(request));
        }

        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<StunMessage>(ct);
        }

        var tx = new Transaction(
            this,
            request.TransactionId,
            request.Type.Method,
            request.ToArray(integrityKey.Span),
            Normalize(server),
            integrityKey.ToArray(),
            _time.GetTimestamp(),
            new StunRetransmitTimer(_policy, TimeSpan.Zero));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_pending.TryAdd(tx.Id, tx))
            {
                throw new InvalidOperationException($"STUN transaction {tx.Id} is already pending.");
            }
        }

        if (ct.CanBeCanceled)
        {
            tx.Registration = ct.UnsafeRegister(static (state, token) =>
            {
                var (client, transaction) = ((StunClient, Transaction))state!;
                if (client.TryRemove(transaction))
                {
                    client.Finish(transaction, null, new OperationCanceledException(token), token);
                }
            }, (this, tx));
        }

        if (!TrySend(tx))
        {
            return tx.Completion.Task;
        }

        // Created after the first send so that the first retransmission is one RTO after it.
        ITimer? timer = _time.CreateTimer(static state => ((Transaction)state!).Owner.OnTimer((Transaction)state), tx, tx.Schedule.Deadline, Timeout.InfiniteTimeSpan);
        lock (_lock)
        {
            if (IsPending(tx))
            {
                tx.Timer = timer;
                timer = null;
            }
        }

        // Already answered, canceled or disposed between the send and here.
        timer?.Dispose();
        return tx.Completion.Task;
    }

    /// <summary>
    /// Offers a received datagram. Returns true when it was a response to a pending transaction, which
    /// then completes; anything else (other traffic, garbage, unknown transaction IDs, a response from
    /// another address than the request went to, a response that fails its integrity check) returns
    /// false. Never throws.
    /// </summary>
    /// <param name="datagram">The datagram.</param>
    /// <param name="remote">Where it came from.</param>
    public bool HandleDatagram(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (remote is null || !StunReader.TryParse(datagram, out var reader, out _) || !reader.Type.IsResponse)
        {
            return false;
        }

        Transaction? tx;
        lock (_lock)
        {
            if (!_pending.TryGetValue(reader.TransactionId, out tx)
                || reader.Type.Method != tx.Method
                || !SameEndPoint(tx.Server, remote)
                || !IntegrityAccepted(reader, tx.Key))
            {
                return false;
            }

            _pending.Remove(tx.Id);
        }

        Finish(tx, StunMessage.FromReader(reader), null, default);
        return true;
    }

    /// <summary>Fails every pending transaction with <see cref="ObjectDisposedException"/> and stops their timers.</summary>
    public void Dispose()
    {
        Transaction[] pending;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pending = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (var tx in pending)
        {
            Finish(tx, null, new ObjectDisposedException(nameof(StunClient)), default);
        }
    }

    private static bool IntegrityAccepted(in StunReader response, byte[] key)
    {
        if (key.Length == 0)
        {
            return true;
        }

        if (response.HasMessageIntegritySha256)
        {
            return response.VerifyMessageIntegritySha256(key);
        }

        if (response.HasMessageIntegrity)
        {
            return response.VerifyMessageIntegrity(key);
        }

        // RFC 8489 §9.2.5: a 401 or 438 without integrity is the server asking for credentials.
        return response.Type.Class == StunClass.ErrorResponse
            && response.TryGetErrorCode(out int code, out _)
            && code is 401 or 438;
    }

    private void OnTimer(Transaction tx)
    {
        StunTimerAction action;
        lock (_lock)
        {
            if (!IsPending(tx))
            {
                return;
            }

            TimeSpan now = _time.GetElapsedTime(tx.Start);
            action = tx.Schedule.Poll(now);
            if (action == StunTimerAction.TimedOut)
            {
                _pending.Remove(tx.Id);
            }
            else
            {
                // Also covers a timer that fired a little early: wait for the rest.
                TimeSpan due = tx.Schedule.Deadline - now;
                tx.Timer?.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }

        if (action == StunTimerAction.Retransmit)
        {
            TrySend(tx);
        }
        else if (action == StunTimerAction.TimedOut)
        {
            var timeout = new StunTimeoutException(
                $"No STUN response from {tx.Server} after {tx.Schedule.RequestsSent} requests (transaction {tx.Id}).")
            {
                TransactionId = tx.Id,
                Server = tx.Server,
                RequestsSent = tx.Schedule.RequestsSent,
            };
            Finish(tx, null, timeout, default);
        }
    }

    /// <summary>Sends the request; a throwing callback fails the transaction (it must not escape a timer thread).</summary>
    private bool TrySend(Transaction tx)
    {
        try
        {
            _send(tx.Datagram, tx.Server);
            return true;
        }
#pragma warning disable CA1031 // The exception is handed to the awaiting caller.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (TryRemove(tx))
            {
                Finish(tx, null, e, default);
            }

            return false;
        }
    }

    private bool IsPending(Transaction tx) => _pending.TryGetValue(tx.Id, out var current) && ReferenceEquals(current, tx);

    private bool TryRemove(Transaction tx)
    {
        lock (_lock)
        {
            return IsPending(tx) && _pending.Remove(tx.Id);
        }
    }

    /// <summary>Completes a transaction already removed from the table; runs outside the lock.</summary>
    private void Finish(Transaction tx, StunMessage? response, Exception? error, CancellationToken canceledBy)
    {
        ITimer? timer;
        lock (_lock)
        {
            timer = tx.Timer;
            tx.Timer = null;
        }

        timer?.Dispose();
        tx.Registration.Unregister();
        if (response is not null)
        {
            tx.Completion.TrySetResult(response);
        }
        else if (error is OperationCanceledException && canceledBy.IsCancellationRequested)
        {
            tx.Completion.TrySetCanceled(canceledBy);
        }
        else
        {
            tx.Completion.TrySetException(error!);
        }
    }

    // Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; compare them as the IPv4 address they are.
    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
            : endPoint;

    private static bool SameEndPoint(IPEndPoint expected, IPEndPoint actual) =>
        expected.Port == actual.Port && expected.Address.Equals(Normalize(actual).Address);

    private sealed class Transaction(
        StunClient owner,
        StunTransactionId id,
        StunMethod method,
        byte[] datagram,
        IPEndPoint server,
        byte[] key,
        long start,
        StunRetransmitTimer schedule)
    {
        public readonly StunClient Owner = owner;
        public readonly StunTransactionId Id = id;
        public readonly StunMethod Method = method;
        public readonly byte[] Datagram = datagram;
        public readonly IPEndPoint Server = server;
        public readonly byte[] Key = key;
        public readonly long Start = start;
        public readonly TaskCompletionSource<StunMessage> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Schedule and Timer change only under the client's lock.
        public StunRetransmitTimer Schedule = schedule;
        public ITimer? Timer;
        public CancellationTokenRegistration Registration;
    }
}
