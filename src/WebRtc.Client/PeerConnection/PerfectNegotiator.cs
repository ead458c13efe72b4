using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.Net;
using WebRtc.Client.Signaling;

namespace WebRtc.Client;

/// <summary>
/// Connects a peer connection over any <see cref="ISignalingChannel"/> with the W3C
/// "perfect negotiation" pattern: both sides may offer at any time; on glare the polite side
/// rolls its offer back and answers, the impolite side ignores the other's offer. Trickle ICE
/// by default; with <c>trickle: false</c> descriptions go out once gathering is complete, with
/// their candidates inside.
/// </summary>
/// <remarks>
/// Nothing a step of the negotiation throws (the connection, or the signaling channel, whatever
/// exception an application's own channel uses) escapes the negotiator: a failure is logged at
/// Warning and raised through <see cref="Error"/>, and the negotiator carries on with the next
/// event or message. What fails because the negotiator was disposed, the connection closed or the
/// channel closed is expected and only logged at Debug.
/// </remarks>
public sealed class PerfectNegotiator : IAsyncDisposable
{
    private readonly RTCPeerConnection _pc;
    private readonly ISignalingChannel _signaling;
    private readonly bool _polite;
    private readonly bool _trickle;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendOrder = new(1, 1);
    private readonly object _gate = new();
    private readonly List<SignalingMessage> _heldCandidates = new();
    private Task _loop = Task.CompletedTask;
    private volatile bool _makingOffer;
    private volatile bool _ignoreOffer;
    private int _describing;
    // Steps started by the connection's events and not finished yet; DisposeAsync waits for them.
    private int _running;
    private TaskCompletionSource? _idle;
    private bool _disposed;
    private Task? _disposal;

    /// <summary>Prepares the negotiator; <see cref="Start"/> begins.</summary>
    /// <param name="peerConnection">The connection to negotiate.</param>
    /// <param name="signaling">The channel to the other side.</param>
    /// <param name="polite">The polite side yields on glare; exactly one side must be polite.</param>
    /// <param name="trickle">Send candidates as they come (true) or full descriptions after gathering (false).</param>
    /// <param name="logger">Logger.</param>
    public PerfectNegotiator(RTCPeerConnection peerConnection, ISignalingChannel signaling, bool polite, bool trickle = true, ILogger? logger = null)
    {
        _pc = peerConnection ?? throw new ArgumentNullException(nameof(peerConnection));
        _signaling = signaling ?? throw new ArgumentNullException(nameof(signaling));
        _polite = polite;
        _trickle = trickle;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// A step of the negotiation failed: making, applying or sending a description, applying or
    /// sending a candidate, or reading the signaling channel (then <see cref="Completion"/> follows).
    /// The exception is what the connection or the channel threw. The negotiator carries on; the
    /// connection may need an ICE restart or a new negotiation to recover. Not raised for what fails
    /// because the negotiator was disposed, the connection closed or the channel closed. Raised on
    /// the thread that saw the failure; a handler that throws is logged. A handler must not block
    /// on <see cref="DisposeAsync"/> (awaiting it is fine).
    /// </summary>
    public event EventHandler<Exception>? Error;

    /// <summary>
    /// Completes when the signaling channel ends, reading it fails (see <see cref="Error"/>), or the
    /// negotiator is disposed; it never faults.
    /// </summary>
    public Task Completion => _loop;

    /// <summary>Creates and starts a negotiator.</summary>
    public static PerfectNegotiator Attach(RTCPeerConnection peerConnection, ISignalingChannel signaling, bool polite, bool trickle = true, ILogger? logger = null)
    {
        var negotiator = new PerfectNegotiator(peerConnection, signaling, polite, trickle, logger);
        negotiator.Start();
        return negotiator;
    }

    /// <summary>Hooks the connection's events and starts reading the channel.</summary>
    public void Start()
    {
        _pc.NegotiationNeeded += OnNegotiationNeeded;
        _pc.IceCandidate += OnIceCandidate;
        _loop = Task.Run(ReadLoopAsync);
    }

    /// <summary>
    /// Unhooks, stops reading and cancels the steps in progress (the connection and the channel stay
    /// open); completes when they have ended. Calling it again returns the same wait.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposal ??= DisposeCoreAsync();
            return new ValueTask(_disposal);
        }
    }

    private async Task DisposeCoreAsync()
    {
        _pc.NegotiationNeeded -= OnNegotiationNeeded;
        _pc.IceCandidate -= OnIceCandidate;
        Task idle;
        lock (_gate)
        {
            _disposed = true;
            idle = _running == 0 ? Task.CompletedTask : (_idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await idle.ConfigureAwait(false);
        _stop.Dispose();
    }

    private void OnNegotiationNeeded(object? sender, EventArgs e) =>
        _ = RunAsync(MakeOfferAsync, "making an offer"); // RunAsync never throws; DisposeAsync waits for it

    private void OnIceCandidate(object? sender, RTCPeerConnectionIceEventArgs e)
    {
        if (!_trickle)
        {
            return;
        }

        var message = e.Candidate is { } candidate
            ? SignalingMessage.Candidate(candidate)
            : SignalingMessage.EndOfCandidates(sdpMid: null, sdpMLineIndex: 0);
        lock (_gate)
        {
            if (_describing > 0)
            {
                _heldCandidates.Add(message);
                return;
            }
        }

        _ = RunAsync(() => SendAsync(message), "sending a candidate"); // never throws, as above
    }

    // Runs one step started by an event of the connection: whatever it throws is reported here, and
    // DisposeAsync waits for it. The step runs synchronously up to its first await, so steps start
    // (and take the send order) in the order of the events.
    private async Task RunAsync(Func<Task> step, string what)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _running++;
        }

        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Report(ex, what);
        }
        finally
        {
            TaskCompletionSource? idle = null;
            lock (_gate)
            {
                if (--_running == 0)
                {
                    idle = _idle;
                }
            }

            idle?.TrySetResult();
        }
    }

    private void Report(Exception ex, string what)
    {
        if (_stop.IsCancellationRequested || _pc.SignalingState == RTCSignalingState.Closed || (ex is SignalingException && _signaling.Completion.IsCompleted))
        {
            _logger.LogDebug(ex, "Perfect negotiation: {What} stopped; the negotiator, the connection or the signaling channel is closed", what);
            return;
        }

        _logger.LogWarning(ex, "Perfect negotiation: {What} failed", what);
        EventInvoker.Raise(Error, this, ex, _logger, nameof(Error));
    }

    private async Task MakeOfferAsync()
    {
        try
        {
            _makingOffer = true;
            await DescribeAsync().ConfigureAwait(false);
        }
        finally
        {
            _makingOffer = false;
        }
    }

    // Applies a local description and sends it; candidates raised meanwhile wait, so the peer
    // always has the description before its candidates.
    private async Task DescribeAsync()
    {
        lock (_gate)
        {
            _describing++;
        }

        try
        {
            await _pc.SetLocalDescriptionAsync(null, _stop.Token).ConfigureAwait(false);
            await SendDescriptionAsync().ConfigureAwait(false);
        }
        finally
        {
            SignalingMessage[] held;
            lock (_gate)
            {
                _describing--;
                held = _describing == 0 ? [.. _heldCandidates] : [];
                if (_describing == 0)
                {
                    _heldCandidates.Clear();
                }
            }

            // Each on its own: one that fails neither hides why the description failed nor stops the others.
            foreach (var message in held)
            {
                try
                {
                    await SendAsync(message).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Report(ex, "sending a candidate");
                }
            }
        }
    }

    private async Task SendDescriptionAsync()
    {
        if (!_trickle)
        {
            await WaitForGatheringAsync().ConfigureAwait(false);
        }

        var local = _pc.LocalDescription ?? throw new InvalidOperationException("No local description to send.");
        await SendAsync(SignalingMessage.Description((SignalingMessageType)(int)local.Type, local.Sdp)).ConfigureAwait(false);
    }

    private async Task WaitForGatheringAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(object? s, Ice.RTCIceGatheringState state)
        {
            if (state == Ice.RTCIceGatheringState.Complete)
            {
                done.TrySetResult();
            }
        }

        _pc.IceGatheringStateChange += OnChange;
        try
        {
            if (_pc.IceGatheringState != Ice.RTCIceGatheringState.Complete)
            {
                await done.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _pc.IceGatheringStateChange -= OnChange;
        }
    }

    private async Task SendAsync(SignalingMessage message)
    {
        // Keep descriptions and candidates in the order they were produced.
        await _sendOrder.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            await _signaling.SendAsync(message, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendOrder.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await foreach (var message in _signaling.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await HandleAsync(message).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Report(ex, "applying a " + SignalingMessage.TypeName(message.Type) + " message");
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex)
        {
            Report(ex, "reading the signaling channel");
        }
    }

    private async Task HandleAsync(SignalingMessage message)
    {
        switch (message.Type)
        {
            case SignalingMessageType.Offer:
            case SignalingMessageType.Answer:
            case SignalingMessageType.Pranswer:
            case SignalingMessageType.Rollback:
                var description = new RTCSessionDescription((RTCSdpType)(int)message.Type, message.Sdp ?? string.Empty);
                bool collision = description.Type == RTCSdpType.Offer && (_makingOffer || _pc.SignalingState != RTCSignalingState.Stable);
                _ignoreOffer = !_polite && collision;
                if (_ignoreOffer)
                {
                    return;
                }

                await _pc.SetRemoteDescriptionAsync(description, _stop.Token).ConfigureAwait(false);
                if (description.Type == RTCSdpType.Offer)
                {
                    await DescribeAsync().ConfigureAwait(false);
                }

                return;
            case SignalingMessageType.Candidate:
                try
                {
                    await _pc.AddIceCandidateAsync(message.ToCandidateInit(), _stop.Token).ConfigureAwait(false);
                }
                catch (RTCException) when (_ignoreOffer)
                {
                    // Candidates of an offer we ignored: expected to fail.
                }

                return;
            case SignalingMessageType.Bye:
                _pc.Close();
                return;
        }
    }
}
