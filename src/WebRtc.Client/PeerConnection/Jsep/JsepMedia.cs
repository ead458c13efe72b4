using System.Globalization;
using WebRtc.Client.Codecs;
using WebRtc.Client.Packetization;
using WebRtc.Client.Rtp;
using WebRtc.Client.Sdp;

namespace WebRtc.Client.Jsep;

/// <summary>
/// Audio and video negotiation as pure functions: the codecs and header extensions to offer
/// (RFC 8829 §5.2.1), to answer with (RFC 8829 §5.3.1, RFC 3264 §6.1), what a remote answer accepted
/// (RFC 8829 §5.8), and the direction rules of RFC 3264 §6.1.
/// </summary>
/// <remarks>
/// Payload types follow Chromium 156 where it has one for a codec (opus 111; VP8 96 + RTX 97; H.264 42e01f
/// packetization-mode 1 109 + 114; VP9 profile 0 98 + 99 ...), so that an offer of ours looks like a browser's;
/// any other dynamic codec gets the next free type in 96–127, then 35–63 as libwebrtc does when those run out.
/// </remarks>
public static class JsepMedia
{
    // Chromium 156's payload types: (name, fmtp key) -> (pt, rtx pt). Key: see PreferredKey.
    private static readonly Dictionary<string, (int Pt, int? Rtx)> ChromiumPayloadTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["opus/48000/2"] = (111, null),
        ["red/48000/2"] = (63, null),
        ["telephone-event/48000"] = (110, null),
        ["telephone-event/8000"] = (126, null),
        ["CN/8000"] = (13, null),
        ["VP8/90000"] = (96, 97),
        ["H264/90000 42001f 1"] = (103, 104),
        ["H264/90000 42001f 0"] = (107, 108),
        ["H264/90000 42e01f 1"] = (109, 114),
        ["H264/90000 4d001f 1"] = (115, 116),
        ["AV1/90000"] = (45, 46),
        ["VP9/90000 0"] = (98, 99),
        ["VP9/90000 2"] = (100, 101),
        ["red/90000"] = (117, 118),
        ["ulpfec/90000"] = (119, null),
    };

    // The header extensions this library implements, with Chromium's ids.
    private static readonly JsepHeaderExtension[] AudioExtensions =
    [
        new(1, RtpHeaderExtensions.AudioLevelUri),
        new(2, RtpHeaderExtensions.AbsSendTimeUri),
        new(3, RtpHeaderExtensions.TransportWideCcUri),
        new(4, RtpHeaderExtensions.SdesMidUri),
    ];

    private static readonly JsepHeaderExtension[] VideoExtensions =
    [
        new(2, RtpHeaderExtensions.AbsSendTimeUri),
        new(3, RtpHeaderExtensions.TransportWideCcUri),
        new(4, RtpHeaderExtensions.SdesMidUri),
    ];

    /// <summary>
    /// The codecs to offer for one kind: the registry's (or <paramref name="preferences"/>, in that order), with
    /// payload types: a static one keeps its own (PCMU 0, PCMA 8, G722 9), a dynamic one gets Chromium's number where
    /// free, else the next free in 96–127, then 35–63. Every video codec whose feedback has <c>nack</c> gets an RTX
    /// partner (RFC 4588). Fmtp and feedback come from the <see cref="CodecInfo"/>.
    /// </summary>
    /// <param name="kind">Audio or video.</param>
    /// <param name="registry">The local codecs.</param>
    /// <param name="preferences">The codecs in the order to offer them (W3C setCodecPreferences), or null for the registry's.</param>
    /// <returns>The codecs in preference order, each with <see cref="JsepCodec.Local"/> set.</returns>
    /// <exception cref="InvalidOperationException">More codecs than free payload types.</exception>
    public static IReadOnlyList<JsepCodec> OfferCodecs(CodecKind kind, CodecRegistry registry, IReadOnlyList<CodecInfo>? preferences = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var locals = (preferences ?? registry.Codecs).Where(c => c is not null && c.Kind == kind).Distinct().ToArray();
        var used = new HashSet<int>();
        var pts = new int?[locals.Length];
        var rtx = new int?[locals.Length];
        var wantsRtx = locals.Select(c => c.Kind == CodecKind.Video && c.Feedback.Any(f => f.Type == "nack" && f.Parameter is null)).ToArray();
        // Pass 1: static payload types, then Chromium's numbers where free.
        for (var i = 0; i < locals.Length; i++)
        {
            if (locals[i].StaticPayloadType is { } s && used.Add(s)) { pts[i] = s; }
        }
        for (var i = 0; i < locals.Length; i++)
        {
            if (pts[i] is null && locals[i].StaticPayloadType is null && ChromiumPayloadTypes.TryGetValue(PreferredKey(locals[i]), out var p))
            {
                if (used.Add(p.Pt)) { pts[i] = p.Pt; }
                if (wantsRtx[i] && p.Rtx is { } r && used.Add(r)) { rtx[i] = r; }
            }
        }
        // Pass 2: the rest from the free dynamic range.
        var result = new List<JsepCodec>(locals.Length);
        for (var i = 0; i < locals.Length; i++)
        {
            var c = locals[i];
            var pt = pts[i] ?? NextFree(used);
            if (wantsRtx[i] && rtx[i] is null) { rtx[i] = NextFree(used); }
            result.Add(new JsepCodec(pt, c.Name, c.ClockRate, c.Kind == CodecKind.Audio ? Math.Max(1, c.Channels) : 0, c.Fmtp, c.Feedback)
            {
                RtxPayloadType = rtx[i],
                Local = c,
            });
        }
        return result;
    }

    /// <summary>
    /// The header extensions to offer (RFC 8285), those this library implements, with Chromium's ids:
    /// audio: ssrc-audio-level 1, abs-send-time 2, transport-wide-cc 3, sdes:mid 4; video: the same without the audio level.
    /// </summary>
    /// <param name="kind">Audio or video.</param>
    /// <returns>The extensions.</returns>
    public static IReadOnlyList<JsepHeaderExtension> OfferHeaderExtensions(CodecKind kind) => kind == CodecKind.Audio ? AudioExtensions : VideoExtensions;

    /// <summary>Whether this library implements a header extension for a kind of media.</summary>
    /// <param name="kind">Audio or video.</param>
    /// <param name="uri">The extension URI.</param>
    /// <returns>Whether it is one of <see cref="OfferHeaderExtensions"/>.</returns>
    public static bool IsSupportedHeaderExtension(CodecKind kind, string uri) => OfferHeaderExtensions(kind).Any(e => e.Uri == uri);

    /// <summary>
    /// The codecs to answer an offered m-section with (RFC 8829 §5.3.1, RFC 3264 §6.1): every offered codec a local one
    /// matches, with the offer's payload type, in the offer's order (or the order of <paramref name="preferences"/>).
    /// A match has the same name (case-insensitive), clock rate and channels; H.264 also the same profile and
    /// packetization-mode (absent = 0), VP9 the same profile-id (absent = 0). The answer's fmtp is ours, except H.264
    /// (the offer's profile-level-id and packetization-mode, with level-asymmetry-allowed=1 when both allow it) and VP9
    /// (the offer's profile-id). RTX partners of accepted codecs are kept; feedback is what both sides have. Formats
    /// this library does not implement (red, ulpfec, CN, telephone-event, AV1, H.264 High ...) are left out.
    /// </summary>
    /// <param name="offer">The offered section.</param>
    /// <param name="registry">The local codecs.</param>
    /// <param name="preferences">The codecs to accept, in order (W3C setCodecPreferences), or null for the registry's in the offer's order.</param>
    /// <returns>The accepted codecs, each with <see cref="JsepCodec.Local"/> set; empty when nothing matches (reject the section then).</returns>
    public static IReadOnlyList<JsepCodec> AnswerCodecs(JsepRemoteMediaSection offer, CodecRegistry registry, IReadOnlyList<CodecInfo>? preferences = null)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(registry);
        var locals = (preferences ?? registry.Codecs).Where(c => c is not null && c.Kind == offer.Kind).Distinct().ToArray();
        var accepted = new List<(int Rank, int Order, JsepCodec Codec)>();
        var seen = new HashSet<int>();
        for (var o = 0; o < offer.Codecs.Count; o++)
        {
            var offered = offer.Codecs[o];
            if (offered is null || !seen.Add(offered.PayloadType)) { continue; }
            var rank = Array.FindIndex(locals, l => Matches(offered, l, offer.Kind));
            if (rank < 0) { continue; }
            var local = locals[rank];
            var feedback = offered.Feedback.Where(f => local.Feedback.Contains(f)).Distinct().ToArray();
            accepted.Add((preferences is null ? 0 : rank, o, new JsepCodec(offered.PayloadType, offered.Name, offered.ClockRate, offered.Channels,
                AnswerFmtp(offered, local, offer.Kind), feedback)
            {
                RtxPayloadType = offered.RtxPayloadType,
                Local = local,
            }));
        }
        return accepted.OrderBy(a => a.Rank).ThenBy(a => a.Order).Select(a => a.Codec).ToArray();
    }

    /// <summary>The offered header extensions this library implements, with the offer's ids (RFC 8285 §6), in the offer's order.</summary>
    /// <param name="offer">The offered section.</param>
    /// <returns>The extensions to answer with.</returns>
    public static IReadOnlyList<JsepHeaderExtension> AnswerHeaderExtensions(JsepRemoteMediaSection offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var ids = new HashSet<int>();
        var uris = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<JsepHeaderExtension>();
        foreach (var e in offer.HeaderExtensions)
        {
            // RFC 8285 §6: an answer uses ids 1-255 (4096-4351 are offer-only placeholders).
            if (e is null || e.Id is < 1 or > 255 || !IsSupportedHeaderExtension(offer.Kind, e.Uri)) { continue; }
            if (ids.Add(e.Id) && uris.Add(e.Uri)) { result.Add(e); }
        }
        return result;
    }

    /// <summary>
    /// What a remote answer accepted of our offered section: the answer's codecs whose payload types we offered
    /// with the same name, clock rate and channels (RFC 3264 §6.1: the answerer uses the offer's numbers), in the
    /// answer's order. These are the codecs to send with; <see cref="JsepCodec.Local"/> comes from our offer,
    /// the fmtp is the answer's, feedback what both have, RTX the answer's if we offered the same partner.
    /// </summary>
    /// <param name="localOffer">Our offered section.</param>
    /// <param name="answer">The remote answer's section at the same index.</param>
    /// <param name="dropped">Receives why each dropped answer codec was dropped, or null.</param>
    /// <returns>The accepted codecs; empty when the answer names none of ours.</returns>
    public static IReadOnlyList<JsepCodec> AcceptedCodecs(JsepMediaSection localOffer, JsepRemoteMediaSection answer, ICollection<string>? dropped = null)
    {
        ArgumentNullException.ThrowIfNull(localOffer);
        ArgumentNullException.ThrowIfNull(answer);
        var result = new List<JsepCodec>();
        foreach (var a in answer.Codecs)
        {
            var ours = localOffer.Codecs.FirstOrDefault(c => c.PayloadType == a.PayloadType);
            if (ours is null)
            {
                dropped?.Add($"payload type {a} was not in our offer (RFC 3264 §6.1)");
                continue;
            }
            if (!string.Equals(ours.Name, a.Name, StringComparison.OrdinalIgnoreCase) || ours.ClockRate != a.ClockRate || ours.Channels != a.Channels)
            {
                dropped?.Add($"payload type {a} was {ours.RtpMap} in our offer (RFC 3264 §6.1)");
                continue;
            }
            if (result.Any(r => r.PayloadType == a.PayloadType)) { continue; }
            result.Add(new JsepCodec(a.PayloadType, ours.Name, a.ClockRate, a.Channels, a.Fmtp, a.Feedback.Where(f => ours.Feedback.Contains(f)).Distinct().ToArray())
            {
                RtxPayloadType = a.RtxPayloadType is { } r && r == ours.RtxPayloadType ? r : null,
                Local = ours.Local,
            });
        }
        return result;
    }

    /// <summary>
    /// The direction to answer an offered one with (RFC 3264 §6.1): what the offer allows intersected with what we
    /// want. sendonly is answered with recvonly (or inactive), recvonly with sendonly (or inactive), inactive with inactive.
    /// </summary>
    /// <param name="offered">The offered direction.</param>
    /// <param name="wantSend">Whether we have something to send.</param>
    /// <param name="wantReceive">Whether we want to receive.</param>
    /// <returns>The answer's direction.</returns>
    public static SdpDirection AnswerDirection(SdpDirection offered, bool wantSend, bool wantReceive)
    {
        // The offerer receives unless it says sendonly/inactive; it sends unless it says recvonly/inactive.
        var send = wantSend && (offered is SdpDirection.SendRecv or SdpDirection.RecvOnly);
        var receive = wantReceive && (offered is SdpDirection.SendRecv or SdpDirection.SendOnly);
        return Direction(send, receive);
    }

    /// <summary>The direction as the other side sees it: sendonly and recvonly swap, sendrecv and inactive stay.</summary>
    /// <param name="direction">A direction.</param>
    /// <returns>The reversed direction.</returns>
    public static SdpDirection Reverse(SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => SdpDirection.RecvOnly,
        SdpDirection.RecvOnly => SdpDirection.SendOnly,
        _ => direction,
    };

    /// <summary>The direction for a send and a receive flag.</summary>
    /// <param name="send">Whether media is sent.</param>
    /// <param name="receive">Whether media is received.</param>
    /// <returns>sendrecv, sendonly, recvonly or inactive.</returns>
    public static SdpDirection Direction(bool send, bool receive) =>
        send ? (receive ? SdpDirection.SendRecv : SdpDirection.SendOnly) : (receive ? SdpDirection.RecvOnly : SdpDirection.Inactive);

    /// <summary>Whether a direction sends (sendrecv, sendonly).</summary>
    /// <param name="direction">A direction.</param>
    /// <returns>Whether it sends.</returns>
    public static bool Sends(SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    /// <summary>Whether a direction receives (sendrecv, recvonly).</summary>
    /// <param name="direction">A direction.</param>
    /// <returns>Whether it receives.</returns>
    public static bool Receives(SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    /// <summary>
    /// Whether an offered (remote) codec is one a local codec can do: same name (case-insensitive), clock rate and
    /// channels (absent = 1 for audio); H.264 also the same profile and packetization-mode, VP9 the same profile-id.
    /// </summary>
    /// <param name="remote">The remote codec.</param>
    /// <param name="local">The local codec.</param>
    /// <param name="kind">The section's kind.</param>
    /// <returns>Whether they match.</returns>
    public static bool Matches(JsepCodec remote, CodecInfo local, CodecKind kind)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(local);
        if (local.Kind != kind || !string.Equals(remote.Name, local.Name, StringComparison.OrdinalIgnoreCase) || remote.ClockRate != local.ClockRate) { return false; }
        if (kind == CodecKind.Audio && Math.Max(1, remote.Channels) != Math.Max(1, local.Channels)) { return false; }
        if (IsName(local.Name, "H264"))
        {
            return ProfileOf(remote.Fmtp) is { } rp && ProfileOf(local.Fmtp) is { } lp && rp == lp
                && PacketizationMode(remote.Fmtp) == PacketizationMode(local.Fmtp);
        }
        if (IsName(local.Name, "VP9")) { return IntParameter(remote.Fmtp, "profile-id") == IntParameter(local.Fmtp, "profile-id"); }
        return true;
    }

    /// <summary>Parses fmtp parameters (<c>a=b;c=d</c>) into a case-insensitive map; a later duplicate is ignored. Never throws.</summary>
    /// <param name="fmtp">The parameters, or null.</param>
    /// <returns>The map.</returns>
    public static IReadOnlyDictionary<string, string> FmtpParameters(string? fmtp)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (fmtp is null) { return map; }
        foreach (var part in fmtp.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? string.Empty : part[..eq].Trim();
            map.TryAdd(key, eq < 0 ? part : part[(eq + 1)..].Trim());
        }
        return map;
    }

    private static bool IsName(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    // libwebrtc's H264 rule: the profile (profile_idc + constraint flags) of profile-level-id; absent means
    // constrained baseline (its kDefaultProfileLevelId, 42e01f); unparseable means no match.
    private static H264Profile? ProfileOf(string? fmtp) =>
        FmtpParameters(fmtp).TryGetValue("profile-level-id", out var plid)
            ? (H264ProfileLevelId.TryParse(plid, out var p) ? p.Profile : null)
            : H264Profile.ConstrainedBaseline;

    private static int PacketizationMode(string? fmtp) => IntParameter(fmtp, "packetization-mode");

    private static int IntParameter(string? fmtp, string name) =>
        FmtpParameters(fmtp).TryGetValue(name, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string? AnswerFmtp(JsepCodec offered, CodecInfo local, CodecKind kind)
    {
        if (kind == CodecKind.Video && IsName(local.Name, "H264"))
        {
            var o = FmtpParameters(offered.Fmtp);
            var l = FmtpParameters(local.Fmtp);
            var asymmetry = o.TryGetValue("level-asymmetry-allowed", out var oa) && oa == "1" && l.TryGetValue("level-asymmetry-allowed", out var la) && la == "1";
            var parts = new List<string>();
            if (asymmetry) { parts.Add("level-asymmetry-allowed=1"); }
            parts.Add("packetization-mode=" + PacketizationMode(offered.Fmtp).ToString(CultureInfo.InvariantCulture));
            if (o.TryGetValue("profile-level-id", out var plid)) { parts.Add("profile-level-id=" + plid); }
            return string.Join(';', parts);
        }
        if (kind == CodecKind.Video && IsName(local.Name, "VP9"))
        {
            return FmtpParameters(offered.Fmtp).TryGetValue("profile-id", out var id) ? "profile-id=" + id : local.Fmtp;
        }
        return local.Fmtp;
    }

    // The key into ChromiumPayloadTypes: rtpmap, plus profile-level-id and packetization-mode for H.264, profile-id for VP9.
    private static string PreferredKey(CodecInfo c)
    {
        var rtpmap = c.Kind == CodecKind.Audio && c.Channels > 1 ? $"{c.Name}/{c.ClockRate}/{c.Channels}" : $"{c.Name}/{c.ClockRate}";
        if (IsName(c.Name, "H264"))
        {
            var plid = FmtpParameters(c.Fmtp).TryGetValue("profile-level-id", out var p) ? p.ToLowerInvariant() : "42e01f";
            return $"{rtpmap} {plid} {PacketizationMode(c.Fmtp)}";
        }
        return IsName(c.Name, "VP9") ? $"{rtpmap} {IntParameter(c.Fmtp, "profile-id")}" : rtpmap;
    }

    // libwebrtc's PayloadTypePicker: 96-127 first, then 35-63 (the lower dynamic range) when those run out.
    private static int NextFree(HashSet<int> used)
    {
        for (var pt = 96; pt <= 127; pt++)
        {
            if (used.Add(pt)) { return pt; }
        }
        for (var pt = 35; pt <= 63; pt++)
        {
            if (used.Add(pt)) { return pt; }
        }
        throw new InvalidOperationException("No free RTP payload type is left (96-127 and 35-63 are all used).");
    }
}
