namespace WebRtc.Client.Ice;

/// <summary>Derived state: nomination, the selected pair, consent and the W3C transport state.</summary>
public sealed partial class IceAgent
{
    private void LoseConsent(IceCandidatePair selected)
    {
        // RFC 7675 §5.1: consent expired; stop sending on this pair, checks and consent alike.
        _consentLost = true;
        selected.State = IceCandidatePairState.Failed;
        _transactions.Clear();
        _triggered.Clear();
        _nominationPair = null;
        Volatile.Write(ref _validSources, []);
        _selected = null;
        _events.Enqueue(new IceSelectedPairEvent(null));
        SetState(RTCIceTransportState.Failed);
    }

    /// <summary>Re-derives nomination, the selected pair and the states after any input.</summary>
    private void Update(TimeSpan now)
    {
        if (_closed)
        {
            return;
        }

        UpdateGathering();
        MaybeNominate(now);
        UpdateSelected(now);
        UpdateState(now);
    }

    private void UpdateGathering()
    {
        if (_localCandidatesDone && _pendingServerTransactions == 0 && _pendingRelays == 0)
        {
            SetGatheringState(RTCIceGatheringState.Complete);
        }
    }

    private void MaybeNominate(TimeSpan now)
    {
        _nominationDeadline = null;
        if (!_controlling || _options.Lite || _nominationPair is not null || _consentLost || HasNominatedPair())
        {
            return;
        }

        IceCandidatePair? best = null;
        foreach (var pair in _pairs)
        {
            if (pair.State == IceCandidatePairState.Succeeded)
            {
                best = pair;
                break;
            }
        }

        if (best is null)
        {
            return;
        }

        bool betterPending = _pairs.Exists(p => p.Priority > best.Priority && p.State is IceCandidatePairState.Frozen
            or IceCandidatePairState.Waiting or IceCandidatePairState.InProgress);
        if (betterPending && now < _firstValidAt + _options.NominationDelay)
        {
            _nominationDeadline = _firstValidAt + _options.NominationDelay;
            return;
        }

        // Regular nomination (RFC 8445 §8.1.1): check the chosen valid pair again with USE-CANDIDATE.
        _nominationPair = best;
        EnqueueTriggered(best);
        _nextCheck = Min(_nextCheck, now);
    }

    private void UpdateSelected(TimeSpan now)
    {
        IceCandidatePair? choice = null;
        if (!_consentLost)
        {
            foreach (var pair in _pairs)
            {
                if (pair.State == IceCandidatePairState.Succeeded && pair.Nominated)
                {
                    choice = pair;
                    break;
                }
            }

            if (choice is null && _previous is { } old)
            {
                // RFC 8445 §9: through a restart, the previously selected pair carries data until a
                // pair of the new generation is nominated.
                choice = old.Pair;
            }

            // RFC 8445 §12.1: data may flow on a valid pair before nomination (lite agents wait for it).
            if (choice is null && !_options.Lite)
            {
                choice = _pairs.Find(p => p.State == IceCandidatePairState.Succeeded);
            }
        }

        if (!ReferenceEquals(choice, _selected))
        {
            if (_previous is { } replaced && !ReferenceEquals(choice, replaced.Pair))
            {
                EndPreviousGeneration();
            }

            bool first = _selected is null;
            _selected = choice;
            if (first && choice is not null)
            {
                _nextConsent = now + JitteredConsentInterval();
            }

            _events.Enqueue(new IceSelectedPairEvent(choice));
        }
    }

    private void UpdateState(TimeSpan now)
    {
        if (_consentLost)
        {
            SetState(RTCIceTransportState.Failed);
            return;
        }

        if (_selected is { } selected)
        {
            TimeSpan silence = selected.LastConsent is { } last ? now - last : TimeSpan.Zero;
            if (silence >= _options.ConsentTimeout && !_options.Lite)
            {
                if (ReferenceEquals(selected, _previous?.Pair))
                {
                    // Lost in the middle of a restart: the new generation's checks go on.
                    LosePreviousPair(selected, now);
                    if (_selected is not null)
                    {
                        UpdateState(now);
                    }

                    return;
                }

                LoseConsent(selected);
                return;
            }

            if (silence >= _options.DisconnectedTimeout && !_options.Lite)
            {
                SetState(RTCIceTransportState.Disconnected);
                return;
            }

            // Once nominated, unchecked pairs that trickled in later are not checked any more (RFC 8445 §8.1.2).
            bool checksDone = _triggered.Count == 0 && !_pairs.Exists(p => p.State == IceCandidatePairState.InProgress
                || (!selected.Nominated && p.State is IceCandidatePairState.Waiting or IceCandidatePairState.Frozen));
            bool complete = selected.Nominated && checksDone && _remoteEndOfCandidates
                && (_options.Lite || _gatheringState == RTCIceGatheringState.Complete);
            // Completed is sticky: a late check from the peer on another pair must not flap it back.
            bool stillCompleted = _state == RTCIceTransportState.Completed && selected.Nominated;
            SetState(complete || stillCompleted ? RTCIceTransportState.Completed : RTCIceTransportState.Connected);
            return;
        }

        bool allFailed = _pairs.Count > 0 && _pairs.TrueForAll(p => p.State == IceCandidatePairState.Failed);
        if ((allFailed || _pairs.Count == 0) && _remoteEndOfCandidates && _gatheringState == RTCIceGatheringState.Complete
            && _triggered.Count == 0 && _remoteKey is not null && !_options.Lite)
        {
            SetState(RTCIceTransportState.Failed);
            return;
        }

        if (_remoteKey is not null && (_pairs.Count > 0 || _state != RTCIceTransportState.New))
        {
            SetState(RTCIceTransportState.Checking);
        }
    }
}
