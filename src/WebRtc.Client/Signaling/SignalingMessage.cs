using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Signaling;

/// <summary>
/// One signaling message in the JSON shapes browser apps use, immutable:
/// <c>{"type":"offer","sdp":"..."}</c>, <c>{"type":"answer","sdp":"..."}</c>, <c>{"type":"pranswer","sdp":"..."}</c>,
/// <c>{"type":"rollback"}</c>, <c>{"type":"candidate","candidate":"candidate:...","sdpMid":"0","sdpMLineIndex":0}</c>
/// (an empty <c>candidate</c> is end-of-candidates) and <c>{"type":"bye"}</c>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ToJson"/> writes the camelCase names above, leaves out null fields and adds
/// <c>usernameFragment</c> to a candidate when it has one. <see cref="Parse(string)"/> is lenient
/// where browser apps differ: unknown fields are ignored, a candidate may also come nested as
/// <c>{"type":"candidate","candidate":{"candidate":"...","sdpMid":"0","sdpMLineIndex":0}}</c>
/// (what <c>JSON.stringify({type, candidate: e.candidate})</c> gives), a null or missing
/// <c>candidate</c> is end-of-candidates, and <c>sdpMLineIndex</c> may be a numeric string.
/// The <c>type</c> values are case-sensitive, as in the W3C enums.
/// </para>
/// <para>
/// The candidate string is carried as is: its grammar is checked when it reaches
/// <see cref="RTCIceCandidate.FromInit"/> (the peer connection), not here. <see cref="ToString"/>
/// never shows SDP, which holds the ICE password.
/// </para>
/// </remarks>
public sealed class SignalingMessage : IEquatable<SignalingMessage>
{
    private SignalingMessage(SignalingMessageType type, string? sdp = null, string? candidate = null,
        string? sdpMid = null, int? sdpMLineIndex = null, string? usernameFragment = null)
    {
        Type = type;
        Sdp = sdp;
        CandidateString = candidate;
        SdpMid = sdpMid;
        SdpMLineIndex = sdpMLineIndex;
        UsernameFragment = usernameFragment;
    }

    /// <summary>The kind of message.</summary>
    public SignalingMessageType Type { get; }

    /// <summary>The session description of an offer, pranswer or answer; null for the other types.</summary>
    public string? Sdp { get; }

    /// <summary>
    /// The candidate attribute (<c>candidate:...</c>) of a <see cref="SignalingMessageType.Candidate"/> message,
    /// empty for end-of-candidates; null for the other types.
    /// </summary>
    public string? CandidateString { get; }

    /// <summary>The media stream identification tag of a candidate's m-line, or null.</summary>
    public string? SdpMid { get; }

    /// <summary>The zero-based index of a candidate's m-line (0 to 65535), or null.</summary>
    public int? SdpMLineIndex { get; }

    /// <summary>The ICE username fragment a candidate belongs to, or null.</summary>
    public string? UsernameFragment { get; }

    /// <summary>Whether this is an offer, pranswer or answer (it carries <see cref="Sdp"/>).</summary>
    public bool IsDescription => Type is SignalingMessageType.Offer or SignalingMessageType.Pranswer or SignalingMessageType.Answer;

    /// <summary>Whether this is a candidate message with an empty candidate: the remote has no more candidates (for <see cref="SdpMid"/>, or for all m-lines when both location fields are null).</summary>
    public bool IsEndOfCandidates => Type == SignalingMessageType.Candidate && string.IsNullOrEmpty(CandidateString);

    /// <summary>Creates an offer.</summary>
    /// <param name="sdp">The offer's SDP.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentException"><paramref name="sdp"/> is null or empty.</exception>
    public static SignalingMessage Offer(string sdp) => Description(SignalingMessageType.Offer, sdp);

    /// <summary>Creates a provisional answer.</summary>
    /// <param name="sdp">The answer's SDP.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentException"><paramref name="sdp"/> is null or empty.</exception>
    public static SignalingMessage Pranswer(string sdp) => Description(SignalingMessageType.Pranswer, sdp);

    /// <summary>Creates an answer.</summary>
    /// <param name="sdp">The answer's SDP.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentException"><paramref name="sdp"/> is null or empty.</exception>
    public static SignalingMessage Answer(string sdp) => Description(SignalingMessageType.Answer, sdp);

    /// <summary>Creates an offer, pranswer or answer from its type, for example one mapped from a session description's type.</summary>
    /// <param name="type"><see cref="SignalingMessageType.Offer"/>, <see cref="SignalingMessageType.Pranswer"/> or <see cref="SignalingMessageType.Answer"/>.</param>
    /// <param name="sdp">The SDP.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a description type, or <paramref name="sdp"/> is null or empty.</exception>
    public static SignalingMessage Description(SignalingMessageType type, string sdp)
    {
        if (type is not (SignalingMessageType.Offer or SignalingMessageType.Pranswer or SignalingMessageType.Answer))
        {
            throw new ArgumentException($"{type} is not an offer, pranswer or answer.", nameof(type));
        }

        ArgumentException.ThrowIfNullOrEmpty(sdp);
        return new(type, sdp: sdp);
    }

    /// <summary>Creates a rollback: <c>{"type":"rollback"}</c>.</summary>
    /// <returns>The message.</returns>
    public static SignalingMessage Rollback() => new(SignalingMessageType.Rollback);

    /// <summary>Creates a hang-up: <c>{"type":"bye"}</c>.</summary>
    /// <returns>The message.</returns>
    public static SignalingMessage Bye() => new(SignalingMessageType.Bye);

    /// <summary>Creates a candidate message. An empty <paramref name="candidate"/> is end-of-candidates, as in browsers.</summary>
    /// <param name="candidate">The candidate attribute, such as <c>candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host</c>.</param>
    /// <param name="sdpMid">The m-line's mid, or null.</param>
    /// <param name="sdpMLineIndex">The m-line's zero-based index, or null.</param>
    /// <param name="usernameFragment">The ICE ufrag, or null.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="candidate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sdpMLineIndex"/> is not 0 to 65535.</exception>
    public static SignalingMessage Candidate(string candidate, string? sdpMid, int? sdpMLineIndex, string? usernameFragment = null)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        CheckIndex(sdpMLineIndex);
        return new(SignalingMessageType.Candidate, candidate: candidate, sdpMid: sdpMid, sdpMLineIndex: sdpMLineIndex, usernameFragment: usernameFragment);
    }

    /// <summary>Creates a candidate message from the W3C init dictionary (<see cref="RTCIceCandidate.ToJson"/>).</summary>
    /// <param name="init">The init dictionary; an empty candidate is end-of-candidates.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="init"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The m-line index is not 0 to 65535.</exception>
    public static SignalingMessage Candidate(RTCIceCandidateInit init)
    {
        ArgumentNullException.ThrowIfNull(init);
        return Candidate(init.Candidate ?? "", init.SdpMid, init.SdpMLineIndex, init.UsernameFragment);
    }

    /// <summary>Creates a candidate message from a candidate.</summary>
    /// <param name="candidate">The candidate.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="candidate"/> is null.</exception>
    public static SignalingMessage Candidate(RTCIceCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return Candidate(candidate.ToJson());
    }

    /// <summary>Creates an end-of-candidates message: a candidate message with an empty candidate, as browsers send.</summary>
    /// <param name="sdpMid">The m-line whose candidates are complete, or null.</param>
    /// <param name="sdpMLineIndex">That m-line's index, or null.</param>
    /// <param name="usernameFragment">The ICE ufrag, or null.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sdpMLineIndex"/> is not 0 to 65535.</exception>
    public static SignalingMessage EndOfCandidates(string? sdpMid = null, int? sdpMLineIndex = null, string? usernameFragment = null) =>
        Candidate("", sdpMid, sdpMLineIndex, usernameFragment);

    /// <summary>The W3C init dictionary of a candidate message, to pass to the peer connection.</summary>
    /// <returns>The init dictionary; its candidate is empty for end-of-candidates.</returns>
    /// <exception cref="InvalidOperationException">This is not a candidate message.</exception>
    public RTCIceCandidateInit ToCandidateInit() =>
        Type == SignalingMessageType.Candidate
            ? new RTCIceCandidateInit(CandidateString ?? "", SdpMid, SdpMLineIndex, UsernameFragment)
            : throw new InvalidOperationException($"A {TypeName(Type)} message has no candidate.");

    /// <summary>Writes the message as a compact JSON object.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(ToWire(), SignalingJsonContext.Wire.WireMessageOut);

    /// <summary>Writes the message as compact UTF-8 JSON, as it goes into a WebSocket text frame.</summary>
    /// <returns>The UTF-8 bytes.</returns>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(ToWire(), SignalingJsonContext.Wire.WireMessageOut);

    /// <summary>Parses a message from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="FormatException">The text is not JSON, not an object, has no or an unknown <c>type</c>, or lacks a field the type needs; the message says which.</exception>
    public static SignalingMessage Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return TryParseCore(() => JsonSerializer.Deserialize(json, SignalingJsonContext.Wire.WireMessageIn), out var message, out var error)
            ? message : throw new FormatException("Invalid signaling message: " + error);
    }

    /// <summary>Parses a message from UTF-8 JSON, such as the payload of a WebSocket text frame.</summary>
    /// <param name="utf8Json">The UTF-8 JSON.</param>
    /// <returns>The message.</returns>
    /// <exception cref="FormatException">The bytes are not UTF-8 JSON, not an object, have no or an unknown <c>type</c>, or lack a field the type needs.</exception>
    public static SignalingMessage Parse(ReadOnlySpan<byte> utf8Json) =>
        TryParse(utf8Json, out var message, out var error) ? message : throw new FormatException("Invalid signaling message: " + error);

    /// <summary>Tries to parse a message from JSON text; never throws.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="message">The message, or null on failure.</param>
    /// <returns><see langword="true"/> when the text is a valid message.</returns>
    public static bool TryParse([NotNullWhen(true)] string? json, [NotNullWhen(true)] out SignalingMessage? message)
    {
        if (json is null) { message = null; return false; }
        return TryParseCore(() => JsonSerializer.Deserialize(json, SignalingJsonContext.Wire.WireMessageIn), out message, out _);
    }

    /// <summary>Tries to parse a message from UTF-8 JSON; never throws.</summary>
    /// <param name="utf8Json">The UTF-8 JSON.</param>
    /// <param name="message">The message, or null on failure.</param>
    /// <param name="error">On failure, what is wrong; otherwise null.</param>
    /// <returns><see langword="true"/> when the bytes are a valid message.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out SignalingMessage? message, [NotNullWhen(false)] out string? error)
    {
        WireMessageIn? wire;
        try
        {
            wire = JsonSerializer.Deserialize(utf8Json, SignalingJsonContext.Wire.WireMessageIn);
        }
        catch (JsonException e)
        {
            message = null;
            error = JsonError(e);
            return false;
        }

        return TryConvert(wire, out message, out error);
    }

    /// <inheritdoc/>
    public bool Equals(SignalingMessage? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (Type == other.Type && Sdp == other.Sdp && CandidateString == other.CandidateString && SdpMid == other.SdpMid &&
             SdpMLineIndex == other.SdpMLineIndex && UsernameFragment == other.UsernameFragment));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SignalingMessage);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Sdp, CandidateString, SdpMid, SdpMLineIndex, UsernameFragment);

    /// <summary>A short description for logs; never includes SDP (which holds the ICE password).</summary>
    /// <returns>For example <c>offer (1234 chars of SDP)</c> or <c>candidate mid=0 candidate:1 1 udp ...</c>.</returns>
    public override string ToString() => Type switch
    {
        _ when IsDescription => $"{TypeName(Type)} ({Sdp!.Length} chars of SDP)",
        SignalingMessageType.Candidate when IsEndOfCandidates => $"end-of-candidates mid={SdpMid ?? "null"}",
        SignalingMessageType.Candidate => $"candidate mid={SdpMid ?? "null"} {CandidateString}",
        _ => TypeName(Type),
    };

    /// <summary>The JSON <c>type</c> string of a message type (<c>offer</c>, <c>pranswer</c>, <c>answer</c>, <c>rollback</c>, <c>candidate</c>, <c>bye</c>).</summary>
    /// <param name="type">The type.</param>
    /// <returns>The string.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not defined.</exception>
    public static string TypeName(SignalingMessageType type) => type switch
    {
        SignalingMessageType.Offer => "offer",
        SignalingMessageType.Pranswer => "pranswer",
        SignalingMessageType.Answer => "answer",
        SignalingMessageType.Rollback => "rollback",
        SignalingMessageType.Candidate => "candidate",
        SignalingMessageType.Bye => "bye",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown signaling message type."),
    };

    private static SignalingMessageType? TypeFromName(string name) => name switch
    {
        "offer" => SignalingMessageType.Offer,
        "pranswer" => SignalingMessageType.Pranswer,
        "answer" => SignalingMessageType.Answer,
        "rollback" => SignalingMessageType.Rollback,
        "candidate" => SignalingMessageType.Candidate,
        "bye" => SignalingMessageType.Bye,
        _ => null,
    };

    private WireMessageOut ToWire() => new()
    {
        Type = TypeName(Type),
        Sdp = Sdp,
        Candidate = CandidateString,
        SdpMid = SdpMid,
        SdpMLineIndex = SdpMLineIndex,
        UsernameFragment = UsernameFragment,
    };

    private static bool TryParseCore(Func<WireMessageIn?> deserialize, [NotNullWhen(true)] out SignalingMessage? message, [NotNullWhen(false)] out string? error)
    {
        WireMessageIn? wire;
        try
        {
            wire = deserialize();
        }
        catch (JsonException e)
        {
            message = null;
            error = JsonError(e);
            return false;
        }

        return TryConvert(wire, out message, out error);
    }

    private static string JsonError(JsonException e) =>
        e.Path is { } path ? $"not valid JSON or a field has the wrong kind of value at {path} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})" : "not valid JSON";

    private static bool TryConvert(WireMessageIn? wire, [NotNullWhen(true)] out SignalingMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (wire is null) { error = "the JSON is null, not an object"; return false; }
        if (wire.Type is null) { error = "the object has no \"type\" field"; return false; }
        if (TypeFromName(wire.Type) is not { } type) { error = $"unknown type \"{Shorten(wire.Type)}\""; return false; }

        switch (type)
        {
            case SignalingMessageType.Offer or SignalingMessageType.Pranswer or SignalingMessageType.Answer:
                if (string.IsNullOrEmpty(wire.Sdp)) { error = $"the {wire.Type} has no \"sdp\""; return false; }
                message = new(type, sdp: wire.Sdp);
                break;
            case SignalingMessageType.Candidate:
                return TryConvertCandidate(wire, out message, out error);
            default:
                message = new(type);
                break;
        }

        error = null;
        return true;
    }

    private static bool TryConvertCandidate(WireMessageIn wire, [NotNullWhen(true)] out SignalingMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        string candidate;
        string? mid = wire.SdpMid, ufrag = wire.UsernameFragment;
        int? index = wire.SdpMLineIndex;
        switch (wire.Candidate)
        {
            case null:
            case { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                candidate = "";
                break;
            case { ValueKind: JsonValueKind.String } element:
                candidate = element.GetString()!;
                break;
            case { ValueKind: JsonValueKind.Object } element:
                WireCandidate? nested;
                try
                {
                    nested = element.Deserialize(SignalingJsonContext.Wire.WireCandidate);
                }
                catch (JsonException e)
                {
                    error = "the nested \"candidate\" object: " + JsonError(e);
                    return false;
                }

                candidate = nested?.Candidate ?? "";
                mid = nested?.SdpMid ?? mid;
                index = nested?.SdpMLineIndex ?? index;
                ufrag = nested?.UsernameFragment ?? ufrag;
                break;
            default:
                error = $"\"candidate\" is a {wire.Candidate.Value.ValueKind}, not a string or object";
                return false;
        }

        if (index is < 0 or > 65535) { error = $"sdpMLineIndex {index} is out of range (0-65535)"; return false; }
        message = new(SignalingMessageType.Candidate, candidate: candidate, sdpMid: mid, sdpMLineIndex: index, usernameFragment: ufrag);
        error = null;
        return true;
    }

    private static void CheckIndex(int? sdpMLineIndex)
    {
        if (sdpMLineIndex is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(sdpMLineIndex), sdpMLineIndex, "The m-line index must be 0 to 65535.");
        }
    }

    private static string Shorten(string s) => s.Length <= 32 ? s : string.Concat(s.AsSpan(0, 29), "...");
}
