using Microsoft.AspNetCore.Http;

namespace Failsafe.ControlPlane.Api;

/// <summary>A request the server refuses for a reason the caller can act on; becomes an <c>ApiError</c> answer.</summary>
internal sealed class ApiProblemException : Exception
{
    public ApiProblemException(int statusCode, string message)
        : base(message) => StatusCode = statusCode;

    public ApiProblemException()
    {
    }

    public ApiProblemException(string message)
        : base(message)
    {
    }

    public ApiProblemException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public int StatusCode { get; } = StatusCodes.Status400BadRequest;

    public static ApiProblemException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ApiProblemException NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static ApiProblemException Forbidden(string message) => new(StatusCodes.Status403Forbidden, message);

    public static ApiProblemException Conflict(string message) => new(StatusCodes.Status409Conflict, message);

    public static ApiProblemException Unauthorized(string message) => new(StatusCodes.Status401Unauthorized, message);
}
