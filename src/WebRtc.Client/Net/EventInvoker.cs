using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Net;

/// <summary>
/// Raises user events so that one throwing handler neither reaches the stack nor keeps the
/// handlers after it from running (a plain multicast invoke stops at the first exception).
/// </summary>
internal static class EventInvoker
{
    public static void Raise<T>(EventHandler<T>? handler, object sender, T args, ILogger logger, string eventName)
    {
        if (handler is null)
        {
            return;
        }

        foreach (var single in handler.GetInvocationList())
        {
            try
            {
                ((EventHandler<T>)single)(sender, args);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A handler of {Event} threw; the stack carries on", eventName);
            }
        }
    }

    public static void Raise(EventHandler? handler, object sender, ILogger logger, string eventName)
    {
        if (handler is null)
        {
            return;
        }

        foreach (var single in handler.GetInvocationList())
        {
            try
            {
                ((EventHandler)single)(sender, EventArgs.Empty);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A handler of {Event} threw; the stack carries on", eventName);
            }
        }
    }
}
