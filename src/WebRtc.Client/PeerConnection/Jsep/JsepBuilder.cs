using System.Net.Sockets;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Sdp;

namespace WebRtc.Client.Jsep;

/// <summary>
/// Builds local offers and answers (RFC 8829 §5.2, §5.3) from the local transport parameters and
/// the sections to negotiate. Pure functions: the peer connection keeps the state (the
/// <see cref="JsepOrigin"/>, the mids, the negotiated DTLS role) and passes it in.
/// </summary>
/// <remarks>
/// Descriptions are max-bundle (RFC 8829 §4.1.1): one <c>a=group:BUNDLE</c> with every
/// section, one ICE/DTLS transport, candidates only in the bundle-tag (first) section. Every
/// section carries its ICE and DTLS attributes and port 9 (or the default candidate's port),
/// as Chromium writes them, so that peers without <c>a=bundle-only</c> support read it too.
/// </remarks>
public static class JsepBuilder
{
    /// <summary>
    /// Builds an offer: <c>v=0</c>, the origin, <c>s=-</c>, <c>t=0 0</c>, <c>a=group:BUNDLE</c> with every mid, and one
    /// m-section per entry of <paramref name="sections"/> in order.
    /// </summary>
    /// <param name="origin">The <c>o=</c> line (stamp it with <see cref="JsepOrigin.Stamp"/> afterwards to version it).</param>
    /// <param name="transport">The local ICE credentials, fingerprints and candidates.</param>
    /// <param name="sections">The sections, in m-line order; mids must be unique tokens.</param>
    /// <param name="setup">The <c>a=setup</c> to offer: actpass (RFC 8842 §5.2), or the negotiated role in a re-offer.</param>
    /// <returns>The offer.</returns>
    /// <exception cref="ArgumentException">No fingerprint, a mid that is not a unique token, or an unknown section type.</exception>
    public static SdpSessionDescription CreateOffer(SdpOrigin origin, JsepLocalTransport transport, IReadOnlyList<JsepSection> sections,
        DtlsSetup setup = DtlsSetup.ActPass)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var sdp = NewSession(origin, transport);
        CheckMids(sections.Select(s => s?.Mid));
        // RFC 8829 §5.2.2: a rejected (stopped) m-line is not bundled; the first accepted one is the tag and carries the candidates.
        var bundled = sections.Where(s => s is not JsepMediaSection { Rejected: true }).Select(s => s.Mid).ToArray();
        if (bundled.Length > 0) { sdp.Attributes.Insert(0, new SdpAttribute("group", new SdpGroup(SdpGroup.Bundle, bundled).ToString())); }
        // RFC 8285 §6: we read mixed one- and two-byte header extensions; Chromium says so at session level.
        if (sections.Any(s => s is JsepMediaSection)) { sdp.Attributes.Insert(bundled.Length > 0 ? 1 : 0, new SdpAttribute("extmap-allow-mixed", null)); }
        var tag = bundled.Length > 0 ? bundled[0] : null;
        for (var i = 0; i < sections.Count; i++)
        {
            sdp.Media.Add(sections[i] switch
            {
                JsepDataSection data => DataSection(data, SdpMediaDescription.UdpDtlsSctp, transport, setup, carriesCandidates: data.Mid == tag),
                JsepMediaSection { Rejected: true } media => RejectedOffer(media),
                JsepMediaSection media => MediaSection(media, JsepMediaSdp.Proto, transport, setup, carriesCandidates: media.Mid == tag),
                _ => throw new ArgumentException($"Section type {sections[i].GetType().Name} is not supported yet.", nameof(sections)),
            });
        }
        return sdp;
    }

    /// <summary>
    /// Builds an answer with one m-section per m-line of <paramref name="offer"/>, in the same order
    /// (RFC 8829 §5.3.1). An entry of <paramref name="sections"/> accepts the offer's m-line at the
    /// same index, null rejects it (port 0, RFC 8829 §5.3.1 and RFC 3264 §6). The BUNDLE group lists
    /// the accepted mids of the offer's group, in its order; the first is the tag that carries the candidates.
    /// An accepted data section answers in the offer's form and proto, as libwebrtc does: the
    /// draft-ietf-mmusic-sctp-sdp-05 form (<c>DTLS/SCTP 5000</c>, <c>a=sctpmap</c>) to an offer in that form,
    /// RFC 8841's otherwise.
    /// </summary>
    /// <param name="offer">The remote offer (already read with <see cref="JsepReader.ReadOffer(SdpSessionDescription, bool)"/>).</param>
    /// <param name="origin">The <c>o=</c> line.</param>
    /// <param name="transport">The local ICE credentials, fingerprints and candidates.</param>
    /// <param name="sections">Per offered m-line, what to accept, or null to reject it; null for <see cref="AcceptDataSections"/>.</param>
    /// <param name="setup">The <c>a=setup</c> to answer with; null for <see cref="AnswerSetup"/> of the offer's (RFC 8842 §5.3).</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ArgumentException">The section list does not match the offer, or accepts an m-line with the wrong kind of section.</exception>
    /// <exception cref="InvalidAccessException">The offer's <c>a=setup</c> is not one we can answer.</exception>
    public static SdpSessionDescription CreateAnswer(SdpSessionDescription offer, SdpOrigin origin, JsepLocalTransport transport,
        IReadOnlyList<JsepSection?>? sections = null, DtlsSetup? setup = null)
    {
        ArgumentNullException.ThrowIfNull(offer);
        sections ??= AcceptDataSections(offer);
        if (sections.Count != offer.Media.Count)
        {
            throw new ArgumentException($"The answer needs one entry per offered m-line ({offer.Media.Count}), not {sections.Count} (RFC 8829 §5.3.1).", nameof(sections));
        }
        var sdp = NewSession(origin, transport);
        var offeredBundle = offer.BundleGroup;
        var accepted = new List<string>();
        for (var i = 0; i < sections.Count; i++)
        {
            if (sections[i] is not null && offer.Media[i].Mid is { } mid && offeredBundle?.Mids.Contains(mid) == true) { accepted.Add(mid); }
        }
        // RFC 8843 §7.3.1: the answer's group holds the accepted mids of the offered group; the first is the tag.
        var ordered = offeredBundle?.Mids.Where(accepted.Contains).Distinct().ToArray() ?? [];
        if (ordered.Length > 0) { sdp.Attributes.Insert(0, new SdpAttribute("group", new SdpGroup(SdpGroup.Bundle, ordered).ToString())); }
        var tagIndex = AnswerTagIndex(offer, sections);

        for (var i = 0; i < sections.Count; i++)
        {
            var offered = offer.Media[i];
            switch (sections[i])
            {
                case null:
                    sdp.Media.Add(Rejected(offered));
                    break;
                case JsepDataSection data:
                    if (!offered.IsDataChannel) { throw new ArgumentException($"m-line {i} is not a data-channel section; it cannot be answered with data.", nameof(sections)); }
                    var answerSetup = setup ?? AnswerSetup(SdpTransportAttributes.ParseSetupOrThrow(offer.GetSetupValue(offered), isAnswer: false));
                    // RFC 8829 §5.3.1: the answer's mid is the offer's.
                    var section = data with { Mid = offered.Mid ?? data.Mid };
                    sdp.Media.Add(DataSection(section, offered.Proto, transport, answerSetup, carriesCandidates: i == tagIndex,
                        writeMid: offered.Mid is not null, legacy: offered.IsLegacyDataChannel));
                    break;
                case JsepMediaSection media:
                    if (!JsepMediaSdp.IsMediaKind(offered) || JsepMediaSdp.KindOf(offered) != media.Kind)
                    {
                        throw new ArgumentException($"m-line {i} is {offered.Media}; it cannot be answered with a {media.Kind} section.", nameof(sections));
                    }
                    if (JsepMediaSdp.WhyUnusableProto(offered.Proto) is { } why)
                    {
                        throw new ArgumentException($"m-line {i} cannot be accepted: {why}.", nameof(sections));
                    }
                    var mediaSetup = setup ?? AnswerSetup(SdpTransportAttributes.ParseSetupOrThrow(offer.GetSetupValue(offered), isAnswer: false));
                    sdp.Media.Add(MediaSection(media with { Mid = offered.Mid ?? media.Mid }, offered.Proto, transport, mediaSetup,
                        carriesCandidates: i == tagIndex, writeMid: offered.Mid is not null));
                    // RFC 8285 §6: the answer may say extmap-allow-mixed only when the offer did.
                    if ((offer.Attributes.Contains("extmap-allow-mixed") || offered.ExtMapAllowMixed) && !sdp.Attributes.Contains("extmap-allow-mixed"))
                    {
                        sdp.Attributes.Insert(ordered.Length > 0 ? 1 : 0, new SdpAttribute("extmap-allow-mixed", null));
                    }
                    break;
                default:
                    throw new ArgumentException($"Section type {sections[i]!.GetType().Name} is not supported yet.", nameof(sections));
            }
        }
        return sdp;
    }

    // The m-line whose transport an answer with this plan uses and whose candidates it carries: the first accepted
    // mid of the offer's BUNDLE group (RFC 8843 §7.3.1), else the first accepted m-line; -1 when none is accepted.
    internal static int AnswerTagIndex(SdpSessionDescription offer, IReadOnlyList<JsepSection?> sections)
    {
        var group = offer.BundleGroup?.Mids ?? [];
        foreach (var mid in group)
        {
            var i = IndexOfMid(offer, mid);
            if (i >= 0 && i < sections.Count && sections[i] is not null) { return i; }
        }
        return Enumerable.Range(0, Math.Min(sections.Count, offer.Media.Count)).FirstOrDefault(i => sections[i] is not null, -1);
    }

    /// <summary>
    /// The default answer plan for this library today: accept the first data-channel m-line that
    /// is not rejected, with the given SCTP parameters, and reject every other m-line.
    /// </summary>
    /// <param name="offer">The remote offer.</param>
    /// <param name="sctpPort">The local SCTP port.</param>
    /// <param name="maxMessageSize">The local max-message-size; 0 for no limit.</param>
    /// <param name="sctpStreams">The stream count an answer in the draft-05 form writes in <c>a=sctpmap</c>.</param>
    /// <returns>One entry per offered m-line.</returns>
    public static IReadOnlyList<JsepSection?> AcceptDataSections(SdpSessionDescription offer, int sctpPort = JsepDataSection.DefaultSctpPort,
        long maxMessageSize = JsepDataSection.DefaultMaxMessageSize, int sctpStreams = JsepDataSection.DefaultSctpStreams)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var result = new JsepSection?[offer.Media.Count];
        var index = JsepReader.FindDataSection(offer);
        if (index >= 0)
        {
            result[index] = new JsepDataSection(offer.Media[index].Mid ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                SctpPort = sctpPort,
                MaxMessageSize = maxMessageSize,
                SctpStreams = sctpStreams,
            };
        }
        return result;
    }

    /// <summary>
    /// The <c>a=setup</c> an answer uses for an offered one (RFC 8842 §5.3, RFC 5763 §5): active for actpass
    /// (the answerer becomes the DTLS client) and for passive; passive for active.
    /// </summary>
    /// <param name="offered">The offer's setup.</param>
    /// <returns>The answer's setup.</returns>
    public static DtlsSetup AnswerSetup(DtlsSetup offered) => offered == DtlsSetup.Active ? DtlsSetup.Passive : DtlsSetup.Active;

    private static SdpSessionDescription NewSession(SdpOrigin origin, JsepLocalTransport transport)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(transport.IceCredentials);
        if (transport.Fingerprints is not { Count: > 0 }) { throw new ArgumentException("A description needs at least one certificate fingerprint (RFC 8829 §5.2.1).", nameof(transport)); }
        // RFC 8829 §5.2.1: s=-, t=0 0.
        var sdp = new SdpSessionDescription(origin) { SessionName = "-" };
        sdp.Timings.Add(new SdpTiming(0, 0));
        if (transport.IceLite) { sdp.Attributes.Add("ice-lite"); }
        return sdp;
    }

    private static SdpMediaDescription DataSection(JsepDataSection data, string proto, JsepLocalTransport transport, DtlsSetup setup,
        bool carriesCandidates, bool writeMid = true, bool legacy = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(data.SctpPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.SctpPort, 65535);
        ArgumentOutOfRangeException.ThrowIfNegative(data.MaxMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(data.SctpStreams);
        var candidates = carriesCandidates ? transport.Candidates : [];
        var defaultCandidate = DefaultCandidate(candidates);
        var port = data.SctpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // RFC 8841 §4.1 / RFC 8829 §5.2.1: port 9 and c=IN IP4 0.0.0.0 until a default candidate exists.
        // The draft-05 form puts the SCTP port where RFC 8841 puts webrtc-datachannel.
        var m = new SdpMediaDescription(SdpMediaDescription.ApplicationMedia, defaultCandidate?.Port ?? 9, proto, [legacy ? port : SdpMediaDescription.DataChannelFormat]);
        m.Connections.Add(defaultCandidate is null
            ? SdpConnection.Placeholder
            : new SdpConnection("IN", defaultCandidate.IPAddress!.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4", defaultCandidate.Address));
        AddTransportAttributes(m, transport, setup, candidates, carriesCandidates && transport.EndOfCandidates);
        if (writeMid) { m.Attributes.Add("mid", data.Mid); }
        if (legacy)
        {
            // draft-ietf-mmusic-sctp-sdp-05: a=sctpmap:<port> webrtc-datachannel <streams>, what libwebrtc answers
            // to that form. No a=max-message-size, as libwebrtc: the peers of that time do not read it, and
            // without it a newer reader assumes 64 KiB (RFC 8841 §6.1), which is safe.
            m.Attributes.Add("sctpmap", new SdpSctpMap(data.SctpPort, SdpMediaDescription.DataChannelFormat, data.SctpStreams).ToString());
            return m;
        }
        // RFC 8841 §5.1 a=sctp-port, §6.1 a=max-message-size.
        m.Attributes.Add("sctp-port", port);
        m.Attributes.Add("max-message-size", data.MaxMessageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return m;
    }

    private static SdpMediaDescription MediaSection(JsepMediaSection media, string proto, JsepLocalTransport transport, DtlsSetup setup,
        bool carriesCandidates, bool writeMid = true)
    {
        JsepMediaSdp.Validate(media);
        var candidates = carriesCandidates ? transport.Candidates : [];
        var defaultCandidate = DefaultCandidate(candidates);
        var m = new SdpMediaDescription(media.Kind == Codecs.CodecKind.Video ? "video" : "audio", defaultCandidate?.Port ?? 9, proto, JsepMediaSdp.Formats(media));
        m.Connections.Add(defaultCandidate is null
            ? SdpConnection.Placeholder
            : new SdpConnection("IN", defaultCandidate.IPAddress!.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4", defaultCandidate.Address));
        // RFC 8829 §5.2.1: a=rtcp with the placeholder address, as Chromium writes it; RTCP is muxed anyway.
        m.Attributes.Add("rtcp", "9 IN IP4 0.0.0.0");
        AddTransportAttributes(m, transport, setup, candidates, carriesCandidates && transport.EndOfCandidates);
        if (writeMid) { m.Attributes.Add("mid", media.Mid); }
        JsepMediaSdp.WriteMediaAttributes(m, media);
        return m;
    }

    // Chromium's order: candidates, ice-ufrag, ice-pwd, ice-options, fingerprint, setup (then mid and the section's own).
    private static void AddTransportAttributes(SdpMediaDescription m, JsepLocalTransport transport, DtlsSetup setup,
        IReadOnlyList<RTCIceCandidate> candidates, bool endOfCandidates)
    {
        foreach (var c in candidates)
        {
            // RFC 8839 §5.1: a=candidate:<foundation> ...; the value is the string without "candidate:".
            m.Attributes.Add("candidate", c.Candidate["candidate:".Length..]);
        }
        if (endOfCandidates) { m.Attributes.Add("end-of-candidates"); }
        m.Attributes.Add("ice-ufrag", transport.IceCredentials.Ufrag);
        m.Attributes.Add("ice-pwd", transport.IceCredentials.Pwd);
        if (transport.Trickle) { m.Attributes.Add("ice-options", "trickle"); }
        foreach (var f in transport.Fingerprints) { m.Attributes.Add("fingerprint", f.ToSdpValue()); }
        m.Attributes.Add("setup", SdpTransportAttributes.SetupName(setup));
    }

    // RFC 8839 §4.2.1.2 / RFC 8445 §5.1.4: the default candidate is the one most likely to work:
    // relayed, then server reflexive, then host; UDP before TCP; component 1; IP literals only.
    private static RTCIceCandidate? DefaultCandidate(IReadOnlyList<RTCIceCandidate> candidates) =>
        candidates
            .Where(c => c.ComponentId == 1 && c.IPAddress is not null && !(c.Protocol == RTCIceProtocol.Tcp && c.TcpType == RTCIceTcpCandidateType.Active))
            .OrderBy(c => c.Type switch { RTCIceCandidateType.Relay => 0, RTCIceCandidateType.Srflx => 1, RTCIceCandidateType.Prflx => 2, _ => 3 })
            .ThenBy(c => c.Protocol == RTCIceProtocol.Udp ? 0 : 1)
            .FirstOrDefault();

    // RFC 8829 §5.3.1: a rejected m= line has port 0 and keeps the offer's media and proto; we keep one format.
    // A stopped transceiver's m-line in an offer: port 0, inactive, its mid kept so the answer lines up.
    private static SdpMediaDescription RejectedOffer(JsepMediaSection media)
    {
        var format = media.Codecs.Count > 0 ? media.Codecs[0].PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
        var m = new SdpMediaDescription(media.Kind == Codecs.CodecKind.Video ? "video" : "audio", 0, JsepMediaSdp.Proto, [format]);
        m.Connections.Add(SdpConnection.Placeholder);
        m.Attributes.Add("mid", media.Mid);
        m.Attributes.Add("inactive");
        return m;
    }

    private static SdpMediaDescription Rejected(SdpMediaDescription offered)
    {
        var m = new SdpMediaDescription(offered.Media, 0, offered.Proto, [offered.Formats[0]]);
        m.Connections.Add(SdpConnection.Placeholder);
        if (offered.Media != SdpMediaDescription.ApplicationMedia) { m.Attributes.Add("inactive"); }
        if (offered.Mid is { } mid) { m.Attributes.Add("mid", mid); }
        return m;
    }

    private static int IndexOfMid(SdpSessionDescription sdp, string mid)
    {
        for (var i = 0; i < sdp.Media.Count; i++)
        {
            if (sdp.Media[i].Mid == mid) { return i; }
        }
        return -1;
    }

    private static void CheckMids(IEnumerable<string?> mids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mid in mids)
        {
            if (!SdpValueParser.IsToken(mid)) { throw new ArgumentException($"'{mid}' is not a valid mid (RFC 5888 §4: a token).", nameof(mids)); }
            if (!seen.Add(mid!)) { throw new ArgumentException($"The mid '{mid}' is used twice (RFC 8843 §7.2).", nameof(mids)); }
        }
    }
}
