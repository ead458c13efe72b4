using WebRtc.Client.Codecs;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Sdp;

namespace WebRtc.Client.Jsep;

/// <summary>One m-section of a remote description, as the peer connection sees it.</summary>
/// <param name="MLineIndex">The zero-based m-line index.</param>
/// <param name="Mid">The <c>a=mid</c>, or null.</param>
/// <param name="Media">The media type (<c>audio</c>, <c>video</c>, <c>application</c>).</param>
/// <param name="Proto">The transport protocol.</param>
/// <param name="IsRejected">Port 0 without <c>a=bundle-only</c> (RFC 8843 §7.3).</param>
/// <param name="IsDataChannel">A data-channel section in any form (<see cref="SdpMediaDescription.IsDataChannel"/>).</param>
public sealed record JsepRemoteSection(int MLineIndex, string? Mid, string Media, string Proto, bool IsRejected, bool IsDataChannel)
{
    /// <summary>Why this library does not use the section (rejected by the remote side, unsupported media ...), or null when it does.</summary>
    public string? UnusedReason { get; init; }

    /// <summary>Whether this library uses the section (<see cref="UnusedReason"/> is null).</summary>
    public bool IsUsed => UnusedReason is null;
}

/// <summary>The remote data-channel section: where it is and its SCTP parameters (RFC 8841).</summary>
/// <param name="MLineIndex">The zero-based m-line index.</param>
/// <param name="Mid">The <c>a=mid</c>, or null.</param>
/// <param name="SctpPort">The remote <c>a=sctp-port</c> (the m-line format in the draft-05 form); 5000 when absent (RFC 8841 §5.2).</param>
/// <param name="MaxMessageSize">The remote <c>a=max-message-size</c>; 65536 when absent, 0 for no limit (RFC 8841 §6.1).</param>
public sealed record JsepRemoteDataSection(int MLineIndex, string? Mid, int SctpPort, long MaxMessageSize)
{
    /// <summary>
    /// Whether the section has the draft-ietf-mmusic-sctp-sdp-05 form (<c>DTLS/SCTP 5000</c> with <c>a=sctpmap</c>,
    /// <see cref="SdpMediaDescription.IsLegacyDataChannel"/>); an answer to it uses that form too.
    /// </summary>
    public bool IsLegacyForm { get; init; }
}

/// <summary>What a remote offer or answer says about one audio or video m-section (RFC 8829 §5.7, §5.8).</summary>
/// <param name="MLineIndex">The zero-based m-line index.</param>
/// <param name="Mid">The <c>a=mid</c>, or null.</param>
/// <param name="Kind">Audio or video.</param>
public sealed record JsepRemoteMediaSection(int MLineIndex, string? Mid, CodecKind Kind)
{
    /// <summary>Port 0 without <c>a=bundle-only</c> (RFC 8843 §7.3, RFC 3264 §6).</summary>
    public bool IsRejected { get; init; }

    /// <summary>The transport protocol (<c>UDP/TLS/RTP/SAVPF</c>).</summary>
    public string Proto { get; init; } = "UDP/TLS/RTP/SAVPF";

    /// <summary>Why this library cannot use the section (a protocol without DTLS-SRTP ...), or null when it can.</summary>
    public string? UnusableReason { get; init; }

    /// <summary>The direction attribute; an absent one reads as sendrecv (RFC 3264 §5.1).</summary>
    public SdpDirection Direction { get; init; }

    /// <summary>
    /// The codecs in the remote's m-line order, with each RTX folded into <see cref="JsepCodec.RtxPayloadType"/>.
    /// red, ulpfec, flexfec, CN and telephone-event are not here but in <see cref="AuxiliaryCodecs"/>.
    /// </summary>
    public IReadOnlyList<JsepCodec> Codecs { get; init; } = [];

    /// <summary>The formats that are not media codecs (red, ulpfec, flexfec-03, CN, telephone-event), and RTX whose apt names no codec.</summary>
    public IReadOnlyList<JsepCodec> AuxiliaryCodecs { get; init; } = [];

    /// <summary>The header extensions (<c>a=extmap</c>).</summary>
    public IReadOnlyList<JsepHeaderExtension> HeaderExtensions { get; init; } = [];

    /// <summary>Whether <c>a=extmap-allow-mixed</c> is present at media or session level (RFC 8285 §6).</summary>
    public bool ExtMapAllowMixed { get; init; }

    /// <summary>The stream ids of the <c>a=msid</c> lines (or of <c>a=ssrc:... msid:</c> when there are none); <c>-</c> is left out.</summary>
    public IReadOnlyList<string> StreamIds { get; init; } = [];

    /// <summary>The track id of the first <c>a=msid</c> (or <c>a=ssrc:... msid:</c>), or null.</summary>
    public string? TrackId { get; init; }

    /// <summary>The primary SSRCs: the first of each <c>a=ssrc-group:FID</c>, and every <c>a=ssrc</c> in no FID group.</summary>
    public IReadOnlyList<uint> Ssrcs { get; init; } = [];

    /// <summary>Primary SSRC to RTX SSRC, from <c>a=ssrc-group:FID</c> (RFC 4588 §8.6, RFC 5576 §4.2).</summary>
    public IReadOnlyDictionary<uint, uint> RtxSsrcs { get; init; } = new Dictionary<uint, uint>();

    /// <summary>The <c>cname</c> of the first <c>a=ssrc</c> that has one, or null.</summary>
    public string? Cname { get; init; }

    /// <summary>Whether <c>a=rtcp-mux</c> is present (RFC 5761 §5.1.1).</summary>
    public bool RtcpMux { get; init; }

    /// <summary>Whether <c>a=rtcp-rsize</c> is present (RFC 5506 §5).</summary>
    public bool RtcpRsize { get; init; }

    /// <summary>Whether the section can be used: not rejected and <see cref="UnusableReason"/> is null.</summary>
    public bool IsUsable => !IsRejected && UnusableReason is null;
}

/// <summary>
/// What the transports need from a remote offer or answer, read and checked by <see cref="JsepReader"/>:
/// the ICE parameters and candidates of the transport section (the BUNDLE tag), the DTLS
/// fingerprints and roles, and the data section.
/// </summary>
public sealed class JsepRemoteDescription
{
    internal JsepRemoteDescription(SdpSessionDescription sdp, bool isOffer)
    {
        Sdp = sdp;
        IsOffer = isOffer;
    }

    /// <summary>The parsed description.</summary>
    public SdpSessionDescription Sdp { get; }

    /// <summary>Whether the description is an offer (else an answer).</summary>
    public bool IsOffer { get; }

    /// <summary>Every m-section in order.</summary>
    public required IReadOnlyList<JsepRemoteSection> Sections { get; init; }

    /// <summary>The mids of the BUNDLE group (RFC 8843), or empty.</summary>
    public required IReadOnlyList<string> BundleMids { get; init; }

    /// <summary>The index of the section whose ICE/DTLS parameters and candidates are used: the BUNDLE tag (RFC 8843 §7).</summary>
    public required int TransportMLineIndex { get; init; }

    /// <summary>The mid of the transport section, or null.</summary>
    public required string? TransportMid { get; init; }

    /// <summary>The remote ICE ufrag and password (RFC 8839 §5.4).</summary>
    public required IceCredentials IceCredentials { get; init; }

    /// <summary>Whether the remote is ICE lite (session-level <c>a=ice-lite</c>, RFC 8839 §5.3); we are then controlling.</summary>
    public required bool IceLite { get; init; }

    /// <summary>Whether the remote supports trickle ICE (<c>a=ice-options:trickle</c>, RFC 8840 §6).</summary>
    public required bool Trickle { get; init; }

    /// <summary>The remote certificate fingerprints with an algorithm this library verifies (RFC 8122 §5); never empty.</summary>
    public required IReadOnlyList<RTCDtlsFingerprint> Fingerprints { get; init; }

    /// <summary>The remote's <c>a=setup</c> (an absent one reads as actpass in an offer and active in an answer).</summary>
    public required DtlsSetup RemoteSetup { get; init; }

    /// <summary>Our <c>a=setup</c>: for a remote offer, what our answer says (<see cref="JsepBuilder.AnswerSetup"/>); for a remote answer, what our offer said.</summary>
    public required DtlsSetup LocalSetup { get; init; }

    /// <summary>Our DTLS role, by <see cref="DtlsTransport.ResolveRole"/> (offerer actpass + answerer active ⇒ the answerer is client).</summary>
    public required DtlsRole LocalDtlsRole { get; init; }

    /// <summary>The candidates of the transport section, tagged with its mid, index and the remote ufrag.</summary>
    public required IReadOnlyList<RTCIceCandidate> Candidates { get; init; }

    /// <summary>Whether the remote signalled end-of-candidates in the transport section or at session level (RFC 8840 §8.2).</summary>
    public required bool EndOfCandidates { get; init; }

    /// <summary>The accepted data-channel section, or null when there is none.</summary>
    public required JsepRemoteDataSection? DataSection { get; init; }

    /// <summary>Every audio and video m-section, rejected ones included, in m-line order.</summary>
    public IReadOnlyList<JsepRemoteMediaSection> MediaSections { get; init; } = [];
}
