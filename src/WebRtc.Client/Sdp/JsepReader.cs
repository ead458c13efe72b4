using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Sdp;

/// <summary>
/// Reads a remote offer or answer into what the ICE, DTLS and SCTP transports need, and checks
/// what JSEP requires of it (RFC 8829 §5.7, §5.8). Syntax errors are <see cref="SdpParseException"/>
/// (from parsing); a description that parses but cannot be used raises <see cref="InvalidAccessException"/>.
/// </summary>
public static class JsepReader
{
    /// <summary>Parses and reads a remote offer.</summary>
    /// <param name="sdp">The offer text.</param>
    /// <param name="requireDataSection">Whether an offer without an acceptable data-channel m-line is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="SdpParseException">The text is not valid SDP.</exception>
    /// <exception cref="InvalidAccessException">The offer cannot be used (see <see cref="ReadOffer(SdpSessionDescription, bool)"/>).</exception>
    public static JsepRemoteDescription ReadOffer(string sdp, bool requireDataSection = true) =>
        ReadOffer(SdpSessionDescription.Parse(sdp), requireDataSection);

    /// <summary>
    /// Reads a remote offer. The transport section is the data section, or, when that is
    /// <c>a=bundle-only</c>, the offerer's BUNDLE tag (RFC 8843 §7.2); the local setup is the answer's
    /// (<see cref="JsepBuilder.AnswerSetup"/>).
    /// </summary>
    /// <param name="offer">The parsed offer.</param>
    /// <param name="requireDataSection">Whether an offer without an acceptable data-channel m-line is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="InvalidAccessException">
    /// No acceptable data m-line, duplicate mids, a BUNDLE group naming an unknown mid, missing or invalid
    /// ice-ufrag/ice-pwd, no usable fingerprint, or an <c>a=setup</c> other than actpass/active/passive.
    /// </exception>
    public static JsepRemoteDescription ReadOffer(SdpSessionDescription offer, bool requireDataSection = true)
    {
        ArgumentNullException.ThrowIfNull(offer);
        CheckMidsAndBundle(offer, "offer");
        var data = FindDataSection(offer);
        if (data < 0 && requireDataSection)
        {
            throw new InvalidAccessException("The remote offer has no data-channel m-line we can accept (m=application <port> UDP/DTLS/SCTP webrtc-datachannel, RFC 8841 §4).");
        }
        var transport = data >= 0 ? data : FirstAccepted(offer, "offer");
        if (offer.Media[transport].IsBundleOnly)
        {
            // RFC 8843 §7.2: a bundle-only section uses the offerer's tagged section's transport.
            var tag = offer.BundleGroup?.Mids.FirstOrDefault();
            var tagIndex = tag is null ? -1 : IndexOfMid(offer, tag);
            if (tagIndex < 0 || offer.Media[tagIndex].Port == 0)
            {
                throw new InvalidAccessException($"m-line {transport} is bundle-only but the offer has no BUNDLE tag with a transport (RFC 8843 §7.2).");
            }
            transport = tagIndex;
        }
        var remoteSetup = SdpTransportAttributes.ParseSetupOrThrow(offer.GetSetupValue(offer.Media[transport]), isAnswer: false);
        var localSetup = JsepBuilder.AnswerSetup(remoteSetup);
        return Read(offer, isOffer: true, transport, data, remoteSetup, localSetup, ResolveRole(localSetup, remoteSetup, localIsOfferer: false));
    }

    /// <summary>Parses and reads a remote answer to our offer.</summary>
    /// <param name="sdp">The answer text.</param>
    /// <param name="localOffer">Our offer that it answers.</param>
    /// <param name="requireDataSection">Whether an answer that does not accept a data-channel m-line is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="SdpParseException">The text is not valid SDP.</exception>
    /// <exception cref="InvalidAccessException">The answer cannot be used (see <see cref="ReadAnswer(SdpSessionDescription, SdpSessionDescription, bool)"/>).</exception>
    public static JsepRemoteDescription ReadAnswer(string sdp, SdpSessionDescription localOffer, bool requireDataSection = true) =>
        ReadAnswer(SdpSessionDescription.Parse(sdp), localOffer, requireDataSection);

    /// <summary>
    /// Reads a remote answer to <paramref name="localOffer"/>. The answer must have the offer's m-lines
    /// in order with the same mids (RFC 8829 §5.8, RFC 3264 §6); the transport section is the answer's BUNDLE
    /// tag (RFC 8843 §7.3.1) or the data section; the local setup is what our offer said.
    /// </summary>
    /// <param name="answer">The parsed answer.</param>
    /// <param name="localOffer">Our offer that it answers.</param>
    /// <param name="requireDataSection">Whether an answer that does not accept a data-channel m-line is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="InvalidAccessException">
    /// The m-lines do not match the offer, the data m-line is rejected, ice-ufrag/ice-pwd is missing or invalid,
    /// no usable fingerprint, or <c>a=setup</c> is actpass, holdconn, or the same role as ours.
    /// </exception>
    public static JsepRemoteDescription ReadAnswer(SdpSessionDescription answer, SdpSessionDescription localOffer, bool requireDataSection = true)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(localOffer);
        if (answer.Media.Count != localOffer.Media.Count)
        {
            throw new InvalidAccessException($"The remote answer has {answer.Media.Count} m-lines; the offer had {localOffer.Media.Count} (RFC 3264 §6).");
        }
        for (var i = 0; i < answer.Media.Count; i++)
        {
            var (a, o) = (answer.Media[i], localOffer.Media[i]);
            if (a.Media != o.Media || a.Mid != o.Mid)
            {
                throw new InvalidAccessException($"m-line {i} of the remote answer ({a.Media}, mid {a.Mid ?? "none"}) does not match the offer ({o.Media}, mid {o.Mid ?? "none"}) (RFC 8829 §5.8).");
            }
        }
        CheckMidsAndBundle(answer, "answer");
        var data = FindDataSection(answer);
        if (data < 0 && requireDataSection)
        {
            throw new InvalidAccessException("The remote answer does not accept a data-channel m-line (RFC 8841 §4).");
        }
        var transport = data >= 0 ? data : FirstAccepted(answer, "answer");
        // RFC 8843 §7.3.1: the first mid of the answer's group is the tag whose transport everything in the group uses.
        var group = answer.BundleGroup;
        if (group is { Mids.Count: > 0 } && answer.Media[transport].Mid is { } mid && group.Mids.Contains(mid))
        {
            var tagIndex = IndexOfMid(answer, group.Mids[0]);
            if (tagIndex < 0 || answer.Media[tagIndex].Port == 0)
            {
                throw new InvalidAccessException("The BUNDLE tag of the remote answer is rejected (RFC 8843 §7.3.1).");
            }
            transport = tagIndex;
        }
        var localSetup = SdpTransportAttributes.ParseSetup(localOffer.GetSetupValue(localOffer.Media[transport])) ?? DtlsSetup.ActPass;
        var remoteSetup = SdpTransportAttributes.ParseSetupOrThrow(answer.GetSetupValue(answer.Media[transport]), isAnswer: true);
        return Read(answer, isOffer: false, transport, data, remoteSetup, localSetup, ResolveRole(localSetup, remoteSetup, localIsOfferer: true));
    }

    // The first data-channel m-line that is not rejected (RFC 8841 §4), or -1.
    internal static int FindDataSection(SdpSessionDescription sdp)
    {
        for (var i = 0; i < sdp.Media.Count; i++)
        {
            if (sdp.Media[i].IsDataChannel && !sdp.Media[i].IsRejected) { return i; }
        }
        return -1;
    }

    private static JsepRemoteDescription Read(SdpSessionDescription sdp, bool isOffer, int transport, int data,
        DtlsSetup remoteSetup, DtlsSetup localSetup, DtlsRole role)
    {
        var kind = isOffer ? "offer" : "answer";
        var ts = sdp.Media[transport];
        var ufrag = sdp.GetIceUfrag(ts);
        var pwd = sdp.GetIcePwd(ts);
        // RFC 8839 §5.4: ice-ufrag and ice-pwd MUST be present, 4-256 and 22-256 ice-chars.
        if (ufrag is null || pwd is null)
        {
            throw new InvalidAccessException($"The remote {kind} has no a=ice-ufrag/a=ice-pwd for m-line {transport} (RFC 8839 §5.4).");
        }
        if (!IceCredentials.IsValidUfrag(ufrag) || !IceCredentials.IsValidPwd(pwd))
        {
            throw new InvalidAccessException($"The remote {kind} has an invalid a=ice-ufrag or a=ice-pwd for m-line {transport}: 4-256 and 22-256 ice-chars (RFC 8839 §5.4).");
        }
        // RFC 8827 §6.5 / RFC 8122 §5: a=fingerprint is mandatory; we need one whose hash we can compute.
        if (!ts.Attributes.Contains("fingerprint") && !sdp.Attributes.Contains("fingerprint"))
        {
            throw new InvalidAccessException($"The remote {kind} has no a=fingerprint for m-line {transport} (RFC 8122 §5).");
        }
        var fingerprints = sdp.GetFingerprints(ts);
        if (fingerprints.Count == 0)
        {
            throw new InvalidAccessException($"The remote {kind} has no a=fingerprint with a supported hash function ({string.Join(", ", RTCDtlsFingerprint.SupportedAlgorithms)}).");
        }
        JsepRemoteDataSection? dataSection = null;
        if (data >= 0)
        {
            var d = sdp.Media[data];
            dataSection = new JsepRemoteDataSection(data, d.Mid, d.SctpPort ?? JsepDataSection.DefaultSctpPort,
                d.MaxMessageSize ?? JsepDataSection.RemoteMaxMessageSizeWhenAbsent);
        }
        return new JsepRemoteDescription(sdp, isOffer)
        {
            Sections = sdp.Media.Select((m, i) => new JsepRemoteSection(i, m.Mid, m.Media, m.Proto, m.IsRejected, m.IsDataChannel)).ToArray(),
            BundleMids = sdp.BundleGroup?.Mids ?? [],
            TransportMLineIndex = transport,
            TransportMid = ts.Mid,
            IceCredentials = new IceCredentials(ufrag, pwd),
            IceLite = sdp.IceLite,
            Trickle = sdp.GetIceOptions(ts).Contains("trickle"),
            Fingerprints = fingerprints,
            RemoteSetup = remoteSetup,
            LocalSetup = localSetup,
            LocalDtlsRole = role,
            Candidates = ts.GetCandidates(transport, ufrag),
            EndOfCandidates = ts.EndOfCandidates || sdp.EndOfCandidates,
            DataSection = dataSection,
        };
    }

    private static DtlsRole ResolveRole(DtlsSetup local, DtlsSetup remote, bool localIsOfferer)
    {
        try
        {
            return DtlsTransport.ResolveRole(local, remote, localIsOfferer);
        }
        catch (ArgumentException e)
        {
            throw new InvalidAccessException("The DTLS roles do not fit: " + e.Message);
        }
    }

    private static int FirstAccepted(SdpSessionDescription sdp, string kind)
    {
        for (var i = 0; i < sdp.Media.Count; i++)
        {
            if (!sdp.Media[i].IsRejected) { return i; }
        }
        throw new InvalidAccessException($"The remote {kind} has no m-line that is not rejected.");
    }

    // RFC 8843 §7.2: mids are unique; a BUNDLE group names existing mids.
    private static void CheckMidsAndBundle(SdpSessionDescription sdp, string kind)
    {
        var mids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in sdp.Media)
        {
            if (m.Mid is { } mid && !mids.Add(mid)) { throw new InvalidAccessException($"The remote {kind} uses the mid '{mid}' twice (RFC 8843 §7.2)."); }
        }
        foreach (var g in sdp.Groups)
        {
            if (g.Semantics != SdpGroup.Bundle) { continue; }
            foreach (var mid in g.Mids)
            {
                if (!mids.Contains(mid)) { throw new InvalidAccessException($"The BUNDLE group of the remote {kind} names mid '{mid}', which no m-line has (RFC 8843 §7.2)."); }
            }
        }
    }

    private static int IndexOfMid(SdpSessionDescription sdp, string mid)
    {
        for (var i = 0; i < sdp.Media.Count; i++)
        {
            if (sdp.Media[i].Mid == mid) { return i; }
        }
        return -1;
    }
}
