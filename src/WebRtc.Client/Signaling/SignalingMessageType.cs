namespace WebRtc.Client.Signaling;

/// <summary>
/// The kind of a <see cref="SignalingMessage"/>, written as the JSON <c>type</c> field. The first
/// four are the W3C <c>RTCSdpType</c> values, in the same order.
/// </summary>
public enum SignalingMessageType
{
    /// <summary>An SDP offer: <c>{"type":"offer","sdp":"..."}</c>.</summary>
    Offer,

    /// <summary>A provisional SDP answer: <c>{"type":"pranswer","sdp":"..."}</c>.</summary>
    Pranswer,

    /// <summary>A final SDP answer: <c>{"type":"answer","sdp":"..."}</c>.</summary>
    Answer,

    /// <summary>A rollback of a pending offer: <c>{"type":"rollback"}</c> (an <c>sdp</c> field is ignored).</summary>
    Rollback,

    /// <summary>
    /// A trickled ICE candidate: <c>{"type":"candidate","candidate":"candidate:...","sdpMid":"0","sdpMLineIndex":0}</c>;
    /// an empty or null <c>candidate</c> means end-of-candidates.
    /// </summary>
    Candidate,

    /// <summary>Hang-up: <c>{"type":"bye"}</c>. It does not close the channel; the application decides what to do.</summary>
    Bye,
}
