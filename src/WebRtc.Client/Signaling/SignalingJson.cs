using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WebRtc.Client.Signaling;

/// <summary>The JSON object of a signaling message as read: every field optional, <c>candidate</c> a string, null or object.</summary>
internal sealed class WireMessageIn
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("sdp")] public string? Sdp { get; set; }
    [JsonPropertyName("candidate")] public JsonElement? Candidate { get; set; }
    [JsonPropertyName("sdpMid")] public string? SdpMid { get; set; }
    [JsonPropertyName("sdpMLineIndex")] public int? SdpMLineIndex { get; set; }
    [JsonPropertyName("usernameFragment")] public string? UsernameFragment { get; set; }
}

/// <summary>A nested <c>RTCIceCandidateInit</c>, as apps that send <c>{type:"candidate", candidate: e.candidate}</c> produce.</summary>
internal sealed class WireCandidate
{
    [JsonPropertyName("candidate")] public string? Candidate { get; set; }
    [JsonPropertyName("sdpMid")] public string? SdpMid { get; set; }
    [JsonPropertyName("sdpMLineIndex")] public int? SdpMLineIndex { get; set; }
    [JsonPropertyName("usernameFragment")] public string? UsernameFragment { get; set; }
}

/// <summary>The JSON object of a signaling message as written; null fields are left out.</summary>
internal sealed class WireMessageOut
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("sdp")] public string? Sdp { get; set; }
    [JsonPropertyName("candidate")] public string? Candidate { get; set; }
    [JsonPropertyName("sdpMid")] public string? SdpMid { get; set; }
    [JsonPropertyName("sdpMLineIndex")] public int? SdpMLineIndex { get; set; }
    [JsonPropertyName("usernameFragment")] public string? UsernameFragment { get; set; }
}

/// <summary>Source-generated (reflection-free, trim-safe) serialization of the signaling wire types.</summary>
[JsonSerializable(typeof(WireMessageIn))]
[JsonSerializable(typeof(WireCandidate))]
[JsonSerializable(typeof(WireMessageOut))]
internal sealed partial class SignalingJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context used for signaling: nulls are not written, numbers may arrive as strings, and
    /// SDP is written without needless escapes (<c>+</c> stays <c>+</c>); control characters,
    /// quotes and backslashes are still escaped, so the output is valid JSON for any string.
    /// </summary>
    public static SignalingJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 16,
    });
}
