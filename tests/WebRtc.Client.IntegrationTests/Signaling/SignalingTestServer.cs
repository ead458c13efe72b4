using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Signaling;

namespace WebRtc.Client.IntegrationTests.Signaling;

/// <summary>
/// A tiny Kestrel WebSocket signaling server on 127.0.0.1, port 0. Endpoints:
/// <c>/relay?room=x</c> pairs two clients and forwards each one's messages to the other (closing one closes the other);
/// <c>/answer</c> answers each offer with <c>answer:&lt;sdp&gt;</c> and closes on bye;
/// <c>/echo</c> sends every message back; <c>/abort</c> drops the connection after the first message.
/// Every endpoint wraps the accepted socket in a server-side <see cref="WebSocketSignalingChannel"/>.
/// </summary>
internal sealed class SignalingTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Room> _rooms = new();

    private SignalingTestServer(WebApplication app) => _app = app;

    /// <summary>The server-side channels, as they are accepted.</summary>
    public Channel<WebSocketSignalingChannel> Accepted { get; } = Channel.CreateUnbounded<WebSocketSignalingChannel>();

    public Uri BaseUri { get; private set; } = null!;

    public Uri Endpoint(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public static async Task<SignalingTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new SignalingTestServer(app);
        app.UseWebSockets();
        app.Map("/relay", server.RelayAsync);
        app.Map("/answer", ctx => server.ServeAsync(ctx, AnswerAsync));
        app.Map("/echo", ctx => server.ServeAsync(ctx, EchoAsync));
        app.Map("/abort", ctx => server.ServeAsync(ctx, (channel, _) => AbortAsync(channel, ctx)));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUri = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<WebSocketSignalingChannel?> AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        var channel = new WebSocketSignalingChannel(await context.WebSockets.AcceptWebSocketAsync(), new WebSocketSignalingOptions { CloseTimeout = TimeSpan.FromSeconds(2) });
        Accepted.Writer.TryWrite(channel);
        return channel;
    }

    // The request must not end before the channel does: ASP.NET Core closes the socket when it returns.
    private async Task ServeAsync(HttpContext context, Func<WebSocketSignalingChannel, CancellationToken, Task> serve)
    {
        if (await AcceptAsync(context) is not { } channel) { return; }
        await using (channel)
        {
            await serve(channel, context.RequestAborted);
        }
    }

    private static async Task AnswerAsync(WebSocketSignalingChannel channel, CancellationToken ct)
    {
        await foreach (var m in channel.ReadAllAsync(ct))
        {
            if (m.Type == SignalingMessageType.Offer) { await channel.SendAsync(SignalingMessage.Answer("answer:" + m.Sdp), ct); }
            if (m.Type == SignalingMessageType.Bye) { return; }
        }
    }

    private static async Task EchoAsync(WebSocketSignalingChannel channel, CancellationToken ct)
    {
        await foreach (var m in channel.ReadAllAsync(ct)) { await channel.SendAsync(m, ct); }
    }

    private static async Task AbortAsync(WebSocketSignalingChannel channel, HttpContext context)
    {
        await channel.ReceiveAsync();
        // Kestrel does not wake the server-side read after Abort(), so do not wait for the channel here.
        context.Abort();
    }

    private async Task RelayAsync(HttpContext context)
    {
        string name = context.Request.Query["room"].ToString();
        if (await AcceptAsync(context) is not { } channel) { return; }
        await using (channel)
        {
            var room = _rooms.GetOrAdd(name, _ => new Room());
            var peer = await room.JoinAsync(channel).WaitAsync(context.RequestAborted);
            try
            {
                await foreach (var m in channel.ReadAllAsync(context.RequestAborted)) { await peer.SendAsync(m); }
            }
            catch (SignalingException)
            {
                // The other side left while we forwarded.
            }

            // This client left: hang up on the other one.
            await peer.DisposeAsync();
        }
    }

    private sealed class Room
    {
        private readonly TaskCompletionSource<WebSocketSignalingChannel> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<WebSocketSignalingChannel> _second = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<WebSocketSignalingChannel> JoinAsync(WebSocketSignalingChannel channel) =>
            _first.TrySetResult(channel) ? _second.Task
            : _second.TrySetResult(channel) ? _first.Task
            : throw new InvalidOperationException("The room is full.");
    }
}
