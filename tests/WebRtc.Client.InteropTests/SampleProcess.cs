using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// One of the samples run as its own process, as `dotnet run` would run it (from its project folder, so
/// its wwwroot is the content root): its output is collected, and lines can be waited for.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waits = [];

    private SampleProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data is null ? null : "stderr: " + e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Every line so far (stderr lines start with "stderr: ").</summary>
    public List<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>Starts the sample's build output (built with the tests, in their configuration).</summary>
    public static SampleProcess Start(string sample, params string[] args)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string project = Path.GetFullPath(Path.Combine(ForeignPeer.NodeDirectory, "..", "..", "..", "samples", sample));
        string dll = Path.Combine(project, "bin", configuration, "net10.0", sample + ".dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} is built with the tests (ProjectReference)");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new SampleProcess(Process.Start(start) ?? throw new InvalidOperationException("the sample did not start"));
    }

    /// <summary>A TCP port free on 127.0.0.1 now.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits for a line that matches (one already printed counts); fails the test with the output on timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            _waits.Add((match, seen));
        }

        try
        {
            return await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new AssertionException($"the sample did not print {what} within {timeout.TotalSeconds:0} s: {string.Join(" | ", Output)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            foreach (var wait in _waits.Where(w => w.Match(line)).ToList())
            {
                _waits.Remove(wait);
                wait.Seen.TrySetResult(line);
            }
        }
    }
}
