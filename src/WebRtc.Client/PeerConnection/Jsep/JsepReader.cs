using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Sdp;

namespace WebRtc.Client.Jsep;

/// <summary>
/// Reads a remote offer or answer into what the ICE, DTLS and SCTP transports need, and checks
/// what JSEP requires of it (RFC 8829 §5.7, §5.8). Syntax errors are <see cref="SdpParseException"/>
/// (from parsing); a description that breaks JSEP (no ICE credentials or fingerprint, a bad setup,
/// duplicate mids, an answered audio/video section without rtcp-mux) raises <see cref="InvalidAccessException"/>;
/// a valid one with no m-section this library can use (neither a data channel nor audio/video over DTLS-SRTP)
/// raises <see cref="OperationErrorException"/>, the W3C error for a description that "cannot be applied at the media layer".
/// </summary>
/// <remarks>
/// Data sections are read in every form real stacks write: RFC 8841's <c>UDP/DTLS/SCTP webrtc-datachannel</c>
/// with <c>a=sctp-port</c> and <c>a=max-message-size</c>; the same over <c>DTLS/SCTP</c>; and the
/// draft-ietf-mmusic-sctp-sdp-05 form <c>DTLS/SCTP 5000</c> with <c>a=sctpmap</c> (see
/// <see cref="SdpMediaDescription.IsLegacyDataChannel"/>).
/// </remarks>
public static class JsepReader
{
    /// <summary>Parses and reads a remote offer.</summary>
    /// <param name="sdp">The offer text.</param>
    /// <param name="requireDataSection">Whether an offer with no usable m-line (neither data channel nor audio/video over DTLS-SRTP) is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="SdpParseException">The text is not valid SDP.</exception>
    /// <exception cref="InvalidAccessException">The offer breaks JSEP (see <see cref="ReadOffer(SdpSessionDescription, bool)"/>).</exception>
    /// <exception cref="OperationErrorException">The offer has nothing this library can use (see <see cref="ReadOffer(SdpSessionDescription, bool)"/>).</exception>
    public static JsepRemoteDescription ReadOffer(string sdp, bool requireDataSection = true) =>
        ReadOffer(SdpSessionDescription.Parse(sdp), requireDataSection);

    /// <summary>
    /// Reads a remote offer. The transport section is the data section, else the first usable audio/video section,
    /// or, when that is <c>a=bundle-only</c>, the offerer's BUNDLE tag (RFC 8843 §7.2); the local setup is the answer's
    /// (<see cref="JsepBuilder.AnswerSetup"/>). An answer that accepts audio or video should read the offer with
    /// <see cref="ReadOffer(SdpSessionDescription, IReadOnlyList{JsepSection})"/> instead, whose transport section is
    /// the BUNDLE tag that answer will have.
    /// </summary>
    /// <param name="offer">The parsed offer.</param>
    /// <param name="requireDataSection">Whether an offer with no usable m-line (neither data channel nor audio/video over DTLS-SRTP) is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="InvalidAccessException">
    /// Duplicate mids, a BUNDLE group naming an unknown mid, missing or invalid ice-ufrag/ice-pwd, no usable
    /// fingerprint, or an <c>a=setup</c> other than actpass/active/passive.
    /// </exception>
    /// <exception cref="OperationErrorException">
    /// No usable data or audio/video m-line (when required), or no m-line that is not rejected; the message names
    /// every m-line and why it cannot be used.
    /// </exception>
    public static JsepRemoteDescription ReadOffer(SdpSessionDescription offer, bool requireDataSection = true) =>
        ReadOffer(offer, requireDataSection, answerSections: null);

    /// <summary>
    /// Reads a remote offer for the answer that <paramref name="answerSections"/> will build with
    /// <see cref="JsepBuilder.CreateAnswer"/>: the transport section is the BUNDLE tag of that answer, the first
    /// accepted mid of the offer's group (RFC 8843 §7.3.1), whose candidates the offerer keeps once BUNDLE is
    /// negotiated. Otherwise as <see cref="ReadOffer(SdpSessionDescription, bool)"/>.
    /// </summary>
    /// <param name="offer">The parsed offer.</param>
    /// <param name="answerSections">Per offered m-line, what the answer accepts, or null to reject it.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="ArgumentException">The plan does not have one entry per offered m-line.</exception>
    /// <exception cref="InvalidAccessException">As <see cref="ReadOffer(SdpSessionDescription, bool)"/>.</exception>
    /// <exception cref="OperationErrorException">The plan accepts no m-line; the message names every m-line and why it cannot be used.</exception>
    public static JsepRemoteDescription ReadOffer(SdpSessionDescription offer, IReadOnlyList<JsepSection?> answerSections)
    {
        ArgumentNullException.ThrowIfNull(answerSections);
        return ReadOffer(offer, requireDataSection: true, answerSections);
    }

    private static JsepRemoteDescription ReadOffer(SdpSessionDescription offer, bool requireDataSection, IReadOnlyList<JsepSection?>? answerSections)
    {
        ArgumentNullException.ThrowIfNull(offer);
        CheckMidsAndBundle(offer, "offer");
        var media = ReadMediaSections(offer);
        var data = FindDataSection(offer);
        var firstMedia = media.FirstOrDefault(m => m.IsUsable)?.MLineIndex ?? -1;
        if (data < 0 && firstMedia < 0 && requireDataSection)
        {
            throw new OperationErrorException(NothingUsable(offer, "offer"));
        }
        int transport;
        if (answerSections is not null)
        {
            if (answerSections.Count != offer.Media.Count)
            {
                throw new ArgumentException($"The answer plan needs one entry per offered m-line ({offer.Media.Count}), not {answerSections.Count}.", nameof(answerSections));
            }
            transport = JsepBuilder.AnswerTagIndex(offer, answerSections);
            if (transport < 0) { throw new OperationErrorException(NothingUsable(offer, "offer") + " The answer accepts none of them."); }
        }
        else
        {
            transport = data >= 0 ? data : firstMedia >= 0 ? firstMedia : FirstAccepted(offer, "offer");
        }
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
        return Read(offer, isOffer: true, transport, data, media, remoteSetup, localSetup, ResolveRole(localSetup, remoteSetup, localIsOfferer: false));
    }

    /// <summary>Parses and reads a remote answer to our offer.</summary>
    /// <param name="sdp">The answer text.</param>
    /// <param name="localOffer">Our offer that it answers.</param>
    /// <param name="requireDataSection">Whether an answer that accepts no usable m-line (neither data channel nor audio/video) is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="SdpParseException">The text is not valid SDP.</exception>
    /// <exception cref="InvalidAccessException">The answer breaks JSEP (see <see cref="ReadAnswer(SdpSessionDescription, SdpSessionDescription, bool)"/>).</exception>
    /// <exception cref="OperationErrorException">The answer accepts nothing this library can use (see <see cref="ReadAnswer(SdpSessionDescription, SdpSessionDescription, bool)"/>).</exception>
    public static JsepRemoteDescription ReadAnswer(string sdp, SdpSessionDescription localOffer, bool requireDataSection = true) =>
        ReadAnswer(SdpSessionDescription.Parse(sdp), localOffer, requireDataSection);

    /// <summary>
    /// Reads a remote answer to <paramref name="localOffer"/>. The answer must have the offer's m-lines
    /// in order with the same mids (RFC 8829 §5.8, RFC 3264 §6); the transport section is the answer's BUNDLE
    /// tag (RFC 8843 §7.3.1) or the data section; the local setup is what our offer said.
    /// </summary>
    /// <param name="answer">The parsed answer.</param>
    /// <param name="localOffer">Our offer that it answers.</param>
    /// <param name="requireDataSection">Whether an answer that accepts no usable m-line (neither data channel nor audio/video) is an error.</param>
    /// <returns>The transport parameters.</returns>
    /// <exception cref="InvalidAccessException">
    /// The m-lines do not match the offer, ice-ufrag/ice-pwd is missing or invalid, no usable fingerprint, or
    /// <c>a=setup</c> is actpass, holdconn, or the same role as ours.
    /// </exception>
    /// <exception cref="OperationErrorException">
    /// The data m-line is rejected (when required), or every m-line is; the message says which and why.
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
        var media = ReadMediaSections(answer);
        foreach (var m in media)
        {
            // RFC 8829 §5.8 / RFC 5761: we offer rtcp-mux only (no RTCP port); libwebrtc fails such an answer too.
            if (!m.IsRejected && !m.RtcpMux && localOffer.Media[m.MLineIndex].RtcpMux)
            {
                throw new InvalidAccessException($"m-line {m.MLineIndex} ({answer.Media[m.MLineIndex].Media}, mid {m.Mid ?? "none"}) of the remote answer has no a=rtcp-mux; this endpoint only multiplexes RTP and RTCP (RFC 5761, RFC 8829 §5.8).");
            }
        }
        var data = FindDataSection(answer);
        var firstMedia = media.FirstOrDefault(m => m.IsUsable)?.MLineIndex ?? -1;
        if (data < 0 && firstMedia < 0 && requireDataSection)
        {
            throw new OperationErrorException(NothingUsable(answer, "answer"));
        }
        var transport = data >= 0 ? data : firstMedia >= 0 ? firstMedia : FirstAccepted(answer, "answer");
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
        return Read(answer, isOffer: false, transport, data, media, remoteSetup, localSetup, ResolveRole(localSetup, remoteSetup, localIsOfferer: true));
    }

    /// <summary>
    /// What this library makes of each m-section of a remote description: the first data-channel section
    /// that is not rejected is used, and every audio/video section over DTLS-SRTP that lists a codec; every
    /// other section carries the reason it is not (which an answer turns into a rejection, RFC 8829 §5.3.1).
    /// Never throws. Whether a media section has a codec in common with the local registry is not judged here
    /// (see <see cref="JsepMedia.AnswerCodecs"/>).
    /// </summary>
    /// <param name="sdp">A parsed remote offer or answer.</param>
    /// <returns>One entry per m-line, in order.</returns>
    public static IReadOnlyList<JsepRemoteSection> ClassifySections(SdpSessionDescription sdp)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        var data = FindDataSection(sdp);
        var sections = new JsepRemoteSection[sdp.Media.Count];
        for (var i = 0; i < sections.Length; i++)
        {
            var m = sdp.Media[i];
            string? reason = m.IsRejected ? "it has port 0: the remote side rejected or disabled it (RFC 3264 §6)"
                : JsepMediaSdp.IsMediaKind(m) ? JsepMediaSdp.Read(sdp, i).UnusableReason
                : !m.IsDataChannel ? WhyNotUsable(m)
                : i != data ? $"m-line {data} is the data-channel section already; one SCTP association carries every channel"
                : null;
            sections[i] = new JsepRemoteSection(i, m.Mid, m.Media, m.Proto, m.IsRejected, m.IsDataChannel) { UnusedReason = reason };
        }
        return sections;
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

    // Why a section that is not rejected is still of no use here.
    private static string WhyNotUsable(SdpMediaDescription m)
    {
        if (m.Media != SdpMediaDescription.ApplicationMedia) { return $"the media type '{m.Media}' is not supported"; }
        if (!SdpMediaDescription.IsDtlsSctpProto(m.Proto)) { return $"the protocol {m.Proto} does not carry data channels (UDP/DTLS/SCTP, RFC 8841 §4.1)"; }
        var other = m.SctpMaps.FirstOrDefault(s => s.App != SdpMediaDescription.DataChannelFormat && m.Formats.Contains(s.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return other is not null
            ? $"its a=sctpmap names the application '{other.App}', not webrtc-datachannel"
            : $"its format '{string.Join(' ', m.Formats)}' is not webrtc-datachannel (RFC 8841 §4.1)";
    }

    // The message for a description with nothing to use: every m-line and why.
    private static string NothingUsable(SdpSessionDescription sdp, string kind)
    {
        const string Needs = "it needs a data-channel m-section (RFC 8841 §4) or an audio/video m-section over DTLS-SRTP (UDP/TLS/RTP/SAVPF, RFC 8829 §5.1.2)";
        if (sdp.Media.Count == 0) { return $"The remote {kind} has no m-lines; {Needs}."; }
        var why = ClassifySections(sdp).Select(s => $"m-line {s.MLineIndex} ({s.Media} {s.Proto}, mid {s.Mid ?? "none"}): {s.UnusedReason}");
        return $"The remote {kind} has no m-section this peer connection can use; {Needs}. " + string.Join("; ", why) + ".";
    }

    // The SCTP port of a data section: the m-line format in the draft-05 form, else a=sctp-port, else 5000 (RFC 8841 §5.2).
    private static int RemoteSctpPort(SdpMediaDescription m) =>
        m.IsLegacyDataChannel && SdpText.TryParseInt(m.Formats[0], out var port) ? port : m.SctpPort ?? JsepDataSection.DefaultSctpPort;

    // a=max-message-size (RFC 8841 §6), else a draft-06 sctpmap max-message-size=N, else 64 KiB (RFC 8841 §6.1;
    // libwebrtc assumes the same for the draft-05 form, whose sctpmap carries only a stream count).
    private static long RemoteMaxMessageSize(SdpMediaDescription m) =>
        m.MaxMessageSize ?? m.SctpMaps.Select(s => s.MaxMessageSize).FirstOrDefault(s => s is not null) ?? JsepDataSection.RemoteMaxMessageSizeWhenAbsent;

    // Every audio/video m-section, rejected ones included.
    private static JsepRemoteMediaSection[] ReadMediaSections(SdpSessionDescription sdp) =>
        Enumerable.Range(0, sdp.Media.Count).Where(i => JsepMediaSdp.IsMediaKind(sdp.Media[i])).Select(i => JsepMediaSdp.Read(sdp, i)).ToArray();

    private static JsepRemoteDescription Read(SdpSessionDescription sdp, bool isOffer, int transport, int data, IReadOnlyList<JsepRemoteMediaSection> media,
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
            dataSection = new JsepRemoteDataSection(data, d.Mid, RemoteSctpPort(d), RemoteMaxMessageSize(d)) { IsLegacyForm = d.IsLegacyDataChannel };
        }
        return new JsepRemoteDescription(sdp, isOffer)
        {
            Sections = ClassifySections(sdp),
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
            MediaSections = media,
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
        throw new OperationErrorException(NothingUsable(sdp, kind));
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
