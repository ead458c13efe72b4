using System.Globalization;
using Microsoft.Extensions.Logging;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// Our stack's log on the test's live output, with times, so it lines up with the foreign peer's
/// events and stderr that INTEROP_VERBOSE=1 shows (ForeignPeer). Null unless INTEROP_VERBOSE=1.
/// </summary>
public sealed class ProgressLoggerFactory : ILoggerFactory
{
    private ProgressLoggerFactory()
    {
    }

    /// <summary>The factory when INTEROP_VERBOSE=1, else null (nothing logged).</summary>
    public static ILoggerFactory? WhenVerbose { get; } =
        Environment.GetEnvironmentVariable("INTEROP_VERBOSE") == "1" ? new ProgressLoggerFactory() : null;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} [ours {logLevel} {category}] {formatter(state, exception)}");
            TestContext.Progress.WriteLine(exception is null ? line : line + " " + exception);
        }
    }
}
