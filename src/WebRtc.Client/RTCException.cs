namespace WebRtc.Client;

/// <summary>Base of the W3C WebRTC errors (DOMException names) as .NET exceptions.</summary>
public class RTCException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RTCException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public RTCException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>W3C InvalidStateError: the object is in the wrong state for the call.</summary>
public class InvalidStateException : RTCException
{
    /// <summary>Creates the exception.</summary>
    public InvalidStateException(string message)
        : base(message)
    {
    }
}

/// <summary>W3C InvalidAccessError: a parameter or operation is not supported or not allowed here.</summary>
public class InvalidAccessException : RTCException
{
    /// <summary>Creates the exception.</summary>
    public InvalidAccessException(string message)
        : base(message)
    {
    }
}

/// <summary>W3C OperationError: the operation failed for a reason particular to it.</summary>
public class OperationErrorException : RTCException
{
    /// <summary>Creates the exception.</summary>
    public OperationErrorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
