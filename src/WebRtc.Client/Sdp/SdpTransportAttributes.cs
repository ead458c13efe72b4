using WebRtc.Client.Dtls;

namespace WebRtc.Client.Sdp;

// Readers of the ICE and DTLS attributes that may sit at session or media level.
internal static class SdpTransportAttributes
{
    public static IReadOnlyList<string> IceOptions(SdpAttributeList attributes)
    {
        var value = attributes.GetValue("ice-options");
        return value is null ? [] : value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    public static IReadOnlyList<RTCDtlsFingerprint> Fingerprints(SdpAttributeList attributes)
    {
        var list = new List<RTCDtlsFingerprint>();
        foreach (var a in attributes)
        {
            if (a.Name == "fingerprint" && RTCDtlsFingerprint.TryParse(a.Value, out var f) && f is not null) { list.Add(f); }
        }
        return list;
    }

    public static DtlsSetup? Setup(SdpAttributeList attributes) => ParseSetup(attributes.GetValue("setup"));

    // RFC 4145 §4: setup = "active" / "passive" / "actpass" / "holdconn"; holdconn has no DtlsSetup.
    public static DtlsSetup? ParseSetup(string? value) => value switch
    {
        "actpass" => DtlsSetup.ActPass,
        "active" => DtlsSetup.Active,
        "passive" => DtlsSetup.Passive,
        _ => null,
    };

    // The remote a=setup of an offer or answer, checked: RFC 8842 §5.2/§5.3, RFC 4145 §4.
    // Absent in an offer reads as actpass (older stacks omit it), absent in an answer as active (RFC 4145 §4 default).
    public static DtlsSetup ParseSetupOrThrow(string? value, bool isAnswer)
    {
        if (value is null) { return isAnswer ? DtlsSetup.Active : DtlsSetup.ActPass; }
        var setup = ParseSetup(value)
            ?? throw new InvalidAccessException($"The remote a=setup:{value} is not supported; WebRTC needs actpass, active or passive (RFC 8842 §5).");
        if (isAnswer && setup == DtlsSetup.ActPass)
        {
            throw new InvalidAccessException("The remote answer says a=setup:actpass; an answer must say active or passive (RFC 8842 §5.3).");
        }
        return setup;
    }

    public static string SetupName(DtlsSetup setup) => setup switch
    {
        DtlsSetup.Active => "active",
        DtlsSetup.Passive => "passive",
        _ => "actpass",
    };

    // Checks the values of the attributes this library reads; returns an error text or null.
    // Unknown attributes, and known ones whose value we only pass through, are not checked.
    public static string? Validate(SdpAttribute a) => a.Name switch
    {
        "mid" => SdpValueParser.IsToken(a.Value) ? null : "a=mid needs a token",
        "group" => SdpGroup.TryParse(a.Value, out _) ? null : "a=group needs <semantics> *(SP <mid>)",
        "setup" => a.Value is "active" or "passive" or "actpass" or "holdconn" ? null : "a=setup must be active, passive, actpass or holdconn",
        "sctp-port" => SdpText.TryParseInt(a.Value, out var p) && p <= 65535 ? null : "a=sctp-port needs a port number",
        "max-message-size" => SdpText.TryParseLong(a.Value, out _) ? null : "a=max-message-size needs a decimal size",
        "sctpmap" => SdpSctpMap.TryParse(a.Value, out _) ? null : "a=sctpmap needs <sctp port> <app> [<streams>]",
        "ice-ufrag" or "ice-pwd" => SdpText.IsField(a.Value) ? null : $"a={a.Name} needs a value without spaces",
        "fingerprint" => SdpValueParser.SplitFirst(a.Value ?? string.Empty, out _, out _) ? null : "a=fingerprint needs <hash-func> SP <fingerprint>",
        "rtpmap" => SdpRtpMap.TryParse(a.Value, out _) ? null : "a=rtpmap needs <pt> <encoding>/<clock rate>[/<channels>]",
        "fmtp" => SdpFmtp.TryParse(a.Value, out _) ? null : "a=fmtp needs <format> SP <parameters>",
        "rtcp-fb" => SdpRtcpFeedback.TryParse(a.Value, out _) ? null : "a=rtcp-fb needs <pt|*> <type> [<parameter>]",
        "extmap" => SdpExtMap.TryParse(a.Value, out _) ? null : "a=extmap needs <id>[/<direction>] <uri>",
        "ssrc" => SdpSsrc.TryParse(a.Value, out _) ? null : "a=ssrc needs <ssrc> <attribute>[:<value>]",
        "ssrc-group" => SdpSsrcGroup.TryParse(a.Value, out _) ? null : "a=ssrc-group needs <semantics> *(SP <ssrc>)",
        "msid" => SdpMsid.TryParse(a.Value, out _) ? null : "a=msid needs <stream id> [<track id>]",
        _ => null,
    };
}
