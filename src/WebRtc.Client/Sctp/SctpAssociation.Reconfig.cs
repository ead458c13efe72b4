using System.Buffers.Binary;

namespace WebRtc.Client.Sctp;

// Stream reset (RFC 6525), which closes WebRTC data channels (RFC 8831 §6.7).
public sealed partial class SctpAssociation
{
    private readonly SortedSet<ushort> _resetQueue = new();
    private readonly Queue<(uint Sequence, SctpReconfigResult Result)> _reconfigResponses = new();
    private uint _nextRequestSequence;
    private uint _peerNextRequestSequence;
    private SctpReconfigResult _lastIncomingResult = SctpReconfigResult.ErrorBadSequenceNumber;
    private ResetRequest? _outgoingRequest;
    private ResetRequest? _deferredIncoming;
    private bool _reconfigSendNow;
    private bool _reconfigRetransmit;
    private TimeSpan? _reconfigDeadline;

    /// <summary>
    /// Resets outgoing streams (RFC 6525 §5.1.2) once the messages already queued on them are
    /// sent; <see cref="SctpOutgoingStreamsResetEvent"/> reports completion. Further sends on
    /// them throw until then.
    /// </summary>
    public void ResetStreams(ReadOnlySpan<ushort> streams)
    {
        if (!IsEstablished || _closedForGood)
        {
            throw new InvalidOperationException($"Streams can only be reset on an established association (it is {_state}).");
        }

        if (!_peerSupportsReconfig)
        {
            throw new InvalidOperationException("The peer did not announce RE-CONFIG support (RFC 6525), so streams cannot be reset.");
        }

        QueueReset(streams);

        // Start at once when nothing is queued on them; an idle association sends no packet
        // that would otherwise give the request its chance.
        TryStartStreamReset(default);
    }

    private void QueueReset(ReadOnlySpan<ushort> streams)
    {
        foreach (ushort id in streams)
        {
            var stream = GetOutboundStream(id);
            if (!stream.ResetInFlight && !stream.ResetQueued)
            {
                stream.ResetQueued = true;
                _resetQueue.Add(id);
            }
        }
    }

    private void TryStartStreamReset(TimeSpan now)
    {
        if (_outgoingRequest is not null || _resetQueue.Count == 0)
        {
            return;
        }

        // A stream is reset only after its queued messages have their TSNs (§5.1.2: the
        // request names the last TSN, and the peer waits for everything up to it).
        List<ushort>? ready = null;
        foreach (ushort id in _resetQueue)
        {
            if (GetOutboundStream(id).QueuedMessages == 0)
            {
                (ready ??= new List<ushort>()).Add(id);
            }
        }

        if (ready is null)
        {
            return;
        }

        foreach (ushort id in ready)
        {
            _resetQueue.Remove(id);
            var stream = GetOutboundStream(id);
            stream.ResetQueued = false;
            stream.ResetInFlight = true;
        }

        _outgoingRequest = new ResetRequest(_nextRequestSequence, _nextTsn - 1, ready.ToArray());
        _reconfigSendNow = true;
        _ = now;
    }

    private void WriteReconfig(ref SctpPacketWriter w, TimeSpan now)
    {
        while (_reconfigResponses.TryPeek(out var response) && w.TryAddReconfigResponse(response.Sequence, response.Result))
        {
            _reconfigResponses.Dequeue();
        }

        if (_outgoingRequest is { } request && (_reconfigSendNow || _reconfigRetransmit)
            && w.TryAddOutgoingResetRequest(request.Sequence, _peerNextRequestSequence - 1, request.LastTsn, request.Streams))
        {
            _reconfigSendNow = false;
            _reconfigRetransmit = false;
            _reconfigDeadline = now + _rto;
        }
    }

    private void HandleReconfig(ReadOnlySpan<byte> value, TimeSpan now)
    {
        if (!IsEstablished)
        {
            return;
        }

        var parameters = SctpParameterEnumerator.Over(value);
        foreach (var p in parameters)
        {
            switch (p.Type)
            {
                case SctpParameterType.OutgoingSsnResetRequest when SctpStreamResetRequest.TryParse(p, out var request):
                    HandlePeerOutgoingReset(request);
                    break;
                case SctpParameterType.IncomingSsnResetRequest when SctpStreamResetRequest.TryParse(p, out var request):
                    // The peer asks us to reset our outgoing streams: do so with our own request.
                    var streams = new ushort[request.StreamCount];
                    for (int i = 0; i < streams.Length; i++)
                    {
                        streams[i] = request.GetStream(i);
                    }

                    bool acceptable = streams.Length > 0 && _peerSupportsReconfig && streams.All(id => id < _outboundStreams);
                    if (acceptable)
                    {
                        QueueReset(streams);
                    }

                    Respond(request.RequestSequence, acceptable ? SctpReconfigResult.SuccessPerformed : SctpReconfigResult.Denied);
                    break;
                case SctpParameterType.ReconfigurationResponse when SctpReconfigResponse.TryParse(p, out var response):
                    HandleReconfigResponse(response, now);
                    break;
                case SctpParameterType.SsnTsnResetRequest or SctpParameterType.AddOutgoingStreamsRequest or SctpParameterType.AddIncomingStreamsRequest
                    when p.Value.Length >= 4:
                    Respond(BinaryPrimitives.ReadUInt32BigEndian(p.Value), SctpReconfigResult.Denied);
                    break;
            }
        }
    }

    private void HandlePeerOutgoingReset(SctpStreamResetRequest request)
    {
        uint sequence = request.RequestSequence;
        if (sequence == _peerNextRequestSequence)
        {
            _peerNextRequestSequence++;
            var streams = new ushort[request.StreamCount];
            for (int i = 0; i < streams.Length; i++)
            {
                streams[i] = request.GetStream(i);
            }

            var reset = new ResetRequest(sequence, request.SendersLastAssignedTsn, streams);
            if (TsnLessOrEqual(reset.LastTsn, _cumulativeReceived))
            {
                PerformIncomingReset(reset);
                _lastIncomingResult = SctpReconfigResult.SuccessPerformed;
            }
            else
            {
                // §5.2.2: data before the reset point is still on its way; finish it first.
                _deferredIncoming = reset;
                _lastIncomingResult = SctpReconfigResult.InProgress;
            }

            Respond(sequence, _lastIncomingResult);
        }
        else if (sequence == _peerNextRequestSequence - 1)
        {
            ProcessDeferredReset();
            Respond(sequence, _lastIncomingResult); // a retransmission: same answer
        }
        else
        {
            Respond(sequence, SctpReconfigResult.ErrorBadSequenceNumber);
        }
    }

    private void ProcessDeferredReset()
    {
        if (_deferredIncoming is { } reset && TsnLessOrEqual(reset.LastTsn, _cumulativeReceived))
        {
            _deferredIncoming = null;
            PerformIncomingReset(reset);
            _lastIncomingResult = SctpReconfigResult.SuccessPerformed;
        }
    }

    private void PerformIncomingReset(ResetRequest reset)
    {
        var streams = reset.Streams.Length > 0 ? reset.Streams : _inboundStreamState.Keys.ToArray();
        foreach (ushort id in streams)
        {
            var stream = GetInboundStream(id);
            stream.NextSsn = 0;
            foreach (var m in stream.Pending.Values)
            {
                _receiveBuffered -= m.Length;
                m.Dispose();
            }

            stream.Pending.Clear();
        }

        _events.Enqueue(new SctpIncomingStreamsResetEvent(streams));
    }

    private void HandleReconfigResponse(SctpReconfigResponse response, TimeSpan now)
    {
        if (_outgoingRequest is not { } request || response.ResponseSequence != request.Sequence)
        {
            return;
        }

        if (response.Result == SctpReconfigResult.InProgress)
        {
            _reconfigDeadline = now + _rto; // ask again later with the same sequence number
            return;
        }

        bool success = response.Result is SctpReconfigResult.SuccessPerformed or SctpReconfigResult.SuccessNothingToDo;
        foreach (ushort id in request.Streams)
        {
            var stream = GetOutboundStream(id);
            stream.ResetInFlight = false;
            if (success)
            {
                stream.NextSsn = 0;
            }
        }

        _outgoingRequest = null;
        _reconfigDeadline = null;
        _reconfigRetransmit = false;
        _nextRequestSequence++;
        _events.Enqueue(new SctpOutgoingStreamsResetEvent(request.Streams, success));
        TryStartStreamReset(now);
    }

    private void Respond(uint sequence, SctpReconfigResult result)
    {
        if (_reconfigResponses.Count < 16)
        {
            _reconfigResponses.Enqueue((sequence, result));
        }
    }

    private sealed record ResetRequest(uint Sequence, uint LastTsn, ushort[] Streams);
}
