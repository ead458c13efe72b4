using System.Globalization;
using WebRtc.Client.Codecs;
using WebRtc.Client.Sdp;

namespace WebRtc.Client.Jsep;

// Reads and writes the RTP parts of audio/video m-sections (the transport attributes are JsepBuilder's).
internal static class JsepMediaSdp
{
    // The RTP protocols over DTLS-SRTP that libwebrtc accepts (RFC 8829 §5.1.2, §5.1.3; RFC 5764).
    private static readonly HashSet<string> SecureRtpProtos = new(StringComparer.Ordinal)
    {
        "UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVP", "TCP/TLS/RTP/SAVPF", "TCP/TLS/RTP/SAVP", "RTP/SAVPF", "RTP/SAVP",
    };

    // Formats that are not media codecs of their own: redundancy, FEC, comfort noise, DTMF (RTX is folded into its codec).
    private static readonly HashSet<string> AuxiliaryNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "red", "ulpfec", "flexfec-03", "CN", "telephone-event", "rtx",
    };

    public const string Proto = "UDP/TLS/RTP/SAVPF";

    public static bool IsMediaKind(SdpMediaDescription m) => m.Media is "audio" or "video";

    public static CodecKind KindOf(SdpMediaDescription m) => m.Media == "video" ? CodecKind.Video : CodecKind.Audio;

    // Why an audio/video section that is not rejected cannot be used, or null.
    public static string? WhyUnusable(SdpMediaDescription m, IReadOnlyList<JsepCodec> codecs) =>
        WhyUnusableProto(m.Proto) ?? (codecs.Count == 0 ? $"it lists no RTP codec (formats '{string.Join(' ', m.Formats)}')" : null);

    // Why an RTP protocol cannot carry WebRTC media, or null for the DTLS-SRTP ones.
    public static string? WhyUnusableProto(string proto) => SecureRtpProtos.Contains(proto) ? null
        : $"the protocol {proto} has no DTLS-SRTP; WebRTC media needs UDP/TLS/RTP/SAVPF (RFC 8829 §5.1.2, RFC 8827 §6.5)";

    // Reads one audio/video m-section. Never throws on malformed attributes: they are skipped.
    public static JsepRemoteMediaSection Read(SdpSessionDescription sdp, int index)
    {
        var m = sdp.Media[index];
        var kind = KindOf(m);
        var rtpMaps = new Dictionary<int, SdpRtpMap>();
        foreach (var r in m.RtpMaps) { rtpMaps.TryAdd(r.PayloadType, r); }
        var fmtps = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in m.Fmtps) { fmtps.TryAdd(f.Format, f.Parameters); }
        var feedbacks = m.RtcpFeedbacks;

        var codecs = new List<JsepCodec>();
        var auxiliary = new List<JsepCodec>();
        var rtx = new List<JsepCodec>();
        var seen = new HashSet<int>();
        foreach (var format in m.Formats)
        {
            if (!SdpValueParser.TryParsePayloadType(format, out var pt) || !seen.Add(pt)) { continue; }
            SdpRtpMap? map = rtpMaps.TryGetValue(pt, out var r) ? r : StaticRtpMap(kind, pt);
            if (map is null) { continue; }
            var channels = kind == CodecKind.Audio ? map.Channels ?? 1 : 0;
            var ptText = pt.ToString(CultureInfo.InvariantCulture);
            var feedback = feedbacks.Where(f => f.PayloadType == ptText || f.PayloadType == "*")
                .Select(f => new RtcpFeedback(f.Type, f.Parameter)).Distinct().ToArray();
            var codec = new JsepCodec(pt, map.EncodingName, map.ClockRate, channels, fmtps.GetValueOrDefault(ptText), feedback);
            if (string.Equals(map.EncodingName, "rtx", StringComparison.OrdinalIgnoreCase)) { rtx.Add(codec); }
            else if (AuxiliaryNames.Contains(map.EncodingName)) { auxiliary.Add(codec); }
            else { codecs.Add(codec); }
        }
        // RFC 4588 §8.6: a=fmtp:<rtx> apt=<pt> names the repaired codec.
        foreach (var x in rtx)
        {
            var apt = JsepMedia.FmtpParameters(x.Fmtp).TryGetValue("apt", out var a) && SdpValueParser.TryParsePayloadType(a, out var n) ? n : -1;
            var i = codecs.FindIndex(c => c.PayloadType == apt);
            if (i >= 0 && codecs[i].RtxPayloadType is null && codecs[i].ClockRate == x.ClockRate) { codecs[i] = codecs[i] with { RtxPayloadType = x.PayloadType }; }
            else { auxiliary.Add(x); }
        }

        var extensions = new List<JsepHeaderExtension>();
        foreach (var e in m.ExtMaps)
        {
            if (extensions.All(x => x.Id != e.Id)) { extensions.Add(new JsepHeaderExtension(e.Id, e.Uri)); }
        }

        // RFC 5576: ssrc-group:FID <primary> <rtx>; the primaries are every other a=ssrc.
        var rtxSsrcs = new Dictionary<uint, uint>();
        var secondaries = new HashSet<uint>();
        foreach (var g in m.SsrcGroups)
        {
            if (g.Ssrcs.Count < 2) { continue; }
            if (g.Semantics == "FID") { rtxSsrcs.TryAdd(g.Ssrcs[0], g.Ssrcs[1]); }
            if (g.Semantics is "FID" or "FEC-FR") { secondaries.Add(g.Ssrcs[1]); }
        }
        var ssrcLines = m.Ssrcs;
        var primaries = ssrcLines.Select(s => s.Ssrc).Concat(rtxSsrcs.Keys).Distinct().Where(s => !secondaries.Contains(s)).ToArray();
        var cname = ssrcLines.FirstOrDefault(s => s.Attribute == "cname" && !string.IsNullOrEmpty(s.Value))?.Value;

        // RFC 8830: a=msid:<stream> <track>; older stacks only have a=ssrc:<ssrc> msid:<stream> <track>.
        var msids = m.Msids.ToList();
        if (msids.Count == 0)
        {
            foreach (var s in ssrcLines.Where(s => s.Attribute == "msid"))
            {
                if (SdpMsid.TryParse(s.Value, out var msid)) { msids.Add(msid); }
            }
        }
        var streams = msids.Select(x => x.StreamId).Where(x => x != "-").Distinct(StringComparer.Ordinal).ToArray();

        return new JsepRemoteMediaSection(index, m.Mid, kind)
        {
            IsRejected = m.IsRejected,
            Proto = m.Proto,
            UnusableReason = m.IsRejected ? null : WhyUnusable(m, codecs),
            Direction = m.Direction ?? SessionDirection(sdp) ?? SdpDirection.SendRecv,
            Codecs = codecs,
            AuxiliaryCodecs = auxiliary,
            HeaderExtensions = extensions,
            ExtMapAllowMixed = m.ExtMapAllowMixed || sdp.Attributes.Contains("extmap-allow-mixed"),
            StreamIds = streams,
            TrackId = msids.Select(x => x.TrackId).FirstOrDefault(t => t is not null),
            Ssrcs = primaries,
            RtxSsrcs = rtxSsrcs,
            Cname = cname,
            RtcpMux = m.RtcpMux,
            RtcpRsize = m.RtcpRsize,
        };
    }

    // The formats a section lists: each codec's payload type, then its RTX partner, as Chromium writes them.
    public static IEnumerable<string> Formats(JsepMediaSection section)
    {
        foreach (var c in section.Codecs)
        {
            yield return c.PayloadType.ToString(CultureInfo.InvariantCulture);
            if (c.RtxPayloadType is { } r) { yield return r.ToString(CultureInfo.InvariantCulture); }
        }
    }

    // Checks what a section must hold before it is written.
    public static void Validate(JsepMediaSection section)
    {
        if (section.Codecs.Count == 0) { throw new ArgumentException($"The {section.Kind} section '{section.Mid}' has no codec; reject it instead (null in the answer plan).", nameof(section)); }
        var pts = new HashSet<int>();
        foreach (var c in section.Codecs)
        {
            ArgumentNullException.ThrowIfNull(c, nameof(section));
            if (!pts.Add(c.PayloadType) || (c.RtxPayloadType is { } r && !pts.Add(r)))
            {
                throw new ArgumentException($"The {section.Kind} section '{section.Mid}' uses payload type {c.PayloadType} (or its RTX) twice.", nameof(section));
            }
            if (c.PayloadType is < 0 or > 127 || c.RtxPayloadType is < 0 or > 127) { throw new ArgumentException($"Payload type {c.PayloadType} is outside 0-127.", nameof(section)); }
            if (!SdpText.IsField(c.Name) || c.Name.Contains('/', StringComparison.Ordinal)) { throw new ArgumentException($"'{c.Name}' is not an encoding name.", nameof(section)); }
        }
        foreach (var e in section.HeaderExtensions)
        {
            if (e.Id is < 1 or > 255 || !SdpText.IsField(e.Uri)) { throw new ArgumentException($"The header extension {e.Id} {e.Uri} is not valid (RFC 8285 §7: id 1-255).", nameof(section)); }
        }
        if (section.TrackId is { } t && (!SdpText.IsField(t) || section.StreamIds.Any(s => !SdpText.IsField(s))))
        {
            throw new ArgumentException("Stream and track ids must be non-empty and hold no whitespace (RFC 8830 §2).", nameof(section));
        }
        if (section.Ssrc is not null && !SdpText.IsField(section.Cname))
        {
            throw new ArgumentException($"The sending {section.Kind} section '{section.Mid}' needs a CNAME for its a=ssrc lines (RFC 7022).", nameof(section));
        }
    }

    // The attributes after a=mid, in Chromium's order: extmap, direction, msid, rtcp-mux, rtcp-rsize,
    // rtpmap/rtcp-fb/fmtp per payload type (RTX after its codec), ssrc-group, ssrc.
    public static void WriteMediaAttributes(SdpMediaDescription m, JsepMediaSection section)
    {
        foreach (var e in section.HeaderExtensions) { m.Attributes.Add("extmap", new SdpExtMap(e.Id, null, e.Uri).ToString()); }
        m.Attributes.Add(SdpValueParser.DirectionName(section.Direction));
        var msids = MsidValues(section);
        foreach (var msid in msids) { m.Attributes.Add("msid", msid); }
        m.Attributes.Add("rtcp-mux");
        if (section.RtcpRsize) { m.Attributes.Add("rtcp-rsize"); }
        foreach (var c in section.Codecs)
        {
            var pt = c.PayloadType.ToString(CultureInfo.InvariantCulture);
            m.Attributes.Add("rtpmap", pt + " " + c.RtpMap);
            foreach (var f in c.Feedback) { m.Attributes.Add("rtcp-fb", pt + " " + f); }
            if (!string.IsNullOrEmpty(c.Fmtp)) { m.Attributes.Add("fmtp", pt + " " + c.Fmtp); }
            if (c.RtxPayloadType is { } r)
            {
                var rtx = r.ToString(CultureInfo.InvariantCulture);
                m.Attributes.Add("rtpmap", rtx + " rtx/" + c.ClockRate.ToString(CultureInfo.InvariantCulture));
                m.Attributes.Add("fmtp", rtx + " apt=" + pt);
            }
        }
        if (section.Ssrc is not { } ssrc) { return; }
        var ssrcs = section.RtxSsrc is { } rtxSsrc && rtxSsrc != ssrc && section.Codecs.Any(c => c.RtxPayloadType is not null) ? new[] { ssrc, rtxSsrc } : [ssrc];
        if (ssrcs.Length == 2) { m.Attributes.Add("ssrc-group", new SdpSsrcGroup("FID", ssrcs).ToString()); }
        foreach (var s in ssrcs)
        {
            m.Attributes.Add("ssrc", new SdpSsrc(s, "cname", section.Cname).ToString());
            foreach (var msid in msids) { m.Attributes.Add("ssrc", new SdpSsrc(s, "msid", msid).ToString()); }
        }
    }

    // RFC 8829 §5.2.1: one a=msid per stream, "-" for a track in none.
    private static IEnumerable<string> MsidValues(JsepMediaSection section) =>
        section.TrackId is not { } track ? []
        : section.StreamIds.Count == 0 ? ["- " + track]
        : section.StreamIds.Distinct(StringComparer.Ordinal).Select(s => s + " " + track).ToArray();

    // RFC 3551 §6: the static payload types WebRTC stacks still use without an rtpmap.
    private static SdpRtpMap? StaticRtpMap(CodecKind kind, int pt) => kind != CodecKind.Audio ? null : pt switch
    {
        0 => new SdpRtpMap(0, "PCMU", 8000, 1),
        8 => new SdpRtpMap(8, "PCMA", 8000, 1),
        9 => new SdpRtpMap(9, "G722", 8000, 1),
        _ => null,
    };

    // A session-level direction attribute (RFC 8866 §6.7) applies to sections without their own.
    private static SdpDirection? SessionDirection(SdpSessionDescription sdp)
    {
        foreach (var a in sdp.Attributes)
        {
            if (a.IsFlag && SdpValueParser.ParseDirection(a.Name) is { } d) { return d; }
        }
        return null;
    }
}
