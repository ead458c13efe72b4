using WebRtc.Client.DataChannels;

namespace WebRtc.Client.IntegrationTests.PeerConnection;

/// <summary>Waiting on peer-connection events, shared by the peer-connection tests.</summary>
internal static class PcEvents
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>The first value a handler gets (that <paramref name="accept"/> takes), within <see cref="Timeout"/>.</summary>
    public static Task<T> Next<T>(Action<Action<T>> subscribe, Func<T, bool>? accept = null)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe(value =>
        {
            if (accept is null || accept(value))
            {
                done.TrySetResult(value);
            }
        });
        return done.Task.WaitAsync(Timeout);
    }

    public static Task<RTCDataChannel> RemoteChannel(RTCPeerConnection pc, string label) =>
        Next<RTCDataChannel>(h => pc.DataChannel += (_, e) => h(e.Channel), c => c.Label == label);

    /// <summary>Sends <paramref name="text"/> once <paramref name="from"/> is open and returns what <paramref name="to"/> got.</summary>
    public static async Task<string?> Echo(RTCDataChannel from, RTCDataChannel to, string text)
    {
        var got = Next<string?>(h => to.MessageReceived += (_, m) => h(m.Text));
        if (from.ReadyState != RTCDataChannelState.Open)
        {
            await Next<bool>(h => from.Open += (_, _) => h(true));
        }

        from.Send(text);
        return await got;
    }
}
