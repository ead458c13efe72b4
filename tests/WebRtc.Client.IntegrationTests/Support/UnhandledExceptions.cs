using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace WebRtc.Client.IntegrationTests.Support;

/// <summary>
/// Records exceptions that nothing caught (an <c>async void</c> that threw, a throwing timer callback
/// or thread), which would otherwise end the test process. The process-wide handler
/// (<see cref="ExceptionHandling.SetUnhandledExceptionHandler"/>) marks them handled so the run
/// survives to report them; a test takes a <see cref="Watch"/> and asserts it saw none.
/// </summary>
internal static class UnhandledExceptions
{
    private static readonly ConcurrentDictionary<Watcher, byte> Watchers = new();
    private static readonly bool Installed = Install();

    /// <summary>Starts recording; dispose to stop.</summary>
    public static Watcher Watch()
    {
        if (!Installed)
        {
            Assert.Inconclusive("Another component set the process-wide unhandled-exception handler; this test cannot watch it.");
        }

        var watcher = new Watcher();
        Watchers[watcher] = 0;
        return watcher;
    }

    private static bool Install()
    {
        try
        {
            ExceptionHandling.SetUnhandledExceptionHandler(exception =>
            {
                foreach (var watcher in Watchers.Keys)
                {
                    watcher.Add(exception);
                }

                TestContext.Progress.WriteLine("Unhandled exception (kept from ending the test run): " + exception);
                return true;
            });
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The unhandled exceptions seen while it is not disposed.</summary>
    internal sealed class Watcher : IDisposable
    {
        private readonly ConcurrentQueue<Exception> _seen = new();
        private readonly TaskCompletionSource<Exception> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>What was seen so far.</summary>
        public IReadOnlyCollection<Exception> Seen => _seen.ToArray();

        /// <summary>Completes with the first unhandled exception.</summary>
        public Task<Exception> First => _first.Task;

        public void Dispose() => Watchers.TryRemove(this, out _);

        internal void Add(Exception exception)
        {
            _seen.Enqueue(exception);
            _first.TrySetResult(exception);
        }
    }
}
