using System.Text;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Ice;

/// <summary>ICE restart (RFC 8445 §9, RFC 8839 §4.4.1.1.2, W3C restartIce).</summary>
public sealed partial class IceAgent
{
    private PreviousGeneration? _previous;

    /// <summary>
    /// The generation of the credentials: 0 at creation, one more at every ICE restart (local
    /// <see cref="Restart"/> or a peer restart seen in <see cref="SetRemoteCredentials"/>).
    /// </summary>
    public int Generation { get; private set; }

    /// <summary>
    /// True while a restart is under way and the pair selected before it still carries data: from
    /// the restart until a pair of the new generation is nominated (or the old pair loses consent).
    /// </summary>
    public bool IsRestarting => _previous is not null;

    /// <summary>
    /// Restarts ICE (RFC 8445 §9) with new local credentials. The peer's credentials and
    /// candidates are forgotten until it sends new ones (<see cref="SetRemoteCredentials"/>,
    /// <see cref="AddRemoteCandidate"/>); the checklist starts afresh on the same sockets; every
    /// host and server-reflexive candidate is announced again (<see cref="IceLocalCandidateEvent"/>
    /// with the new ufrag) and gathering goes Gathering → Complete again.
    /// <para>
    /// The selected pair keeps carrying data meanwhile, with consent checks and answers to the
    /// peer's checks under the old credentials, until a pair of the new generation is nominated;
    /// then the selection moves to it (<see cref="IceSelectedPairEvent"/>) and the old generation is
    /// discarded. The state stays Connected/Completed through a restart with a working pair
    /// (Completed does not drop back). From Failed (consent lost, RFC 7675 §5.1) the restart is the
    /// way back: the state stays Failed until the new remote credentials arrive, then Checking.
    /// </para>
    /// </summary>
    /// <param name="localUfrag">The new ice-ufrag.</param>
    /// <param name="localPassword">The new ice-pwd.</param>
    /// <param name="now">Agent clock.</param>
    /// <param name="controlling">
    /// The role for the new generation (the offerer of the restart is controlling, RFC 8445 §6.1.1),
    /// or null to keep the current one. Ignored by a lite agent, which is always controlled.
    /// </param>
    /// <exception cref="ArgumentException">A credential is empty, or equal to the current one.</exception>
    public void Restart(string localUfrag, string localPassword, TimeSpan now, bool? controlling = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(localUfrag);
        ArgumentException.ThrowIfNullOrEmpty(localPassword);
        ThrowIfClosed();
        if (localUfrag == _localUfrag)
        {
            // RFC 8839 §4.4.1.1.2: a restart is signaled by changing both ufrag and pwd.
            throw new ArgumentException("An ICE restart needs a new ufrag.", nameof(localUfrag));
        }

        BeginNewGeneration();
        _localUfrag = localUfrag;
        _localUfragBytes = Encoding.UTF8.GetBytes(localUfrag);
        _localKey = StunIntegrity.ShortTermKey(localPassword);
        _remoteUfrag = null;
        _remoteKey = null;
        _checkUsername = null;
        if (controlling is { } role && !_options.Lite)
        {
            SetRole(role);
        }

        AnnounceLocalCandidates();
        Update(now);
    }

    /// <summary>Starts a new generation of checks: the previous one is remembered only for the pair carrying data.</summary>
    private void BeginNewGeneration()
    {
        Generation++;
        if (_previous is null && _selected is { } carrying && !_consentLost)
        {
            _previous = new PreviousGeneration(
                carrying,
                _localKey,
                Encoding.UTF8.GetBytes(_localUfrag + ":" + _remoteUfrag),
                _remoteUfrag,
                _remoteKey,
                _checkUsername);
        }

        // Checks of the old generation are abandoned; consent on the pair carrying data and
        // server bindings (they give candidates, whatever the generation) go on.
        _expired.Clear();
        foreach (var (id, transaction) in _transactions)
        {
            if (transaction.Kind == TransactionKind.Check
                || (transaction.Kind == TransactionKind.Consent && !ReferenceEquals(transaction.Pair, _previous?.Pair)))
            {
                _expired.Add(id);
            }
        }

        foreach (var id in _expired)
        {
            _transactions.Remove(id);
        }

        foreach (var pair in _triggered)
        {
            pair.InTriggeredQueue = false;
        }

        _triggered.Clear();
        _pairs.Clear();
        _remote.Clear();
        _nominationPair = null;
        _nominationDeadline = null;
        _firstValidAt = null;
        _remoteEndOfCandidates = false;
        _consentLost = false;
        if (_previous is { } old)
        {
            old.Pair.InTriggeredQueue = false;
            old.Pair.NominateOnSuccess = false;
        }

        // Data keeps coming in only from the pair that carries it.
        Volatile.Write(ref _validSources, _previous is { } kept ? [(kept.Pair.Local.BaseId, kept.Pair.Remote.EndPoint)] : []);
    }

    /// <summary>Re-signals the candidates the peer needs (not peer-reflexive ones) under the current ufrag.</summary>
    private void AnnounceLocalCandidates()
    {
        if (_gatheringState == RTCIceGatheringState.New)
        {
            return;
        }

        // Gathering → Complete again (UpdateGathering completes it once no server binding is pending).
        SetGatheringState(RTCIceGatheringState.Gathering);
        foreach (var candidate in _local)
        {
            if (candidate.Type is RTCIceCandidateType.Host or RTCIceCandidateType.Srflx or RTCIceCandidateType.Relay)
            {
                _events.Enqueue(new IceLocalCandidateEvent(candidate, _localUfrag));
            }
        }
    }

    /// <summary>A pair of the new generation is selected: forget the old one.</summary>
    private void EndPreviousGeneration()
    {
        var old = _previous!;
        _previous = null;
        _expired.Clear();
        foreach (var (id, transaction) in _transactions)
        {
            if (ReferenceEquals(transaction.Pair, old.Pair))
            {
                _expired.Add(id);
            }
        }

        foreach (var id in _expired)
        {
            _transactions.Remove(id);
        }

        // Data from now on only from the new generation: its valid pairs and authenticated peers.
        var sources = new List<(int BaseId, System.Net.IPEndPoint Remote)>();
        foreach (var pair in _pairs)
        {
            if (pair.State == IceCandidatePairState.Succeeded || pair.RequestsReceived > 0)
            {
                sources.Add((pair.Local.BaseId, pair.Remote.EndPoint));
            }
        }

        Volatile.Write(ref _validSources, [.. sources]);
    }

    /// <summary>The pair still carrying data from before a restart lost consent (RFC 7675) before the new generation took over.</summary>
    private void LosePreviousPair(IceCandidatePair selected, TimeSpan now)
    {
        selected.State = IceCandidatePairState.Failed;
        EndPreviousGeneration();
        _selected = null;
        _events.Enqueue(new IceSelectedPairEvent(null));
        UpdateSelected(now);
        if (_selected is null)
        {
            // Checks of the new generation go on if the peer's credentials are known; otherwise the
            // transport has nothing at all until they come.
            SetState(_remoteKey is null ? RTCIceTransportState.Failed : RTCIceTransportState.Checking);
        }
    }

    /// <summary>What is kept of the generation before a restart: the pair carrying data and its credentials.</summary>
    /// <param name="Pair">The selected pair of the previous generation.</param>
    /// <param name="LocalKey">Our old short-term key: answers to the peer's checks on it.</param>
    /// <param name="UsernameOfPeerChecks">USERNAME of the peer's old checks, "old local ufrag:old remote ufrag".</param>
    /// <param name="RemoteUfrag">The peer's old ufrag.</param>
    /// <param name="RemoteKey">The peer's old short-term key: our consent checks on the pair.</param>
    /// <param name="CheckUsername">USERNAME of our consent checks on the pair.</param>
    private sealed record PreviousGeneration(
        IceCandidatePair Pair,
        byte[] LocalKey,
        byte[] UsernameOfPeerChecks,
        string? RemoteUfrag,
        byte[]? RemoteKey,
        string? CheckUsername);
}
