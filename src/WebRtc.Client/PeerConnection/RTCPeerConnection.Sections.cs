using Microsoft.Extensions.Logging;
using WebRtc.Client.Sctp;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;

namespace WebRtc.Client;

// Remote m-sections this connection does not use: the Debug log of each, and an answer that rejects our data section.
public sealed partial class RTCPeerConnection
{
    // Every m-section of a remote description that is not used, and why: an offer's are rejected in our
    // answer (RFC 8829 §5.3.1), an answer's are dropped.
    private void LogUnusedSections(SdpSessionDescription sdp, string kind)
    {
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var fate = kind == "offer" ? "rejected in our answer" : "not used";
        foreach (var section in JsepReader.ClassifySections(sdp))
        {
            if (section.UnusedReason is { } reason)
            {
                _logger.LogDebug("Remote {Kind} m-line {Index} ({Media} {Proto}, mid {Mid}) {Fate}: {Reason}",
                    kind, section.MLineIndex, section.Media, section.Proto, section.Mid ?? "none", fate, reason);
            }
        }
    }

    // RFC 3264 §6: an answerer may reject any offered m-section, and the answer is still valid. libwebrtc
    // applies it and destroys the data channel transport with an OperationError ("Rejected data channel
    // transport with mid=..."), so the channels close with an error instead of waiting for ever; the same
    // here. Failing SetRemoteDescription instead would leave us in have-local-offer with nothing to retry.
    private void ApplyAnswerWithoutDataSection(RTCSessionDescription description, SdpSessionDescription localOffer, bool final,
        OperationErrorException rejected)
    {
        var mid = localOffer.Media.FirstOrDefault(m => m.IsDataChannel)?.Mid ?? _n.DataMid;
        _logger.LogDebug("The remote {Type} accepts no data-channel m-section (ours has mid {Mid}): {Reason}", description.TypeName, mid, rejected.Message);
        if (!final)
        {
            // A provisional answer may be followed by a final one that accepts: the channels keep waiting.
            lock (_gate)
            {
                _n.PendingRemote = null;
                _n.PendingRemoteText = description;
            }

            SetSignalingState(RTCSignalingState.HaveRemotePranswer);
            return;
        }

        SctpTransport? sctp;
        lock (_gate)
        {
            _n.CommitAnswerToOurOffer(null, description, localOffer);
            // The channels that asked for the data section close now; offering it again would only loop.
            _negotiationNeeded = false;
            sctp = _sctp;
        }

        _channels.CloseAll(new OperationErrorException($"The remote answer rejected the data-channel m-section (mid {mid}).", rejected));
        sctp?.Abort("the remote answer rejected the data-channel m-section");
        SetSignalingState(RTCSignalingState.Stable);
    }
}
