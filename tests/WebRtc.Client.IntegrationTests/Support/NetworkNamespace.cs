using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WebRtc.Client.Net;

namespace WebRtc.Client.IntegrationTests.Support;

/// <summary>
/// A named Linux network namespace (<c>ip netns add</c>) and one thread that lives in it. A socket
/// belongs to the namespace of the thread that created it, for good, so a peer whose sockets all
/// come from <see cref="SocketFactory"/> sends and receives from this namespace while the test
/// process stays where it is. Only valid inside the isolated namespace <c>./build.sh test</c> runs
/// the tests in. Dispose deletes the namespace.
/// </summary>
internal sealed partial class NetworkNamespace : IAsyncDisposable
{
    private const int CloneNewNet = 0x40000000;
    private static int s_counter;
    private static volatile bool s_isolated;

    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private readonly SafeFileHandle _handle;
    private int _disposed;

    private NetworkNamespace(string name, SafeFileHandle handle)
    {
        Name = name;
        _handle = handle;
        SocketFactory = (family, type, protocol) => Invoke(() => new Socket(family, type, protocol));
        // Background: a test that hangs must not also keep the test host from exiting.
        _thread = new Thread(Serve) { IsBackground = true, Name = "netns " + name };
    }

    /// <summary>The namespace's name, for <c>ip netns exec</c> and <c>ip -n</c>.</summary>
    public string Name { get; }

    /// <summary>Creates sockets in this namespace (synchronously, on its thread); give it to the library's options.</summary>
    public SocketFactory SocketFactory { get; }

    /// <summary>
    /// A name no other namespace of this machine has: the process id keeps a leftover of a
    /// crashed run from colliding with this one, the counter keeps tests of one run apart.
    /// </summary>
    public static string UniqueName(string role) =>
        string.Create(CultureInfo.InvariantCulture, $"wrtc-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}-{role}");

    /// <summary>Adds namespace <paramref name="name"/> with its loopback up, and starts its thread.</summary>
    public static async Task<NetworkNamespace> CreateAsync(string name)
    {
        // The namespaces leave the test's own alone, but /run/netns is the host's: only in the throwaway one.
        if (!s_isolated)
        {
            await TestShell.RequireIsolatedNamespaceAsync("a network namespace test");
            s_isolated = true;
        }

        await TestShell.MustAsync("ip", "netns", "add", name);
        NetworkNamespace? created = null;
        try
        {
            created = new NetworkNamespace(name, File.OpenHandle("/run/netns/" + name));
            await created.StartAsync();
            await TestShell.MustAsync("ip", "-n", name, "link", "set", "lo", "up");
            return created;
        }
        catch
        {
            if (created is not null)
            {
                await created.DisposeAsync();
            }
            else
            {
                await TestShell.RunAsync("ip", "netns", "del", name);
            }

            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the namespace's thread and waits for it: whatever it opens (sockets, netlink) is in this namespace.</summary>
    public T Invoke<T>(Func<T> work)
    {
        if (Environment.CurrentManagedThreadId == _thread.ManagedThreadId)
        {
            return work();
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                try
                {
                    done.SetResult(work());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException("network namespace " + Name);
        }

        return done.Task.GetAwaiter().GetResult();
    }

    /// <summary>Sets a sysctl of this namespace, <paramref name="key"/> as in <c>net.ipv4.ip_forward</c>.</summary>
    public void SetSysctl(string key, string value) =>
        // /proc/sys/net shows the namespace of the thread that opens it: cheaper than a process.
        Invoke(() =>
        {
            File.WriteAllText("/proc/sys/" + key.Replace('.', '/'), value);
            return true;
        });

    /// <summary>Runs a program inside the namespace (<c>ip netns exec</c>); returns stdout+stderr and the exit code.</summary>
    public Task<(string Output, int Code)> ExecAsync(params string[] args) => TestShell.RunAsync("ip", ["netns", "exec", Name, .. args]);

    /// <summary>Runs a program inside the namespace and throws with its output when it fails.</summary>
    public Task MustExecAsync(params string[] args) => TestShell.MustAsync("ip", ["netns", "exec", Name, .. args]);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _work.CompleteAdding();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        _work.Dispose();
        _handle.Dispose();
        // Sockets still open keep the kernel's namespace alive, but its name goes now.
        await TestShell.RunAsync("ip", "netns", "del", Name);
    }

    private Task StartAsync()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() => entered.SetResult());
        _thread.Start(entered);
        return entered.Task;
    }

    private void Serve(object? state)
    {
        var entered = (TaskCompletionSource)state!;
        // setns(2) with CLONE_NEWNET moves only the calling thread: the rest of the process stays put.
        if (SetNs((int)_handle.DangerousGetHandle(), CloneNewNet) != 0)
        {
            entered.SetException(new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}"));
            return;
        }

        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
