using System.Net;
using System.Text;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Turn;

/// <summary>Requests to the server, their retransmissions, and what their responses do (RFC 8656 §7–§12, RFC 8489 §9.2).</summary>
public sealed partial class TurnClient
{
    private readonly Dictionary<StunTransactionId, Transaction> _transactions = [];
    private readonly List<StunTransactionId> _expired = [];

    private enum TransactionKind
    {
        Allocate,
        Refresh,
        Release,
        CreatePermission,
        ChannelBind,
    }

    /// <summary>One request in flight. A retry after a 401 or 438 is a new transaction with the counters carried over.</summary>
    private sealed class Transaction
    {
        public required TransactionKind Kind { get; init; }

        public Permission? Permission { get; init; }

        public PeerBinding? Binding { get; init; }

        public int StaleNonceRetries { get; init; }

        public int UnauthorizedRetries { get; init; }

        public byte[] Request { get; set; } = [];

        // The key and nonce the request was signed with (null: sent before any challenge). Its
        // response is checked against this key whatever the server asked for since.
        public byte[]? Key { get; set; }

        public byte[]? Nonce { get; set; }

        public bool DiscardedResponse { get; set; }

        public StunRetransmitTimer Timer;
    }

    /// <summary>Transactions in flight (for tests and diagnostics).</summary>
    internal int PendingTransactions => _transactions.Count;

    /// <summary>
    /// Handles a STUN message from the server: a response to one of this client's requests.
    /// Success responses must carry MESSAGE-INTEGRITY (or -SHA256) that verifies with the
    /// long-term key (RFC 8489 §9.2.5). Returns false, and counts a drop, for anything else:
    /// malformed, not a response, not ours, or not authentic. Never throws on input.
    /// </summary>
    public bool HandleServerMessage(ReadOnlySpan<byte> message, TimeSpan now)
    {
        if (!StunReader.TryParse(message, out var response, out _)
            || !response.Type.IsResponse
            || !_transactions.TryGetValue(response.TransactionId, out var transaction)
            || response.Type.Method != MethodOf(transaction.Kind))
        {
            return Drop();
        }

        bool success = response.Type.Class == StunClass.SuccessResponse;
        int code = 0;
        ReadOnlySpan<byte> reason = default;
        if (!success && !response.TryGetErrorCode(out code, out reason))
        {
            return Drop();
        }

        if (!IsAuthentic(transaction, response, success, code))
        {
            // RFC 8489 §9.2.5: discarded as if never received, so retransmissions go on.
            transaction.DiscardedResponse = true;
            return Drop();
        }

        IPEndPoint? relayed = null, mapped = null;
        if (success && transaction.Kind == TransactionKind.Allocate
            && (!response.TryGetXorAddress(StunAttributeType.XorRelayedAddress, out relayed)
                || !response.TryGetXorAddress(StunAttributeType.XorMappedAddress, out mapped)))
        {
            // RFC 8656 §7.3: both are mandatory in an Allocate success.
            return Drop();
        }

        _transactions.Remove(response.TransactionId);
        if (success)
        {
            OnSuccess(transaction, response, relayed, mapped, now);
        }
        else
        {
            OnError(transaction, response, code, DecodeReason(reason), now);
        }

        return true;
    }

    private static StunMethod MethodOf(TransactionKind kind) => kind switch
    {
        TransactionKind.Allocate => StunMethod.Allocate,
        TransactionKind.Refresh or TransactionKind.Release => StunMethod.Refresh,
        TransactionKind.CreatePermission => StunMethod.CreatePermission,
        _ => StunMethod.ChannelBind,
    };

    private static string DecodeReason(ReadOnlySpan<byte> reason)
    {
        // RFC 8489 §14.8: at most 763 bytes; a longer hostile one is cut, invalid UTF-8 becomes U+FFFD.
        return Encoding.UTF8.GetString(reason[..Math.Min(reason.Length, 763)]).TrimEnd('\0', ' ');
    }

    /// <summary>RFC 8489 §9.2.5: which responses may be acted on.</summary>
    private static bool IsAuthentic(Transaction transaction, in StunReader response, bool success, int code)
    {
        if (transaction.Key is null)
        {
            // Only the first Allocate goes unsigned, and a TURN server never allocates without
            // credentials (RFC 8656 §5): a success to it is not believed.
            return !success;
        }

        if (TurnCredentials.Verify(response, transaction.Key))
        {
            return true;
        }

        if (response.HasMessageIntegrity || response.HasMessageIntegritySha256)
        {
            // Signed with something else: forged or corrupted.
            return false;
        }

        // Unsigned: 401 and 438 are the challenges and cannot be signed (the server did not take
        // our credentials). Anything else to a signed request must be signed (coturn signs its
        // 486 and the others), so an unsigned one is discarded (RFC 8489 §9.2.5), 400 included.
        return code is 401 or 438;
    }

    private bool Drop()
    {
        Interlocked.Increment(ref _messagesDropped);
        return false;
    }

    /// <summary>Builds, records and sends a request with the current credentials.</summary>
    private void StartTransaction(Transaction transaction, TimeSpan now)
    {
        var id = StunTransactionId.NewRandom();
        var writer = new StunWriter(_buffer, new StunMessageType(MethodOf(transaction.Kind), StunClass.Request), id);
        switch (transaction.Kind)
        {
            case TransactionKind.Allocate:
                // RFC 8656 §7.1: UDP relaying, the lifetime wanted, and the family when not IPv4.
                writer.AddUInt32(StunAttributeType.RequestedTransport, RequestedTransportUdp);
                writer.AddUInt32(StunAttributeType.Lifetime, _requestedLifetimeSeconds);
                if (Options.RelayFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                {
                    writer.AddUInt32(StunAttributeType.RequestedAddressFamily, RequestedFamilyIPv6);
                }

                break;
            case TransactionKind.Refresh:
                writer.AddUInt32(StunAttributeType.Lifetime, _requestedLifetimeSeconds);
                break;
            case TransactionKind.Release:
                // RFC 8656 §7.3: LIFETIME 0 deletes the allocation.
                writer.AddUInt32(StunAttributeType.Lifetime, 0);
                break;
            case TransactionKind.CreatePermission:
                // RFC 8656 §9.1: the port of XOR-PEER-ADDRESS is ignored by the server.
                writer.AddXorAddress(StunAttributeType.XorPeerAddress, transaction.Permission!.Peer);
                break;
            case TransactionKind.ChannelBind:
                // RFC 8656 §12.2 / §14.1: the channel number then two RFFU bytes.
                writer.AddUInt32(StunAttributeType.ChannelNumber, (uint)transaction.Binding!.Channel << 16);
                writer.AddXorAddress(StunAttributeType.XorPeerAddress, transaction.Binding.Peer);
                break;
        }

        if (Options.Software is { } software)
        {
            writer.AddString(StunAttributeType.Software, software);
        }

        _credentials.AddAttributes(ref writer);
        _credentials.Sign(ref writer);
        writer.AddFingerprint();

        transaction.Request = writer.Written.ToArray();
        transaction.Key = _credentials.Key;
        transaction.Nonce = _credentials.Nonce;
        transaction.Timer = new StunRetransmitTimer(_policy, now);
        _transactions.Add(id, transaction);
        _send(transaction.Request);
    }

    private void Retry(Transaction old, TimeSpan now, bool staleNonce, bool unauthorized) =>
        StartTransaction(
            new Transaction
            {
                Kind = old.Kind,
                Permission = old.Permission,
                Binding = old.Binding,
                StaleNonceRetries = old.StaleNonceRetries + (staleNonce ? 1 : 0),
                UnauthorizedRetries = old.UnauthorizedRetries + (unauthorized ? 1 : 0),
            },
            now);

    private void RunTransactionTimers(TimeSpan now)
    {
        _expired.Clear();
        foreach (var (id, transaction) in _transactions)
        {
            switch (transaction.Timer.Poll(now))
            {
                case StunTimerAction.Retransmit:
                    _send(transaction.Request);
                    break;
                case StunTimerAction.TimedOut:
                    _expired.Add(id);
                    break;
            }
        }

        foreach (var id in _expired)
        {
            // A failure handled earlier in this loop may have cleared the others.
            if (_transactions.Remove(id, out var transaction))
            {
                // RFC 8489 §9.2.5: when every response was discarded, say integrity failed, not silence.
                string reason = transaction.DiscardedResponse
                    ? "The server's responses failed the integrity check"
                    : "The TURN server did not answer";
                OnFailure(transaction, NoAnswerCode, reason);
            }
        }
    }

    private void OnSuccess(Transaction transaction, in StunReader response, IPEndPoint? relayed, IPEndPoint? mapped, TimeSpan now)
    {
        switch (transaction.Kind)
        {
            case TransactionKind.Allocate:
                if (TryGetLifetime(response, out var granted))
                {
                    OnAllocated(relayed!, mapped!, granted, now);
                }
                else
                {
                    Fail(StunMethod.Allocate, 437, "The server granted no lifetime");
                }

                break;
            case TransactionKind.Refresh when _state == TurnClientState.Allocated:
                if (TryGetLifetime(response, out var refreshed))
                {
                    OnRefreshed(refreshed, now);
                }
                else
                {
                    Fail(StunMethod.Refresh, 437, "The server granted no lifetime");
                }

                break;
            case TransactionKind.Release:
                SetReleased();
                break;
            case TransactionKind.CreatePermission:
                OnPermissionInstalled(transaction.Permission!, now);
                break;
            case TransactionKind.ChannelBind:
                OnChannelBound(transaction.Binding!, now);
                break;
        }
    }

    /// <summary>LIFETIME of an Allocate or Refresh success (the requested one when absent); false for 0.</summary>
    private bool TryGetLifetime(in StunReader response, out TimeSpan lifetime)
    {
        uint seconds = response.TryGetUInt32(StunAttributeType.Lifetime, out uint value) ? value : _requestedLifetimeSeconds;
        lifetime = TimeSpan.FromSeconds(seconds);
        return seconds > 0;
    }

    private void OnError(Transaction transaction, in StunReader response, int code, string reason, TimeSpan now)
    {
        if (transaction.Key is null && code is 401 or 438)
        {
            // RFC 8489 §9.2.3: the challenge to the first, unsigned request.
            if (_credentials.TryAcceptChallenge(response))
            {
                Retry(transaction, now, staleNonce: false, unauthorized: false);
                return;
            }
        }
        else if (code == 438 && transaction.StaleNonceRetries == 0)
        {
            // RFC 8489 §9.2.5: retry once with the new NONCE (and REALM).
            if (_credentials.TryAcceptChallenge(response))
            {
                Retry(transaction, now, staleNonce: true, unauthorized: false);
                return;
            }
        }
        else if (code == 401 && transaction.Kind != TransactionKind.Allocate && transaction.UnauthorizedRetries == 0
            && NonceDiffers(response, transaction.Nonce))
        {
            // A later 401 with a new nonce: the server rotated it (RFC 8489 §9.2.5 retries once).
            // On Allocate a 401 right after the first challenge means the credentials are wrong.
            if (_credentials.TryAcceptChallenge(response))
            {
                Retry(transaction, now, staleNonce: false, unauthorized: true);
                return;
            }
        }

        // 300 Try Alternate is reported as an error: following ALTERNATE-SERVER means another
        // server and another 5-tuple, which is the driver's to start (RFC 8656 §7.4 allows it).
        OnFailure(transaction, code, reason);
    }

    private static bool NonceDiffers(in StunReader response, byte[]? used) =>
        !response.TryGetAttribute(StunAttributeType.Nonce, out var nonce) || used is null || !nonce.SequenceEqual(used);

    private void OnFailure(Transaction transaction, int code, string reason)
    {
        switch (transaction.Kind)
        {
            case TransactionKind.Allocate:
                Fail(StunMethod.Allocate, code, reason);
                break;
            case TransactionKind.Refresh:
                Fail(StunMethod.Refresh, code, reason);
                break;
            case TransactionKind.Release:
                // Whatever the answer (437 when it is already gone) or none, the client is done.
                StopEverything();
                SetReleased();
                break;
            case TransactionKind.CreatePermission:
                OnPermissionFailed(transaction.Permission!, code, reason);
                break;
            case TransactionKind.ChannelBind:
                OnChannelFailed(transaction.Binding!, code, reason);
                break;
        }
    }
}
