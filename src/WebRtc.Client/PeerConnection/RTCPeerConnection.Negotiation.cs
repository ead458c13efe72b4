using Microsoft.Extensions.Logging;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Net;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;

namespace WebRtc.Client;

// JSEP (RFC 8829): offers, answers, the signaling state machine, remote candidates.
public sealed partial class RTCPeerConnection
{
    private const string DefaultDataMid = "0";

    // What the offers and answers so far have settled (descriptions, m-line layout, mids), apart from the facade.
    private readonly NegotiationState _n = new(DefaultDataMid);

    /// <summary>The pending local description, else the current one, with the candidates gathered so far (W3C localDescription).</summary>
    public RTCSessionDescription? LocalDescription => Render(_n.PendingLocal, _n.PendingLocalType) ?? Render(_n.CurrentLocal, _n.CurrentLocalType);

    /// <summary>The local description of the last completed negotiation.</summary>
    public RTCSessionDescription? CurrentLocalDescription => Render(_n.CurrentLocal, _n.CurrentLocalType);

    /// <summary>The local description of the negotiation in progress.</summary>
    public RTCSessionDescription? PendingLocalDescription => Render(_n.PendingLocal, _n.PendingLocalType);

    /// <summary>The pending remote description, else the current one.</summary>
    public RTCSessionDescription? RemoteDescription => _n.PendingRemoteText ?? _n.CurrentRemoteText;

    /// <summary>The remote description of the last completed negotiation.</summary>
    public RTCSessionDescription? CurrentRemoteDescription => _n.CurrentRemoteText;

    /// <summary>The remote description of the negotiation in progress.</summary>
    public RTCSessionDescription? PendingRemoteDescription => _n.PendingRemoteText;

    /// <summary>
    /// Creates an offer (W3C createOffer): an audio/video m-section per transceiver (the last negotiation's m-lines in
    /// place, a stopped one rejected or recycled), the data section when a channel asked for it (or when there is
    /// nothing else), BUNDLE, trickle, our fingerprint, actpass.
    /// </summary>
    /// <exception cref="InvalidStateException">Closed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled while the call waited for the operations chain; nothing changed.</exception>
    public Task<RTCSessionDescription> CreateOfferAsync(CancellationToken cancellationToken = default) =>
        ChainAsync(() => Task.FromResult(CreateOfferCore()), cancellationToken);

    /// <summary>Creates an answer to the applied remote offer (W3C createAnswer).</summary>
    /// <exception cref="InvalidStateException">No remote offer is applied, or closed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled while the call waited for the operations chain; nothing changed.</exception>
    public Task<RTCSessionDescription> CreateAnswerAsync(CancellationToken cancellationToken = default) =>
        ChainAsync(() => Task.FromResult(CreateAnswerCore()), cancellationToken);

    /// <summary>
    /// Applies a local description (W3C setLocalDescription). With no argument, creates and applies
    /// an offer or an answer as the signaling state calls for (implicit offer/answer).
    /// </summary>
    /// <exception cref="InvalidStateException">The type does not fit the signaling state (for example an answer in stable).</exception>
    /// <exception cref="SdpParseException">The SDP does not parse.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled while the call waited for the operations chain; nothing changed.</exception>
    public Task SetLocalDescriptionAsync(RTCSessionDescription? description = null, CancellationToken cancellationToken = default) =>
        SetLocalAndReleaseAsync(description, cancellationToken);

    private async Task SetLocalAndReleaseAsync(RTCSessionDescription? description, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _localDescriptionsInFlight++;
        }

        try
        {
            await ChainAsync(async () =>
            {
                await SetLocalCoreAsync(description).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseCandidateEvents();
        }
    }

    /// <summary>
    /// Applies a remote description (W3C setRemoteDescription). An offer in have-local-offer rolls
    /// the local offer back first (the W3C implicit rollback perfect negotiation relies on).
    /// </summary>
    /// <exception cref="InvalidStateException">The type does not fit the signaling state (for example an answer in stable).</exception>
    /// <exception cref="SdpParseException">The SDP does not parse.</exception>
    /// <exception cref="InvalidAccessException">The SDP parses but breaks JSEP (no ICE credentials, no fingerprint, bad setup ...).</exception>
    /// <exception cref="OperationErrorException">
    /// An offer with no m-section this connection can use (only an unknown protocol, RTP without DTLS-SRTP, codecs
    /// the registry lacks, an application that is not webrtc-datachannel); the message names each m-line and why. Nothing changed and
    /// ICE did not start. (An answer that rejects our data section is applied instead, see remarks.)
    /// </exception>
    /// <exception cref="OperationCanceledException">The token was canceled while the call waited for the operations chain; nothing changed.</exception>
    /// <remarks>
    /// Data sections are read in the RFC 8841 form and in the older forms (<c>DTLS/SCTP</c>, <c>a=sctpmap</c>);
    /// <see cref="CreateAnswerAsync"/> answers in the form offered. An answer that rejects our data section is
    /// valid JSEP (RFC 3264 §6); as libwebrtc does, it is applied and every data channel closes with an
    /// <see cref="OperationErrorException"/> in its Error event, rather than leaving the offer pending.
    /// Every m-section that is not used is logged at Debug with the reason.
    /// </remarks>
    public Task SetRemoteDescriptionAsync(RTCSessionDescription description, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        return ChainAsync(async () =>
        {
            await SetRemoteCoreAsync(description).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Adds a remote candidate (W3C addIceCandidate); null or an empty candidate string means the
    /// end of the remote candidates.
    /// </summary>
    /// <exception cref="InvalidStateException">No remote description yet, or closed.</exception>
    /// <exception cref="ArgumentException">Neither sdpMid nor sdpMLineIndex is given (W3C TypeError).</exception>
    /// <exception cref="OperationErrorException">The candidate names an unknown m-section, another ICE generation, or does not parse.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled while the call waited for the operations chain; nothing changed.</exception>
    public Task AddIceCandidateAsync(RTCIceCandidateInit? candidate, CancellationToken cancellationToken = default) =>
        ChainAsync(async () =>
        {
            await AddIceCandidateCoreAsync(candidate, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Adds a remote candidate (see <see cref="AddIceCandidateAsync(RTCIceCandidateInit?, CancellationToken)"/>).</summary>
    public Task AddIceCandidateAsync(RTCIceCandidate candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return AddIceCandidateAsync(candidate.ToJson(), cancellationToken);
    }

    private RTCSessionDescription CreateOfferCore()
    {
        lock (_gate)
        {
            if (_signalingState is RTCSignalingState.HaveRemoteOffer or RTCSignalingState.HaveLocalPranswer)
            {
                throw new InvalidStateException($"CreateOffer is not allowed while answering (signaling state {_signalingState}).");
            }
        }

        var sections = OfferSections();

        // RFC 8842 §5.2: actpass in an initial offer; a re-offer keeps the role DTLS settled on.
        var setup = _dtlsRole switch
        {
            DtlsRole.Client => DtlsSetup.Active,
            DtlsRole.Server => DtlsSetup.Passive,
            _ => DtlsSetup.ActPass,
        };
        var sdp = JsepBuilder.CreateOffer(SdpOrigin.Create(_origin.SessionId, _origin.SessionVersion), LocalTransport(), sections, setup);
        _origin.Stamp(sdp);
        return new RTCSessionDescription(RTCSdpType.Offer, sdp.ToString());
    }

    private RTCSessionDescription CreateAnswerCore()
    {
        JsepRemoteDescription offer;
        lock (_gate)
        {
            if (_signalingState is not (RTCSignalingState.HaveRemoteOffer or RTCSignalingState.HaveLocalPranswer) || _n.PendingRemote is null)
            {
                throw new InvalidStateException($"CreateAnswer needs an applied remote offer; the signaling state is {_signalingState}.");
            }

            offer = _n.PendingRemote;
        }

        var sections = AnswerSections(offer);
        DtlsSetup? setup = _dtlsRole switch
        {
            DtlsRole.Client => DtlsSetup.Active,
            DtlsRole.Server => DtlsSetup.Passive,
            _ => null,
        };
        var sdp = JsepBuilder.CreateAnswer(offer.Sdp, SdpOrigin.Create(_origin.SessionId, _origin.SessionVersion), LocalTransport(), sections, setup);
        _origin.Stamp(sdp);
        return new RTCSessionDescription(RTCSdpType.Answer, sdp.ToString());
    }

    private JsepLocalTransport LocalTransport()
    {
        lock (_gate)
        {
            // An offer after RestartIce carries the new credentials; they take effect when it is applied.
            return new JsepLocalTransport(_restartCredentials ?? _localCredentials, [_certificate.GetFingerprint("sha-256")])
            {
                Candidates = _localCandidates.ToArray(),
                EndOfCandidates = _gatheringState == RTCIceGatheringState.Complete,
            };
        }
    }

    private async Task SetLocalCoreAsync(RTCSessionDescription? description)
    {
        if (description is null)
        {
            var state = SignalingState;
            description = state is RTCSignalingState.HaveRemoteOffer or RTCSignalingState.HaveLocalPranswer ? CreateAnswerCore() : CreateOfferCore();
        }

        switch (description.Type)
        {
            case RTCSdpType.Rollback:
                Rollback();
                return;

            case RTCSdpType.Offer:
            {
                var sdp = SdpSessionDescription.Parse(description.Sdp);
                lock (_gate)
                {
                    if (_signalingState is not (RTCSignalingState.Stable or RTCSignalingState.HaveLocalOffer))
                    {
                        throw new InvalidStateException($"SetLocalDescription(offer) is not allowed in signaling state {_signalingState}.");
                    }

                    _n.PendingLocal = sdp;
                    _n.PendingLocalType = RTCSdpType.Offer;
                    int dataIndex = sdp.Media.IndexOf(sdp.Media.FirstOrDefault(m => m.IsDataChannel)!);
                    if (dataIndex >= 0)
                    {
                        _n.DataMid = sdp.Media[dataIndex].Mid ?? _n.DataMid;
                        _n.DataMLineIndex = dataIndex;
                    }

                    SetCandidateLocation(sdp);
                }

                // RFC 8445 §6.1.1: the offerer controls (a lite answerer leaves no choice anyway).
                EnsureTransports(controlling: true);
                var offered = sdp.GetIceUfrag(sdp.Media.FirstOrDefault(m => !m.IsRejected) ?? sdp.Media[0]);
                if (_restartCredentials is { } fresh && offered == fresh.Ufrag)
                {
                    RestartTransport(fresh, controlling: true);
                }

                SetSignalingState(RTCSignalingState.HaveLocalOffer);
                StartGathering();
                return;
            }

            default:
            {
                var sdp = SdpSessionDescription.Parse(description.Sdp);
                bool final = description.Type == RTCSdpType.Answer;
                JsepRemoteDescription? answered = null;
                lock (_gate)
                {
                    if (_signalingState is not (RTCSignalingState.HaveRemoteOffer or RTCSignalingState.HaveLocalPranswer))
                    {
                        throw new InvalidStateException($"SetLocalDescription({description.TypeName}) needs a remote offer; the signaling state is {_signalingState}.");
                    }

                    SetCandidateLocation(sdp);
                    if (final)
                    {
                        answered = _n.CommitOurAnswer(sdp);
                    }
                    else
                    {
                        _n.PendingLocal = sdp;
                        _n.PendingLocalType = RTCSdpType.Pranswer;
                    }
                }

                if (answered is not null)
                {
                    ApplyNegotiatedMedia(sdp, answered, weOffered: false);
                }

                SetSignalingState(final ? RTCSignalingState.Stable : RTCSignalingState.HaveLocalPranswer);
                StartGathering();
                AfterNegotiation();
                await Task.CompletedTask.ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task SetRemoteCoreAsync(RTCSessionDescription description)
    {
        switch (description.Type)
        {
            case RTCSdpType.Rollback:
                Rollback();
                return;

            case RTCSdpType.Offer:
            {
                lock (_gate)
                {
                    if (_signalingState is not (RTCSignalingState.Stable or RTCSignalingState.HaveRemoteOffer or RTCSignalingState.HaveLocalOffer))
                    {
                        throw new InvalidStateException($"SetRemoteDescription(offer) is not allowed in signaling state {_signalingState}.");
                    }
                }

                // An offer with nothing usable fails here, before any state changes or ICE starts.
                var sdp = SdpSessionDescription.Parse(description.Sdp);
                LogUnusedSections(sdp, "offer");
                // Read once to learn the m-sections, plan the answer, then read again so the transport is
                // the BUNDLE tag our answer will have (Chromium gives every m-line its own port until then).
                var remote = JsepReader.ReadOffer(sdp, requireDataSection: false);
                AssociateRemoteOffer(remote);
                try
                {
                    remote = JsepReader.ReadOffer(sdp, AnswerSections(remote));
                }
                catch
                {
                    lock (_gate)
                    {
                        RollBackTransceivers();
                    }

                    throw;
                }

                CheckRenegotiation(remote);
                lock (_gate)
                {
                    if (_signalingState == RTCSignalingState.HaveLocalOffer)
                    {
                        _n.PendingLocal = null; // implicit rollback of our own offer (glare)
                    }

                    _n.PendingRemote = remote;
                    _n.PendingRemoteText = description;
                    if (remote.DataSection is { } data)
                    {
                        _n.DataMid = data.Mid ?? _n.DataMid;
                        _n.DataMLineIndex = data.MLineIndex; // our answer keeps the offer's m-line order
                    }

                    // Our answer keeps the offer's m-lines; its tag is the first the offer's BUNDLE group names.
                    _n.CandidateMid = remote.TransportMid ?? _n.CandidateMid;
                    _n.CandidateMLineIndex = remote.TransportMLineIndex;
                }

                // Controlled, unless the offerer is ICE-lite (RFC 8445 §6.1.1).
                EnsureTransports(controlling: remote.IceLite);
                if (_n.CurrentRemote is { } previous && previous.IceCredentials != remote.IceCredentials)
                {
                    // The peer restarts ICE: our answer needs new credentials too (RFC 8839 §4.4.1.1.2),
                    // and the restart must precede the peer's new credentials. The re-announced
                    // candidates wait for our answer (released when it is applied).
                    lock (_gate)
                    {
                        _holdCandidatesForAnswer = true;
                    }

                    RestartTransport(_restartCredentials ?? IceCredentials.Generate(), controlling: remote.IceLite);
                }

                await ApplyRemoteTransportAsync(remote).ConfigureAwait(false);
                SetSignalingState(RTCSignalingState.HaveRemoteOffer);
                ProcessRemoteTracks(remote); // W3C: track events after the signaling state changed
                return;
            }

            default:
            {
                SdpSessionDescription localOffer;
                lock (_gate)
                {
                    if (_signalingState is not (RTCSignalingState.HaveLocalOffer or RTCSignalingState.HaveRemotePranswer) || _n.PendingLocal is null)
                    {
                        throw new InvalidStateException($"SetRemoteDescription({description.TypeName}) needs a local offer; the signaling state is {_signalingState}.");
                    }

                    localOffer = _n.PendingLocal;
                }

                var sdp = SdpSessionDescription.Parse(description.Sdp);
                LogUnusedSections(sdp, "answer");
                bool final = description.Type == RTCSdpType.Answer;
                JsepRemoteDescription remote;
                try
                {
                    remote = JsepReader.ReadAnswer(sdp, localOffer, requireDataSection: !localOffer.Media.Any(m => m.Media is "audio" or "video"));
                }
                catch (OperationErrorException rejected)
                {
                    // It matches our offer but accepts no data section (ReadAnswer checked the m-lines first).
                    ApplyAnswerWithoutDataSection(description, localOffer, final, rejected);
                    return;
                }

                CheckRenegotiation(remote);
                lock (_gate)
                {
                    if (final)
                    {
                        _n.CommitAnswerToOurOffer(remote, description, localOffer);
                    }
                    else
                    {
                        _n.PendingRemote = remote;
                        _n.PendingRemoteText = description;
                    }
                }

                if (final)
                {
                    // Later candidates name the negotiated tag (the answer may have rejected the one we offered).
                    lock (_gate)
                    {
                        _n.CandidateMid = remote.TransportMid ?? _n.CandidateMid;
                        _n.CandidateMLineIndex = remote.TransportMLineIndex;
                    }

                    ApplyNegotiatedMedia(localOffer, remote, weOffered: true);
                    if (remote.DataSection is null && localOffer.Media.Any(m => m.IsDataChannel && !m.IsRejected))
                    {
                        RejectDataSection(localOffer);
                    }
                }
                await ApplyRemoteTransportAsync(remote).ConfigureAwait(false);
                SetSignalingState(final ? RTCSignalingState.Stable : RTCSignalingState.HaveRemotePranswer);
                ProcessRemoteTracks(remote);
                AfterNegotiation();
                return;
            }
        }
    }

    // W3C rollback: back to stable, dropping the pending descriptions.
    private void Rollback()
    {
        lock (_gate)
        {
            if (_signalingState is not (RTCSignalingState.HaveLocalOffer or RTCSignalingState.HaveRemoteOffer))
            {
                throw new InvalidStateException($"Nothing to roll back in signaling state {_signalingState}.");
            }

            _n.DropPending();
            RollBackTransceivers();
        }

        SetSignalingState(RTCSignalingState.Stable);
    }

    // A renegotiation may not change the DTLS certificate once DTLS runs (new ICE credentials
    // are an ICE restart, handled where the descriptions are applied).
    private void CheckRenegotiation(JsepRemoteDescription remote)
    {
        var previous = _n.CurrentRemote;
        if (previous is null)
        {
            return;
        }

        if (_dtlsStarted && !remote.Fingerprints.Any(f => previous.Fingerprints.Contains(f)))
        {
            throw new InvalidAccessException("The remote description changes the DTLS fingerprint of an established connection.");
        }
    }

    private void AfterNegotiation()
    {
        bool fire;
        lock (_gate)
        {
            if (_signalingState != RTCSignalingState.Stable)
            {
                return;
            }

            // Channels created while the data m-line was being negotiated still need it.
            fire = _negotiationNeeded && ((!HasNegotiatedDataSection && !_n.DataRejected && (_n.DataRequested || _transceivers.Count == 0)) || _restartCredentials is not null);
        }

        fire = fire || (_negotiationNeeded && MediaNeedsNegotiation());
        lock (_gate)
        {
            _negotiationNeeded = fire;
        }

        TryStartDtls();
        if (_dtls is { State: Dtls.DtlsTransportState.Connected } connected)
        {
            StartMedia(connected);

            // A data section this renegotiation added: SCTP starts now over the running DTLS.
            if (_n.CurrentRemote is { DataSection: not null } current && _dtlsRole is { } role)
            {
                try
                {
                    StartSctp(current, connected, role);
                }
                catch (Exception ex)
                {
                    _logger.LogWarning(ex, "SCTP could not start over DTLS; the data channels fail");
                    _channels.CloseAll(new OperationErrorException("The SCTP transport could not start: " + ex.Message, ex));
                }
            }
        }
        if (fire)
        {
            Post(() => EventInvoker.Raise(NegotiationNeeded, this, _logger, nameof(NegotiationNeeded)));
        }
    }

    private async Task AddIceCandidateCoreAsync(RTCIceCandidateInit? init, CancellationToken cancellationToken)
    {
        JsepRemoteDescription? remote;
        lock (_gate)
        {
            remote = _n.PendingRemote ?? _n.CurrentRemote;
        }

        if (remote is null)
        {
            throw new InvalidStateException("AddIceCandidate needs a remote description first.");
        }

        var ice = _ice!;
        if (init is null || RTCIceCandidate.IsEndOfCandidates(init))
        {
            ice.AddRemoteEndOfCandidates();
            return;
        }

        if (init.SdpMid is null && init.SdpMLineIndex is null)
        {
            throw new ArgumentException("A candidate needs sdpMid or sdpMLineIndex (W3C TypeError).", nameof(init));
        }

        bool known = init.SdpMid is { } mid
            ? remote.Sections.Any(s => s.Mid == mid)
            : init.SdpMLineIndex >= 0 && init.SdpMLineIndex < remote.Sections.Count;
        if (!known)
        {
            throw new OperationErrorException($"The candidate names m-section '{init.SdpMid ?? init.SdpMLineIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture)}', which the remote description does not have.");
        }

        if (init.UsernameFragment is { Length: > 0 } ufrag && ufrag != remote.IceCredentials.Ufrag)
        {
            throw new OperationErrorException("The candidate belongs to another ICE generation (its usernameFragment does not match).");
        }

        RTCIceCandidate candidate;
        try
        {
            candidate = RTCIceCandidate.FromInit(init);
        }
        catch (FormatException ex)
        {
            throw new OperationErrorException("The candidate does not parse: " + ex.Message, ex);
        }

        await ice.AddRemoteCandidateAsync(candidate, cancellationToken).ConfigureAwait(false);
    }

    private RTCSessionDescription? Render(SdpSessionDescription? sdp, RTCSdpType type)
    {
        if (sdp is null)
        {
            return null;
        }

        RTCIceCandidate[] candidates;
        bool complete;
        lock (_gate)
        {
            candidates = _localCandidates.ToArray();
            complete = _gatheringState == RTCIceGatheringState.Complete;
        }

        // W3C: localDescription carries the candidates gathered so far, so a non-trickle peer can
        // wait for gathering to complete and send it whole.
        var copy = SdpSessionDescription.Parse(sdp.ToString());
        var tag = copy.Media.FirstOrDefault(m => !m.IsRejected);
        if (tag is not null)
        {
            tag.Attributes.RemoveAll("candidate");
            tag.Attributes.RemoveAll("end-of-candidates");
            foreach (var c in candidates)
            {
                tag.Attributes.Add("candidate", c.Candidate["candidate:".Length..]);
            }

            if (complete)
            {
                tag.Attributes.Add(new SdpAttribute("end-of-candidates", null));
            }
        }

        return new RTCSessionDescription(type, copy.ToString());
    }
}
