using System.Net;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Ice;

/// <summary>Connectivity checks, their responses and server bindings (RFC 8445 §7, RFC 7675).</summary>
public sealed partial class IceAgent
{
    private enum TransactionKind
    {
        Check,
        Consent,
        ServerBinding,
    }

    private sealed class Transaction
    {
        public required TransactionKind Kind { get; init; }

        public required int BaseId { get; init; }

        public required IPEndPoint Remote { get; init; }

        public required byte[] Request { get; init; }

        public IceCandidatePair? Pair { get; init; }

        public IceLocalCandidate? Host { get; init; }

        public bool UseCandidate { get; init; }

        public bool SentAsControlling { get; init; }

        // The remote password of the generation the request was sent in; its response is signed with it.
        public byte[]? ResponseKey { get; init; }

        public StunRetransmitTimer Timer;

        public TimeSpan LastSent { get; set; }
    }

    private void StartServerBinding(IceLocalCandidate host, IPEndPoint server, TimeSpan now)
    {
        var id = StunTransactionId.NewRandom();
        var writer = new StunWriter(_buffer, StunMessageType.BindingRequest, id);
        writer.AddFingerprint();
        var transaction = new Transaction
        {
            Kind = TransactionKind.ServerBinding,
            BaseId = host.BaseId,
            Remote = server,
            Request = writer.Written.ToArray(),
            Host = host,
            Timer = new StunRetransmitTimer(_options.ServerRetransmit, now),
            LastSent = now,
        };
        _transactions.Add(id, transaction);
        _pendingServerTransactions++;
        _send(host.BaseId, server, transaction.Request);
    }

    /// <summary>Sends the next paced check (RFC 8445 §6.1.4.2): triggered queue first, then the best waiting pair.</summary>
    private bool SendNextCheck(TimeSpan now)
    {
        while (_triggered.TryDequeue(out var triggered))
        {
            triggered.InTriggeredQueue = false;
            if (_pairs.Contains(triggered) && (triggered.State != IceCandidatePairState.Succeeded || ReferenceEquals(triggered, _nominationPair)))
            {
                SendCheck(triggered, now, TransactionKind.Check, useCandidate: ReferenceEquals(triggered, _nominationPair));
                return true;
            }
        }

        if (HasNominatedPair())
        {
            return false;
        }

        var next = _pairs.Find(p => p.State == IceCandidatePairState.Waiting);
        if (next is null)
        {
            // Unfreeze one pair per foundation with nothing waiting or in progress.
            foreach (var frozen in _pairs)
            {
                if (frozen.State == IceCandidatePairState.Frozen
                    && !_pairs.Exists(p => p.Foundation == frozen.Foundation && p.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress))
                {
                    frozen.State = IceCandidatePairState.Waiting;
                }
            }

            next = _pairs.Find(p => p.State == IceCandidatePairState.Waiting);
        }

        if (next is null)
        {
            return false;
        }

        SendCheck(next, now, TransactionKind.Check, useCandidate: false);
        return true;
    }

    private void SendCheck(IceCandidatePair pair, TimeSpan now, TransactionKind kind, bool useCandidate)
    {
        // The pair still carrying data through a restart speaks its own generation's credentials.
        bool previous = _previous is { } old && ReferenceEquals(pair, old.Pair);
        byte[]? remoteKey = previous ? _previous!.RemoteKey : _remoteKey;
        string? checkUsername = previous ? _previous!.CheckUsername : _checkUsername;
        if (remoteKey is null || checkUsername is null)
        {
            return;
        }

        var id = StunTransactionId.NewRandom();
        var writer = new StunWriter(_buffer, StunMessageType.BindingRequest, id);
        writer.AddString(StunAttributeType.Username, checkUsername);
        // RFC 8445 §7.1.1: PRIORITY is what a peer-reflexive candidate from this base would get.
        writer.AddUInt32(StunAttributeType.Priority, pair.Local.PeerReflexivePriority);
        writer.AddUInt64(_controlling ? StunAttributeType.IceControlling : StunAttributeType.IceControlled, TieBreaker);
        if (useCandidate)
        {
            writer.AddFlag(StunAttributeType.UseCandidate);
        }

        writer.AddMessageIntegrity(remoteKey);
        writer.AddFingerprint();

        // RFC 8445 §14.3: RTO = MAX(500 ms, Ta × number of active pairs) for checks; consent uses the base RTO.
        var policy = _options.CheckRetransmit;
        if (kind == TransactionKind.Check)
        {
            int active = _pairs.Count(p => p.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress);
            var rto = _options.CheckPacing * Math.Max(1, active);
            if (rto > policy.InitialRto)
            {
                policy = policy with { InitialRto = rto };
            }

            if (pair.State != IceCandidatePairState.Succeeded)
            {
                pair.State = IceCandidatePairState.InProgress;
            }
        }

        var transaction = new Transaction
        {
            Kind = kind,
            BaseId = pair.Local.BaseId,
            Remote = pair.Remote.EndPoint,
            Request = writer.Written.ToArray(),
            Pair = pair,
            UseCandidate = useCandidate,
            SentAsControlling = _controlling,
            ResponseKey = remoteKey,
            Timer = new StunRetransmitTimer(policy, now),
            LastSent = now,
        };
        _transactions.Add(id, transaction);
        pair.RequestsSent++;
        _send(transaction.BaseId, transaction.Remote, transaction.Request);
    }

    private void RunTransactionTimers(TimeSpan now)
    {
        _expired.Clear();
        foreach (var (id, transaction) in _transactions)
        {
            switch (transaction.Timer.Poll(now))
            {
                case StunTimerAction.Retransmit:
                    transaction.LastSent = now;
                    if (transaction.Pair is { } retried)
                    {
                        retried.RequestsSent++;
                    }

                    _send(transaction.BaseId, transaction.Remote, transaction.Request);
                    break;
                case StunTimerAction.TimedOut:
                    _expired.Add(id);
                    break;
            }
        }

        foreach (var id in _expired)
        {
            var transaction = _transactions[id];
            _transactions.Remove(id);
            switch (transaction.Kind)
            {
                case TransactionKind.Check when transaction.Pair is { } pair:
                    if (pair.State == IceCandidatePairState.InProgress && !HasPendingCheck(pair))
                    {
                        pair.State = IceCandidatePairState.Failed;
                    }

                    if (ReferenceEquals(pair, _nominationPair))
                    {
                        // The nomination went unanswered: choose again among what is still valid.
                        _nominationPair = null;
                        pair.State = IceCandidatePairState.Failed;
                    }

                    break;
                case TransactionKind.ServerBinding:
                    _pendingServerTransactions--;
                    _events.Enqueue(new IceCandidateErrorEvent(transaction.Remote, 701, "STUN server did not answer"));
                    break;
            }
        }
    }

    private bool HasPendingCheck(IceCandidatePair pair)
    {
        foreach (var transaction in _transactions.Values)
        {
            if (ReferenceEquals(transaction.Pair, pair) && transaction.Kind == TransactionKind.Check)
            {
                return true;
            }
        }

        return false;
    }

    private bool HandleBindingRequest(int baseId, IPEndPoint remote, in StunReader request, TimeSpan now)
    {
        if (!_bases.TryGetValue(baseId, out var host))
        {
            return false;
        }

        // RFC 8489 §9.1.3: without USERNAME and MESSAGE-INTEGRITY the answer is 400, with a wrong one 401.
        if (!request.TryGetAttribute(StunAttributeType.Username, out var username) || !request.HasMessageIntegrity)
        {
            SendError(baseId, remote, request, 400, "Bad Request", authenticated: false);
            return false;
        }

        bool current = UsernameIsOurs(username) && request.VerifyMessageIntegrity(_localKey);
        if (IsForPreviousGeneration(username, request, current))
        {
            // RFC 8445 §9: the pair of the previous generation carries data until the new one is
            // nominated, so the peer's consent checks on it are still answered with the old password.
            AnswerPreviousGeneration(baseId, remote, request);
            return true;
        }

        if (!current)
        {
            SendError(baseId, remote, request, 401, "Unauthorized", authenticated: false);
            return false;
        }

        Span<ushort> unknown = stackalloc ushort[8];
        int unknownCount = request.GetUnknownComprehensionRequired(unknown);
        if (unknownCount > 0)
        {
            SendUnknownAttributes(baseId, remote, request, unknown[..Math.Min(unknownCount, unknown.Length)]);
            return false;
        }

        if (!_options.Lite && !ResolveRoleConflict(baseId, remote, request))
        {
            return true;
        }

        SendSuccess(baseId, remote, request);
        if (_consentLost)
        {
            // RFC 7675 §5.1: after consent expired we still answer, but start nothing new until an ICE restart.
            return true;
        }

        var remoteCandidate = FindRemote(remote, host.Protocol);
        if (remoteCandidate is null)
        {
            // RFC 8445 §7.3.1.3: learn a peer-reflexive candidate with the PRIORITY of the request.
            // Over TCP it is the peer's end of a connection it opened: active (RFC 6544 §7.2).
            request.TryGetUInt32(StunAttributeType.Priority, out uint priority);
            remoteCandidate = new IceRemoteCandidate(RTCIceCandidateType.Prflx, remote, priority, "prflx" + (++_prflxCounter).ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                Protocol = host.Protocol,
                TcpType = host.Protocol == RTCIceProtocol.Tcp ? RTCIceTcpCandidateType.Active : null,
            };
            _remote.Add(remoteCandidate);
        }

        var pair = FindPair(baseId, remote) ?? TryAddPair(host, remoteCandidate, now);
        if (pair is null)
        {
            return true;
        }

        AddValidSource(baseId, remote);
        pair.RequestsReceived++;
        pair.ResponsesSent++;
        bool useCandidate = request.HasAttribute(StunAttributeType.UseCandidate);

        if (_options.Lite)
        {
            // A lite agent has no checks of its own: an authenticated check proves the path, and
            // USE-CANDIDATE from the controlling agent selects it (RFC 8445 §7.3.1.5).
            pair.LastConsent = now;
            if (useCandidate)
            {
                MarkValid(pair, now);
                SetNominated(pair);
            }

            return true;
        }

        // RFC 8445 §7.3.1.4 triggered checks.
        switch (pair.State)
        {
            case IceCandidatePairState.Succeeded:
                break;
            case IceCandidatePairState.Failed:
                pair.State = IceCandidatePairState.Waiting;
                EnqueueTriggered(pair);
                break;
            default:
                EnqueueTriggered(pair);
                break;
        }

        if (useCandidate && !_controlling)
        {
            if (pair.State == IceCandidatePairState.Succeeded)
            {
                SetNominated(pair);
            }
            else
            {
                pair.NominateOnSuccess = true;
            }
        }

        if (_triggered.Count > 0)
        {
            _nextCheck = Min(_nextCheck, now);
        }

        return true;
    }

    /// <summary>RFC 8445 §7.3.1.1: returns false when this side answered 487 and the request stops here.</summary>
    private bool ResolveRoleConflict(int baseId, IPEndPoint remote, in StunReader request)
    {
        if (_controlling && request.TryGetUInt64(StunAttributeType.IceControlling, out ulong theirs))
        {
            if (TieBreaker >= theirs)
            {
                SendError(baseId, remote, request, 487, "Role Conflict", authenticated: true);
                return false;
            }

            SetRole(controlling: false);
        }
        else if (!_controlling && request.TryGetUInt64(StunAttributeType.IceControlled, out theirs))
        {
            if (TieBreaker >= theirs)
            {
                SetRole(controlling: true);
            }
            else
            {
                SendError(baseId, remote, request, 487, "Role Conflict", authenticated: true);
                return false;
            }
        }

        return true;
    }

    private bool UsernameIsOurs(ReadOnlySpan<byte> username)
    {
        // USERNAME of a check is "<receiver ufrag>:<sender ufrag>" (RFC 8445 §7.2.2).
        int n = _localUfragBytes.Length;
        return username.Length > n + 1 && username[n] == (byte)':' && username[..n].SequenceEqual(_localUfragBytes);
    }

    private bool IsForPreviousGeneration(ReadOnlySpan<byte> username, in StunReader request, bool current)
    {
        if (_previous is not { } old || !username.SequenceEqual(old.UsernameOfPeerChecks) || !request.VerifyMessageIntegrity(old.LocalKey))
        {
            return false;
        }

        // Same local credentials (the peer restarted, we did not): the sender's ufrag tells them apart.
        return !current || (_remoteUfrag is not null && _remoteUfrag != old.RemoteUfrag);
    }

    private void AnswerPreviousGeneration(int baseId, IPEndPoint remote, in StunReader request)
    {
        var old = _previous!;
        SendSuccess(baseId, remote, request, old.LocalKey);
        if (old.Pair.Local.BaseId == baseId && old.Pair.Remote.EndPoint.Equals(remote))
        {
            old.Pair.RequestsReceived++;
            old.Pair.ResponsesSent++;
        }
    }

    private bool HandleResponse(int baseId, IPEndPoint remote, in StunReader response, TimeSpan now)
    {
        if (!_transactions.TryGetValue(response.TransactionId, out var transaction))
        {
            return false;
        }

        if (transaction.Kind == TransactionKind.ServerBinding)
        {
            return HandleServerResponse(baseId, remote, response, transaction);
        }

        // RFC 8445 §7.2.5.1: responses to checks are authenticated with the remote password. The
        // peer cannot sign a 400/401 (it did not accept our credentials); those are taken from the
        // exact address the check went to, since only that peer knows the 96-bit transaction ID.
        if (transaction.ResponseKey is not { } responseKey || !response.VerifyMessageIntegrity(responseKey))
        {
            if (!IsUnsignedAuthError(response) || baseId != transaction.BaseId || !remote.Equals(transaction.Remote))
            {
                return false;
            }
        }

        _transactions.Remove(response.TransactionId);
        var pair = transaction.Pair!;
        if (!_pairs.Contains(pair) && !ReferenceEquals(pair, _previous?.Pair))
        {
            return true;
        }

        // RFC 8445 §7.2.5.2.1: the response must come back the way the request went.
        if (baseId != transaction.BaseId || !remote.Equals(transaction.Remote))
        {
            if (transaction.Kind == TransactionKind.Check)
            {
                pair.State = IceCandidatePairState.Failed;
            }

            return true;
        }

        if (response.Type.Class == StunClass.ErrorResponse)
        {
            response.TryGetErrorCode(out int code, out _);
            if (code == 487)
            {
                // RFC 8445 §7.2.5.1: switch role (unless already switched) and check the pair again.
                if (transaction.SentAsControlling == _controlling)
                {
                    SetRole(!_controlling);
                }

                if (ReferenceEquals(pair, _nominationPair))
                {
                    _nominationPair = null;
                }

                if (pair.State != IceCandidatePairState.Succeeded)
                {
                    pair.State = IceCandidatePairState.Waiting;
                }

                EnqueueTriggered(pair);
                _nextCheck = Min(_nextCheck, now);
            }
            else if (transaction.Kind == TransactionKind.Check)
            {
                pair.State = IceCandidatePairState.Failed;
                if (ReferenceEquals(pair, _nominationPair))
                {
                    _nominationPair = null;
                }
            }

            return true;
        }

        var rtt = now - transaction.LastSent;
        pair.CurrentRoundTripTime = rtt;
        pair.TotalRoundTripTime += rtt;
        pair.ResponsesReceived++;
        if (transaction.Kind == TransactionKind.Consent)
        {
            pair.LastConsent = now;
            return true;
        }

        LearnLocalPeerReflexive(transaction, response);
        MarkValid(pair, now);
        if ((transaction.UseCandidate && _controlling) || (pair.NominateOnSuccess && !_controlling))
        {
            SetNominated(pair);
        }

        return true;
    }

    private static bool IsUnsignedAuthError(in StunReader response) =>
        response.Type.Class == StunClass.ErrorResponse && !response.HasMessageIntegrity
        && response.TryGetErrorCode(out int code, out _) && code is 400 or 401;

    private void LearnLocalPeerReflexive(Transaction transaction, in StunReader response)
    {
        // RFC 8445 §7.2.5.3.1: a mapped address we do not know is a local peer-reflexive candidate.
        if (!response.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var mapped) || mapped is null
            || _local.Exists(l => l.EndPoint.Equals(mapped)) || !_bases.TryGetValue(transaction.BaseId, out var host)
            || host.Type != RTCIceCandidateType.Host || host.Protocol != RTCIceProtocol.Udp)
        {
            // A TCP connection's mapped port is that connection's alone, and a relay's mapped
            // address is the relay itself: neither is a candidate anyone else could use.
            return;
        }

        _local.Add(new IceLocalCandidate(
            RTCIceCandidateType.Prflx,
            mapped,
            host.BaseId,
            host.EndPoint,
            IcePriority.Compute(RTCIceCandidateType.Prflx, host.LocalPreference, ComponentRtp),
            IceFoundation.Compute(RTCIceCandidateType.Prflx, host.EndPoint.Address, RTCIceProtocol.Udp, null),
            server: null) { LocalPreference = host.LocalPreference, RelatedEndPoint = host.EndPoint, PeerReflexivePriority = host.PeerReflexivePriority });
    }

    private void SetNominated(IceCandidatePair pair)
    {
        pair.Nominated = true;
        pair.NominateOnSuccess = false;
        if (ReferenceEquals(pair, _nominationPair))
        {
            _nominationPair = null;
        }

        // RFC 8445 §8.1.2: with the component nominated, pairs not yet checked are dropped and
        // lower-priority checks in flight are abandoned.
        _pairs.RemoveAll(p => !p.Nominated && !p.InTriggeredQueue
            && p.State is IceCandidatePairState.Frozen or IceCandidatePairState.Waiting or IceCandidatePairState.InProgress);
        _expired.Clear();
        foreach (var (id, transaction) in _transactions)
        {
            if (transaction.Kind == TransactionKind.Check && transaction.Pair is { } p && !_pairs.Contains(p))
            {
                _expired.Add(id);
            }
        }

        foreach (var id in _expired)
        {
            _transactions.Remove(id);
        }
    }

    private bool HandleServerResponse(int baseId, IPEndPoint remote, in StunReader response, Transaction transaction)
    {
        if (baseId != transaction.BaseId || !remote.Equals(transaction.Remote))
        {
            return false;
        }

        _transactions.Remove(response.TransactionId);
        _pendingServerTransactions--;
        if (response.Type.Class == StunClass.ErrorResponse)
        {
            response.TryGetErrorCode(out int code, out var reason);
            _events.Enqueue(new IceCandidateErrorEvent(remote, code, System.Text.Encoding.UTF8.GetString(reason)));
            return true;
        }

        if ((!response.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var mapped) || mapped is null)
            && (!response.TryGetAddress(StunAttributeType.MappedAddress, out mapped) || mapped is null))
        {
            _events.Enqueue(new IceCandidateErrorEvent(remote, 0, "STUN response without a mapped address"));
            return true;
        }

        var host = transaction.Host!;
        // RFC 8445 §5.1.3: a server-reflexive candidate equal to a candidate we have is redundant.
        if (_local.Exists(l => l.EndPoint.Equals(mapped)) && !_options.KeepRedundantServerReflexive)
        {
            return true;
        }

        var srflx = new IceLocalCandidate(
            RTCIceCandidateType.Srflx,
            mapped,
            host.BaseId,
            host.EndPoint,
            IcePriority.Compute(RTCIceCandidateType.Srflx, host.LocalPreference, ComponentRtp),
            IceFoundation.Compute(RTCIceCandidateType.Srflx, host.EndPoint.Address, RTCIceProtocol.Udp, remote.ToString()),
            remote) { LocalPreference = host.LocalPreference, RelatedEndPoint = host.EndPoint, PeerReflexivePriority = host.PeerReflexivePriority };
        _local.Add(srflx);
        _events.Enqueue(new IceLocalCandidateEvent(srflx, _localUfrag));
        return true;
    }

    private void SendSuccess(int baseId, IPEndPoint remote, in StunReader request, byte[]? localKey = null)
    {
        var writer = new StunWriter(_buffer, StunMessageType.BindingSuccess, request.TransactionId);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, remote);
        writer.AddMessageIntegrity(localKey ?? _localKey);
        writer.AddFingerprint();
        _send(baseId, remote, writer.Written);
    }

    private void SendError(int baseId, IPEndPoint remote, in StunReader request, int code, string reason, bool authenticated)
    {
        var writer = new StunWriter(_buffer, StunMessageType.BindingError, request.TransactionId);
        writer.AddErrorCode(code, reason);
        if (authenticated)
        {
            writer.AddMessageIntegrity(_localKey);
        }

        writer.AddFingerprint();
        _send(baseId, remote, writer.Written);
    }

    private void SendUnknownAttributes(int baseId, IPEndPoint remote, in StunReader request, ReadOnlySpan<ushort> unknown)
    {
        var writer = new StunWriter(_buffer, StunMessageType.BindingError, request.TransactionId);
        writer.AddErrorCode(420, "Unknown Attribute");
        writer.AddUnknownAttributes(unknown);
        writer.AddMessageIntegrity(_localKey);
        writer.AddFingerprint();
        _send(baseId, remote, writer.Written);
    }
}
