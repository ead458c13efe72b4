using System.Net;
using WebRtc.Client;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Media;
using WebRtc.Client.Signaling;

// A .NET peer for a web page: serves index.html and a WebSocket signaling endpoint; for each
// page that connects it makes an RTCPeerConnection, echoes every data-channel message, decodes
// the page's camera and sends a 640x480 test pattern back (a video call), and (with --offer)
// opens a channel and offers itself instead of answering.
//   dotnet run --project samples/BrowserPeer -- [--urls http://127.0.0.1:5080] [--offer]
bool dotnetOffers = args.Contains("--offer");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--offer").ToArray());
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080"); // loopback unless told otherwise
}

// Video needs FFmpeg's libavcodec, found at run time; without it the page gets the echo only.
bool video = true;
try
{
    FFmpegCodecs.Vp8.CreateDecoder().Dispose();
}
catch (Exception e) when (e is FFmpegNotFoundException or FFmpegException or NotSupportedException)
{
    video = false;
    Console.WriteLine($"BrowserPeer: no video call, FFmpeg is not usable: {e.Message}");
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
    var codecs = CodecRegistry.CreateDefault();
    if (video)
    {
        codecs.AddFFmpegVideo();
    }

    await using var pc = new RTCPeerConnection(new RTCConfiguration(), new RTCPeerConnectionOptions
    {
        IncludeLoopback = true, // the page may be a browser on this machine
        Codecs = codecs,
        LoggerFactory = app.Services.GetRequiredService<ILoggerFactory>(),
    });
    var peer = context.Connection.RemoteIpAddress ?? IPAddress.None;
    pc.ConnectionStateChange += (_, s) => Console.WriteLine($"{peer}: connection {s}");
    pc.SignalingStateChange += (_, s) =>
    {
        Console.WriteLine($"{peer}: signaling {s}");

        // Our side of the call when the page offers: added while its offer is applied, the test
        // pattern goes in our answer on the page's own video transceiver (W3C addTrack reuses it).
        // (Not from the Track event: WebRtc.Client raises it before the state is have-remote-offer,
        // so AddTrack there starts a needless offer of our own.)
        if (s == RTCSignalingState.HaveRemoteOffer)
        {
            SendTestPattern();
        }
    };
    pc.DataChannel += (_, e) => Echo(e.Channel);

    // The page's camera: decoded here, counted and reported every two seconds.
    long cameraFrames = 0;
    (int Width, int Height) cameraSize = default;
    pc.Track += (_, e) =>
    {
        if (e.Track.Kind != MediaKind.Video)
        {
            return;
        }

        Console.WriteLine($"{peer}: receiving the page's camera");
        e.Track.VideoFrameReceived += (_, frame) =>
        {
            cameraSize = (frame.Width, frame.Height);
            if (Interlocked.Increment(ref cameraFrames) == 1)
            {
                Console.WriteLine($"{peer}: first camera frame decoded, {frame.Width}x{frame.Height}");
            }
        };
    };

    // The page is the impolite side; we yield on glare.
    await using var negotiator = PerfectNegotiator.Attach(pc, signaling, polite: true);
    if (dotnetOffers)
    {
        // The channel first: the offer that NegotiationNeeded starts must carry the data m-section,
        // since WebRtc.Client does not yet start SCTP for one added by a later renegotiation.
        Echo(pc.CreateDataChannel("dotnet"));
        SendTestPattern();
    }

    // Our camera: a 640x480 test pattern at 30 fps, sent once.
    void SendTestPattern()
    {
        if (video && !pc.GetTransceivers().Any(t => t.Kind == MediaKind.Video && t.Sender.Track is not null))
        {
            pc.AddTrack(VideoSource.TestPattern(640, 480, 30).CreateTrack(), new MediaStream());
        }
    }

    using var report = new Timer(_ =>
    {
        if (Interlocked.Read(ref cameraFrames) is > 0 and var n)
        {
            Console.WriteLine($"{peer}: camera {cameraSize.Width}x{cameraSize.Height}, {n} frames decoded");
        }
    }, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    await signaling.Completion;
    Console.WriteLine($"{peer}: signaling closed" + (cameraFrames > 0 ? $" after {cameraFrames} camera frames" : string.Empty));
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
