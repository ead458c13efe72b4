using System.Net;
using Recorder;
using WebRtc.Client;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;
using WebRtc.Client.Signaling;

// Records a browser's camera and microphone without re-encoding: serves a page that sends them,
// answers its offer, and writes the VP8 frames to an IVF file and the Opus packets to an Ogg file
// as they arrive (RTCRtpReceiver.EncodedFrameReceived; nothing is decoded).
//   dotnet run --project samples/Recorder -- [--urls http://127.0.0.1:5090] [--out DIR] [--seconds N]
// A recording ends when the page hangs up (or closes), after --seconds, or on Ctrl+C.
string outDir = Path.GetFullPath(Option("--out") ?? ".");
double? seconds = Option("--seconds") is { } s ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;
Directory.CreateDirectory(outDir);

var builder = WebApplication.CreateBuilder(StripOptions(args, "--out", "--seconds"));
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5090"); // loopback unless told otherwise
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.UseWebSockets();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapGet("/favicon.ico", () => Results.NoContent());
int sessions = 0;
app.Map("/ws", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await using var signaling = new WebSocketSignalingChannel(socket);

    // Only what the files hold: VP8 (IVF) and Opus (Ogg). The adapters are registered for their
    // SDP entries; no frame is decoded, so FFmpeg's libraries are not even loaded.
    var codecs = CodecRegistry.CreateDefault().AddOpus().AddFFmpegVideo();
    foreach (var other in codecs.Codecs.Where(c => c.Name is not ("VP8" or "opus")).Select(c => c.Name).Distinct().ToList())
    {
        codecs.Remove(other);
    }

    await using var pc = new RTCPeerConnection(new RTCConfiguration(), new RTCPeerConnectionOptions
    {
        IncludeLoopback = true, // the page may be a browser on this machine
        Codecs = codecs,
        LoggerFactory = app.Services.GetRequiredService<ILoggerFactory>(),
    });
    var peer = context.Connection.RemoteIpAddress ?? IPAddress.None;
    string name = Path.Combine(outDir, $"recording-{DateTime.Now:yyyyMMdd-HHmmss}-{Interlocked.Increment(ref sessions)}");
    using var recording = new Recording(name + ".ivf", name + ".ogg");
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    pc.ConnectionStateChange += (_, state) =>
    {
        Console.WriteLine($"{peer}: connection {state}");
        if (state is RTCPeerConnectionState.Failed or RTCPeerConnectionState.Closed or RTCPeerConnectionState.Disconnected)
        {
            stop.TrySetResult();
        }
    };
    pc.Track += (_, e) =>
    {
        Console.WriteLine($"{peer}: recording {e.Track.Kind} track {e.Track.Id}");
        e.Receiver.EncodedFrameReceived += recording.Write;
    };

    // The page offers; we answer (and yield on glare).
    await using var negotiator = PerfectNegotiator.Attach(pc, signaling, polite: true);
    var limit = seconds is { } sec ? Task.Delay(TimeSpan.FromSeconds(sec)) : Task.Delay(Timeout.Infinite);
    using var progress = new Timer(_ => Console.WriteLine($"{peer}: {recording.Progress}"), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    await Task.WhenAny(signaling.Completion, stop.Task, limit, Task.Delay(Timeout.Infinite, app.Lifetime.ApplicationStopping));
    await progress.DisposeAsync();
    pc.Close();
    recording.Dispose();
    foreach (var line in recording.Summary())
    {
        Console.WriteLine($"{peer}: saved {line}");
    }
});

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Recorder: open {string.Join(" or ", app.Urls)} in a browser; recordings go to {outDir}"));
await app.RunAsync();

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string[] StripOptions(string[] args, params string[] names)
{
    var rest = new List<string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (names.Contains(args[i]))
        {
            i++;
            continue;
        }

        rest.Add(args[i]);
    }

    return [.. rest];
}
