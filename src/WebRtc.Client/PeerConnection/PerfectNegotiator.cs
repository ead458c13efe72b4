using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.Signaling;

namespace WebRtc.Client;

/// <summary>
/// Connects a peer connection over any <see cref="ISignalingChannel"/> with the W3C
/// "perfect negotiation" pattern: both sides may offer at any time; on glare the polite side
/// rolls its offer back and answers, the impolite side ignores the other's offer. Trickle ICE
/// by default; with <c>trickle: false</c> descriptions go out once gathering is complete, with
/// their candidates inside.
/// </summary>
public sealed class PerfectNegotiator : IAsyncDisposable
{
    private readonly RTCPeerConnection _pc;
    private readonly ISignalingChannel _signaling;
    private readonly bool _polite;
    private readonly bool _trickle;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendOrder = new(1, 1);
    private Task _loop = Task.CompletedTask;
    private volatile bool _makingOffer;
    private volatile bool _ignoreOffer;
    private readonly List<SignalingMessage> _heldCandidates = new();
    private int _describing;

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

    /// <summary>Completes when the signaling channel ends (or the negotiator is disposed); faults never.</summary>
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

    /// <summary>Unhooks and stops reading (the connection and the channel stay open).</summary>
    public async ValueTask DisposeAsync()
    {
        _pc.NegotiationNeeded -= OnNegotiationNeeded;
        _pc.IceCandidate -= OnIceCandidate;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async void OnNegotiationNeeded(object? sender, EventArgs e)
    {
        try
        {
            _makingOffer = true;
            await DescribeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RTCException or SignalingException or InvalidOperationException)
        {
            _logger.LogWarning(ex, "Perfect negotiation: making an offer failed");
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
        lock (_heldCandidates)
        {
            _describing++;
        }

        try
        {
            await _pc.SetLocalDescriptionAsync().ConfigureAwait(false);
            await SendDescriptionAsync().ConfigureAwait(false);
        }
        finally
        {
            SignalingMessage[] held;
            lock (_heldCandidates)
            {
                _describing--;
                held = _describing == 0 ? [.. _heldCandidates] : [];
                if (_describing == 0)
                {
                    _heldCandidates.Clear();
                }
            }

            foreach (var message in held)
            {
                await SendCandidateAsync(message).ConfigureAwait(false);
            }
        }
    }

    private async void OnIceCandidate(object? sender, RTCPeerConnectionIceEventArgs e)
    {
        if (!_trickle)
        {
            return;
        }

        var message = e.Candidate is { } candidate
            ? SignalingMessage.Candidate(candidate)
            : SignalingMessage.EndOfCandidates(sdpMid: null, sdpMLineIndex: 0);
        lock (_heldCandidates)
        {
            if (_describing > 0)
            {
                _heldCandidates.Add(message);
                return;
            }
        }

        await SendCandidateAsync(message).ConfigureAwait(false);
    }

    private async Task SendCandidateAsync(SignalingMessage message)
    {
        try
        {
            await SendAsync(message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SignalingException or InvalidOperationException)
        {
            _logger.LogDebug(ex, "Perfect negotiation: a candidate could not be sent");
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
                catch (Exception ex) when (ex is RTCException or FormatException or ArgumentException or SignalingException)
                {
                    _logger.LogWarning(ex, "Perfect negotiation: could not apply a {Type} message", message.Type);
                }
            }
        }
        catch (OperationCanceledException)
        {
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

                await _pc.SetRemoteDescriptionAsync(description).ConfigureAwait(false);
                if (description.Type == RTCSdpType.Offer)
                {
                    await DescribeAsync().ConfigureAwait(false);
                }

                return;
            case SignalingMessageType.Candidate:
                try
                {
                    await _pc.AddIceCandidateAsync(message.ToCandidateInit()).ConfigureAwait(false);
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
