using System.Net;
using WebRtc.Client;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Signaling;

// A .NET peer for a web page: serves index.html and a WebSocket signaling endpoint; for each
// page that connects it makes an RTCPeerConnection, echoes every data-channel message, and
// (with --offer) opens a channel and offers itself instead of answering.
//   dotnet run --project samples/BrowserPeer -- [--urls http://127.0.0.1:5080] [--offer]
bool dotnetOffers = args.Contains("--offer");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--offer").ToArray());
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080"); // loopback unless told otherwise
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.UseWebSockets();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapGet("/favicon.ico", () => Results.NoContent());
app.Map("/ws", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await using var signaling = new WebSocketSignalingChannel(socket);
    await using var pc = new RTCPeerConnection(new RTCConfiguration(), new RTCPeerConnectionOptions
    {
        IncludeLoopback = true, // the page may be a browser on this machine
        LoggerFactory = app.Services.GetRequiredService<ILoggerFactory>(),
    });
    var peer = context.Connection.RemoteIpAddress ?? IPAddress.None;
    pc.ConnectionStateChange += (_, s) => Console.WriteLine($"{peer}: connection {s}");
    pc.DataChannel += (_, e) => Echo(e.Channel);

    // The page is the impolite side; we yield on glare.
    await using var negotiator = PerfectNegotiator.Attach(pc, signaling, polite: true);
    if (dotnetOffers)
    {
        Echo(pc.CreateDataChannel("dotnet"));
    }

    await signaling.Completion;
    Console.WriteLine($"{peer}: signaling closed");
});

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"BrowserPeer: open {string.Join(" or ", app.Urls)} in a browser" + (dotnetOffers ? " (the .NET side offers)" : string.Empty)));
await app.RunAsync();

static void Echo(RTCDataChannel channel)
{
    channel.MessageReceived += (_, m) =>
    {
        if (m.IsBinary)
        {
            channel.Send(m.Span);
        }
        else
        {
            channel.Send(m.Text!);
        }
    };
}
