using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WebRtc.Client.IntegrationTests.Support;

/// <summary>An <see cref="ILogger"/> that keeps every entry, so a test can wait for one and assert on levels.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Done)> _waiters = new();

    public IReadOnlyCollection<Entry> Entries => _entries.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var entry = new Entry(logLevel, formatter(state, exception), exception);
        _entries.Enqueue(entry);
        lock (_waiters)
        {
            foreach (var (match, done) in _waiters)
            {
                if (match(entry))
                {
                    done.TrySetResult(entry);
                }
            }
        }
    }

    /// <summary>Completes with the first entry (logged before or after the call) that matches.</summary>
    public Task<Entry> WaitFor(Func<Entry, bool> match)
    {
        var done = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((match, done));
            if (_entries.FirstOrDefault(match) is { } earlier)
            {
                done.TrySetResult(earlier);
            }
        }

        return done.Task;
    }

    internal sealed record Entry(LogLevel Level, string Message, Exception? Exception);
}
