namespace WebRtc.Client.Codecs;

/// <summary>Whether a codec carries audio or video (the SDP media type).</summary>
public enum CodecKind
{
    /// <summary>An <c>m=audio</c> codec.</summary>
    Audio,

    /// <summary>An <c>m=video</c> codec.</summary>
    Video,
}
