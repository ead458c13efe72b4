using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;

namespace WebRtc.Client;

/// <summary>
/// The JSEP negotiation state of one peer connection (RFC 8829 §3.5, W3C "pending/current descriptions"):
/// the local and remote descriptions, pending and current; the m-line layout they gave (which slot holds
/// which transceiver or the data section); the mids handed out; where candidates are announced. The peer
/// connection's operations chain and its lock serialize every change; this type holds no transports.
/// </summary>
internal sealed class NegotiationState(string defaultMid)
{
    /// <summary>The marker for the data section in <see cref="Layout"/>.</summary>
    public static readonly object DataSlot = new();

    public SdpSessionDescription? PendingLocal;
    public SdpSessionDescription? CurrentLocal;
    public RTCSdpType PendingLocalType;
    public RTCSdpType CurrentLocalType;
    public JsepRemoteDescription? PendingRemote;
    public JsepRemoteDescription? CurrentRemote;
    public RTCSessionDescription? PendingRemoteText;
    public RTCSessionDescription? CurrentRemoteText;

    /// <summary>The m-line layout of the last completed negotiation: a transceiver, <see cref="DataSlot"/>, or null for an m-line we do not use.</summary>
    public List<object?> Layout = new();

    /// <summary>The layout of the offer in flight (ours or the remote's), made current when the answer is applied.</summary>
    public List<object?>? OfferedLayout;

    /// <summary>The data section's mid, and whether it was handed out (or taken from a remote offer).</summary>
    public string DataMid = defaultMid;
    public bool DataMidAssigned;

    /// <summary>Where the data section sits in the last description.</summary>
    public int DataMLineIndex;

    /// <summary>A data channel asked for the data section; the remote answer rejected it.</summary>
    public bool DataRequested;
    public bool DataRejected;

    /// <summary>The BUNDLE tag of our description: candidate events name it by mid and by index, and a peer may read either.</summary>
    public string CandidateMid = defaultMid;
    public int CandidateMLineIndex;

    /// <summary>Whether the last completed negotiation has a data section.</summary>
    public bool HasNegotiatedDataSection => CurrentRemote?.DataSection is not null;

    /// <summary>The smallest numeric mid that neither a transceiver nor the data section uses.</summary>
    public string NewMid(IEnumerable<string?> transceiverMids)
    {
        var used = new HashSet<string>(transceiverMids.OfType<string>(), StringComparer.Ordinal);
        if (DataMidAssigned)
        {
            used.Add(DataMid);
        }

        for (int i = 0; ; i++)
        {
            var mid = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!used.Contains(mid))
            {
                return mid;
            }
        }
    }

    /// <summary>A final answer to our offer makes both descriptions current (JSEP §5.10); null remote when it accepts no data section.</summary>
    public void CommitAnswerToOurOffer(JsepRemoteDescription? remote, RTCSessionDescription description, SdpSessionDescription localOffer)
    {
        CurrentRemote = remote;
        CurrentRemoteText = description;
        CurrentLocal = localOffer;
        CurrentLocalType = RTCSdpType.Offer;
        PendingLocal = null;
        PendingRemote = null;
        PendingRemoteText = null;
    }

    /// <summary>Our final answer makes the remote offer and it current.</summary>
    public JsepRemoteDescription? CommitOurAnswer(SdpSessionDescription answer)
    {
        var answered = PendingRemote;
        CurrentLocal = answer;
        CurrentLocalType = RTCSdpType.Answer;
        CurrentRemote = PendingRemote;
        CurrentRemoteText = PendingRemoteText;
        PendingLocal = null;
        PendingRemote = null;
        PendingRemoteText = null;
        return answered;
    }

    /// <summary>W3C rollback: the pending descriptions and the offered layout are dropped.</summary>
    public void DropPending()
    {
        PendingLocal = null;
        PendingRemote = null;
        PendingRemoteText = null;
        OfferedLayout = null;
    }
}
