using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Ice;

namespace WebRtc.Client.InteropTests;

/// <summary>Who makes the offer.</summary>
public enum Offerer
{
    /// <summary>The foreign peer (browser or werift) offers, .NET answers.</summary>
    ForeignOffers,

    /// <summary>.NET offers, the foreign peer answers.</summary>
    DotNetOffers,
}

/// <summary>
/// One call between our RTCPeerConnection and a foreign peer: the foreign side is reset and
/// configured, channels are created on either side, then <see cref="NegotiateAsync"/> runs
/// offer/answer with candidates trickled (or not) as a signaling server would carry them.
/// </summary>
public sealed class InteropCall : IAsyncDisposable
{
    private readonly Channel<JsonObject> _foreignCandidates = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource _remoteDescriptionSet = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Exception> _signalingErrors = [];
    private readonly Task _candidatePump;
    private readonly CancellationTokenSource _stop = new();
    // Our candidates on their way to the foreign peer: awaited at the end, so none lands in the next call.
    private readonly List<Task> _forwards = [];

    private InteropCall(ForeignPeer foreign, bool trickle, int mark, RTCPeerConnectionOptions? options, RTCConfiguration? configuration)
    {
        Foreign = foreign;
        Trickle = trickle;
        Mark = mark;
        options ??= new RTCPeerConnectionOptions();
        Pc = new RTCPeerConnection(configuration ?? new RTCConfiguration(), options with
        {
            BindAddresses = [IPAddress.Loopback],
            LoggerFactory = options.LoggerFactory ?? ProgressLoggerFactory.WhenVerbose,
        });
        Pc.DataChannel += (_, e) => RemoteChannels.Writer.TryWrite(e.Channel);
        if (trickle)
        {
            Pc.IceCandidate += (_, e) =>
            {
                lock (_forwards)
                {
                    _forwards.Add(ForwardOurCandidateAsync(e.Candidate));
                }
            };
            foreign.EventReceived += OnForeignEvent;
        }

        _candidatePump = Task.Run(PumpForeignCandidatesAsync);
    }

    public ForeignPeer Foreign { get; }

    public RTCPeerConnection Pc { get; }

    public bool Trickle { get; }

    /// <summary>The foreign peer's event count when this call began: its events start here.</summary>
    public int Mark { get; }

    /// <summary>Channels the foreign peer opened to us, in order.</summary>
    public Channel<RTCDataChannel> RemoteChannels { get; } = Channel.CreateUnbounded<RTCDataChannel>();

    /// <summary>The offer and answer as sent, for checks on their text.</summary>
    public string? OfferSdp { get; private set; }

    public string? AnswerSdp { get; private set; }

    /// <summary>
    /// Resets the foreign peer (a new RTCPeerConnection; for Chromium a fresh page) and configures it:
    /// <paramref name="foreignConfiguration"/> is the foreign RTCConfiguration (iceServers,
    /// iceTransportPolicy), <paramref name="configuration"/> ours.
    /// </summary>
    public static async Task<InteropCall> StartAsync(ForeignPeer foreign, bool trickle = true, bool foreignEchoes = false, RTCPeerConnectionOptions? options = null,
        RTCConfiguration? configuration = null, JsonObject? foreignConfiguration = null)
    {
        await foreign.CallAsync("reset").ConfigureAwait(false);
        var config = new JsonObject { ["trickle"] = trickle, ["echo"] = foreignEchoes };
        if (foreignConfiguration is not null)
        {
            config["rtcConfiguration"] = foreignConfiguration;
        }

        await foreign.CallAsync("config", config).ConfigureAwait(false);
        return new InteropCall(foreign, trickle, foreign.EventCount, options, configuration);
    }

    /// <summary>Creates a channel on the foreign side; returns its properties.</summary>
    public Task<JsonObject> CreateForeignChannelAsync(string label, JsonObject? options = null) =>
        Foreign.CallAsync("createDataChannel", new JsonObject { ["label"] = label, ["options"] = options ?? [] });

    /// <summary>Runs offer/answer; returns once both descriptions are applied (not yet connected).</summary>
    public async Task NegotiateAsync(Offerer offerer)
    {
        if (offerer == Offerer.DotNetOffers)
        {
            await Pc.SetLocalDescriptionAsync(await Pc.CreateOfferAsync().ConfigureAwait(false)).ConfigureAwait(false);
            OfferSdp = await OurLocalSdpAsync().ConfigureAwait(false);
            await Foreign.CallAsync("setRemote", new JsonObject { ["type"] = "offer", ["sdp"] = OfferSdp }).ConfigureAwait(false);
            var answer = await Foreign.CallAsync("createAnswer").ConfigureAwait(false);
            AnswerSdp = (string)answer["sdp"]!;
            await Pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, AnswerSdp)).ConfigureAwait(false);
        }
        else
        {
            var offer = await Foreign.CallAsync("createOffer").ConfigureAwait(false);
            OfferSdp = (string)offer["sdp"]!;
            await Pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, OfferSdp)).ConfigureAwait(false);
            await Pc.SetLocalDescriptionAsync(await Pc.CreateAnswerAsync().ConfigureAwait(false)).ConfigureAwait(false);
            AnswerSdp = await OurLocalSdpAsync().ConfigureAwait(false);
            await Foreign.CallAsync("setRemote", new JsonObject { ["type"] = "answer", ["sdp"] = AnswerSdp }).ConfigureAwait(false);
        }

        _remoteDescriptionSet.TrySetResult();
    }

    /// <summary>Waits until both sides report the connection as connected.</summary>
    public async Task WaitConnectedAsync()
    {
        await Until(() => Pc.ConnectionState == RTCPeerConnectionState.Connected, "our connection state Connected").ConfigureAwait(false);
        await Foreign.WaitForEventAsync("connectionstatechange", e => (string?)e["state"] == "connected", Mark).ConfigureAwait(false);
        ThrowSignalingErrors();
    }

    /// <summary>The next channel the foreign side opened to us.</summary>
    public async Task<RTCDataChannel> NextRemoteChannelAsync()
    {
        try
        {
            return await RemoteChannels.Reader.ReadAsync().AsTask().WaitAsync(ForeignPeer.DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ThrowSignalingErrors();
            throw new TimeoutException($"no data channel from {Foreign.Implementation} in time. {OurState()} {Foreign.Diagnostics()}");
        }
    }

    /// <summary>Waits until the foreign side reports the channel with this label open.</summary>
    public async Task<JsonObject> ForeignOpenAsync(string label)
    {
        try
        {
            return await Foreign.WaitForEventAsync("open", e => (string?)e["label"] == label, Mark).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} {OurState()}", e);
        }
    }

    /// <summary>Polls a condition of our side until it holds.</summary>
    public async Task Until(Func<bool> condition, string what)
    {
        var end = DateTime.UtcNow + ForeignPeer.DefaultTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                ThrowSignalingErrors();
                throw new TimeoutException($"timed out waiting for {what}. {OurState()} {Foreign.Diagnostics()}");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Our side's states, for failure messages.</summary>
    public string OurState() =>
        $"Ours: connection {Pc.ConnectionState}, ICE {Pc.IceConnectionState}, DTLS {Pc.DtlsTransport?.State}{(Pc.DtlsTransport?.Error is { } dtlsError ? $" ({dtlsError.Message})" : string.Empty)}, SCTP {Pc.Sctp?.State} [{Pc.Sctp?.DescribeState()}].";

    public async ValueTask DisposeAsync()
    {
        Foreign.EventReceived -= OnForeignEvent;
        _foreignCandidates.Writer.TryComplete();
        _remoteDescriptionSet.TrySetResult();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _candidatePump.ConfigureAwait(false);
        await Pc.DisposeAsync().ConfigureAwait(false);
        Task[] forwards;
        lock (_forwards)
        {
            forwards = [.. _forwards];
        }

        await Task.WhenAll(forwards).ConfigureAwait(false); // they catch their own failures
        _stop.Dispose();
    }

    private void ThrowSignalingErrors()
    {
        lock (_signalingErrors)
        {
            if (_signalingErrors.Count > 0)
            {
                throw new AggregateException("signaling failed", _signalingErrors);
            }
        }
    }

    private async Task<string> OurLocalSdpAsync()
    {
        if (!Trickle)
        {
            // Without trickle the description goes once gathering is done, candidates inside.
            await Until(() => Pc.IceGatheringState == RTCIceGatheringState.Complete, "ICE gathering complete").ConfigureAwait(false);
        }

        return Pc.LocalDescription!.Sdp;
    }

    private async Task ForwardOurCandidateAsync(RTCIceCandidate? candidate)
    {
        try
        {
            var message = candidate is null
                ? new JsonObject { ["candidate"] = null }
                : new JsonObject
                {
                    ["candidate"] = candidate.Candidate,
                    ["sdpMid"] = candidate.SdpMid,
                    ["sdpMLineIndex"] = candidate.SdpMLineIndex,
                    ["usernameFragment"] = candidate.UsernameFragment,
                };

            // The foreign peer queues candidates that come before its remote description.
            await Foreign.CallAsync("addIceCandidate", message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ForeignPeerException or TimeoutException or InvalidOperationException)
        {
            lock (_signalingErrors)
            {
                _signalingErrors.Add(e);
            }
        }
    }

    private void OnForeignEvent(JsonObject e)
    {
        if ((string?)e["event"] == "icecandidate")
        {
            _foreignCandidates.Writer.TryWrite(e);
        }
    }

    // Foreign candidates go to our peer in order, and only after our remote description is set.
    private async Task PumpForeignCandidatesAsync()
    {
        await _remoteDescriptionSet.Task.ConfigureAwait(false);
        try
        {
            await foreach (var e in _foreignCandidates.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                string? candidate = (string?)e["candidate"];
                var init = string.IsNullOrEmpty(candidate)
                    ? null
                    : new RTCIceCandidateInit(candidate, (string?)e["sdpMid"], (int?)e["sdpMLineIndex"], (string?)e["usernameFragment"]);
                try
                {
                    await Pc.AddIceCandidateAsync(init).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RTCException or ArgumentException)
                {
                    lock (_signalingErrors)
                    {
                        _signalingErrors.Add(new InvalidOperationException($"AddIceCandidate({candidate}) failed: {ex.Message}", ex));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The call ended.
        }
    }
}
