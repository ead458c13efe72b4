using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using WebRtc.Client.IntegrationTests;

namespace WebRtc.Client.InteropTests;

/// <summary>A command the foreign peer answered with an error (a JavaScript exception).</summary>
public sealed class ForeignPeerException(string command, string name, string message)
    : Exception($"{command} failed in the foreign peer: {name}: {message}")
{
    public string Command { get; } = command;

    public string Name { get; } = name;
}

/// <summary>
/// A foreign WebRTC peer in a node process (headless Chromium through playwright-core, headless
/// Firefox ESR through puppeteer-core, or werift),
/// driven over the line-oriented JSON protocol of node/README.md. Every event the peer reports is
/// kept, so a test can wait for one that already happened.
/// </summary>
public sealed class ForeignPeer : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The browsers among the foreign peers: each runs node/&lt;name&gt;-peer.mjs.</summary>
    public const string Chromium = "chromium", Firefox = "firefox";

    /// <summary>libdatachannel (usrsctp + OpenSSL) through npm node-datachannel.</summary>
    public const string Libdatachannel = "libdatachannel";

    /// <summary>Every foreign peer: node/&lt;name&gt;-peer.mjs.</summary>
    public static readonly IReadOnlyList<string> Implementations = [Chromium, Firefox, "werift", Libdatachannel];

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _events = [];
    private readonly List<(Func<JsonObject, bool> Match, int Since, TaskCompletionSource<JsonObject> Done)> _waiters = [];
    private readonly Dictionary<long, TaskCompletionSource<JsonObject>> _calls = [];
    private readonly Queue<string> _stderr = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _stdoutLoop;
    private readonly Task _stderrLoop;
    private long _seq;
    private bool _exited;

    private ForeignPeer(string implementation, Process process)
    {
        Implementation = implementation;
        _process = process;
        _stdoutLoop = Task.Run(ReadStdoutAsync);
        _stderrLoop = Task.Run(ReadStderrAsync);
    }

    /// <summary>Raised on the reader thread for every event, in order.</summary>
    public event Action<JsonObject>? EventReceived;

    /// <summary>"chromium", "firefox", "werift" or "libdatachannel".</summary>
    public string Implementation { get; }

    /// <summary>The browser or library version the peer reported.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>How many events have come so far: a mark for <see cref="WaitForEventAsync"/>.</summary>
    public int EventCount
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>The folder of the node scripts and their node_modules.</summary>
    public static string NodeDirectory { get; } = Path.Combine(RepositoryRoot(), "tests", "WebRtc.Client.InteropTests", "node");

    /// <summary>Starts the peer and waits for its ready event.</summary>
    public static async Task<ForeignPeer> StartAsync(string implementation)
    {
        if (!Implementations.Contains(implementation))
        {
            throw new ArgumentOutOfRangeException(nameof(implementation), implementation, string.Join(", ", Implementations));
        }

        var process = StartNode($"{implementation}-peer.mjs", implementation is Chromium or Firefox ? [implementation] : []);
        var peer = new ForeignPeer(implementation, process);
        try
        {
            var ready = await peer.WaitForEventAsync("ready", timeout: TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            peer.Version = (string?)ready["version"] ?? string.Empty;
            return peer;
        }
        catch
        {
            await peer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts `node script args` in the node folder, with the programs it needs checked first:
    /// node, the node packages, and each browser in <paramref name="browsers"/> ("chromium", "firefox").
    /// </summary>
    public static Process StartNode(string script, IEnumerable<string> browsers, params string[] args)
    {
        string node = ExternalDependency.Require("node", "nodejs");
        foreach (string browser in browsers)
        {
            // Debian's package names; the command is the package's.
            string package = browser == Firefox ? "firefox-esr" : browser;
            ExternalDependency.Require(package, package);
        }

        if (!new[] { "playwright-core", "puppeteer-core", "werift", "node-datachannel" }.All(p => Directory.Exists(Path.Combine(NodeDirectory, "node_modules", p))))
        {
            string message = $"the node packages are not installed in {NodeDirectory}: run `npm ci` there (./build.sh test does)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
        }

        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = NodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(script);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("node did not start");
    }

    /// <summary>Sends a command and returns its result; a JavaScript error becomes a <see cref="ForeignPeerException"/>.</summary>
    public async Task<JsonObject> CallAsync(string command, JsonObject? arguments = null, TimeSpan? timeout = null)
    {
        long seq = Interlocked.Increment(ref _seq);
        var message = arguments ?? [];
        message["cmd"] = command;
        message["seq"] = seq;
        var done = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_exited)
            {
                throw new InvalidOperationException($"the {Implementation} peer has exited: {Diagnostics()}");
            }

            _calls[seq] = done;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(message.ToJsonString()).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        try
        {
            return await done.Task.WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Implementation} did not answer '{command}' in time. {Diagnostics()}");
        }
    }

    /// <summary>
    /// Waits for the first event named <paramref name="name"/> (at index <paramref name="since"/> or later)
    /// that <paramref name="match"/> accepts, including ones that came before the call.
    /// </summary>
    public Task<JsonObject> WaitForEventAsync(string name, Func<JsonObject, bool>? match = null, int since = 0, TimeSpan? timeout = null)
    {
        bool Accept(JsonObject e) => (string?)e["event"] == name && (match is null || match(e));
        var done = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            for (int i = since; i < _events.Count; i++)
            {
                if (Accept(_events[i]))
                {
                    return Task.FromResult(_events[i]);
                }
            }

            if (_exited)
            {
                throw new InvalidOperationException($"the {Implementation} peer has exited: {Diagnostics()}");
            }

            _waiters.Add((Accept, since, done));
        }

        return WithTimeout();

        async Task<JsonObject> WithTimeout()
        {
            try
            {
                return await done.Task.WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    _waiters.RemoveAll(w => w.Done == done);
                }

                throw new TimeoutException($"no '{name}' event from {Implementation} in time. {Diagnostics()}");
            }
        }
    }

    /// <summary>The events named <paramref name="name"/> so far (from index <paramref name="since"/>).</summary>
    public IReadOnlyList<JsonObject> Events(string name, int since = 0)
    {
        lock (_gate)
        {
            return _events.Skip(since).Where(e => (string?)e["event"] == name).ToList();
        }
    }

    /// <summary>The last lines the peer wrote to stderr and its recent events, for failure messages.</summary>
    public string Diagnostics()
    {
        lock (_gate)
        {
            var recent = _events.Skip(Math.Max(0, _events.Count - 15)).Select(e => Shorten(e.ToJsonString()));
            return $"Recent events: [{string.Join(", ", recent)}]. stderr: {string.Join(" | ", _stderr)}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await CallAsync("exit", timeout: TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException or ForeignPeerException)
        {
            // Exit did not go through: the kill below ends it.
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await Task.WhenAll(_stdoutLoop, _stderrLoop).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            _process.Dispose();
            _writeLock.Dispose();
        }
    }

    // INTEROP_VERBOSE=1 shows the foreign peer's events and stderr live, with times.
    private static bool Verbose { get; } = Environment.GetEnvironmentVariable("INTEROP_VERBOSE") == "1";

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WebRtc.Client.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (WebRtc.Client.sln) is not above " + AppContext.BaseDirectory);
    }

    private async Task ReadStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                JsonObject? message;
                try
                {
                    message = JsonNode.Parse(line) as JsonObject;
                }
                catch (System.Text.Json.JsonException)
                {
                    message = null;
                }

                if (message is null)
                {
                    AddStderr("(stdout, not JSON) " + Shorten(line));
                    continue;
                }

                Dispatch(message);
            }
        }
        finally
        {
            List<TaskCompletionSource<JsonObject>> pending;
            lock (_gate)
            {
                _exited = true;
                pending = [.. _calls.Values, .. _waiters.Select(w => w.Done)];
                _calls.Clear();
                _waiters.Clear();
            }

            foreach (var done in pending)
            {
                done.TrySetException(new InvalidOperationException($"the {Implementation} peer exited. {Diagnostics()}"));
            }
        }
    }

    private void Dispatch(JsonObject message)
    {
        string? kind = (string?)message["event"];
        long? seq = message["seq"] is JsonValue v && v.TryGetValue<long>(out long s) ? s : null;
        if (seq is { } id && kind is "result" or "error")
        {
            TaskCompletionSource<JsonObject>? call;
            lock (_gate)
            {
                _calls.Remove(id, out call);
            }

            if (kind == "result")
            {
                call?.TrySetResult(message);
            }
            else
            {
                call?.TrySetException(new ForeignPeerException((string?)message["cmd"] ?? "?", (string?)message["name"] ?? "Error", (string?)message["message"] ?? string.Empty));
            }

            return;
        }

        if (Verbose)
        {
            TestContext.Progress.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{Implementation} event] {Shorten(message.ToJsonString())}");
        }

        List<TaskCompletionSource<JsonObject>> woken = [];
        lock (_gate)
        {
            _events.Add(message);
            int index = _events.Count - 1;
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (index >= _waiters[i].Since && _waiters[i].Match(message))
                {
                    woken.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var done in woken)
        {
            done.TrySetResult(message);
        }

        EventReceived?.Invoke(message);
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            AddStderr(line);
            if (Verbose)
            {
                await TestContext.Progress.WriteLineAsync($"[{Implementation}] {line}").ConfigureAwait(false);
            }
        }
    }

    private void AddStderr(string line)
    {
        lock (_gate)
        {
            _stderr.Enqueue(Shorten(line));
            while (_stderr.Count > 40)
            {
                _stderr.Dequeue();
            }
        }
    }
}
