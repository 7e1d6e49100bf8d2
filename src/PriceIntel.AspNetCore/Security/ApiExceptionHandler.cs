using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace PriceIntel.AspNetCore.Security;

/// <summary>
/// Turns request errors into RFC 9457 problem details: a body that does not bind names the field
/// (from the JSON path), an oversize body is 413, anything else is a 500 that shows no internals.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, Microsoft.Extensions.Logging.ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case BadHttpRequestException { InnerException: JsonException } or JsonException:
                var json = exception as JsonException ?? (JsonException)exception.InnerException!;
                string field = json.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body";
                problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [FirstSentence(json.Message)] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request is invalid",
                    Detail = $"{field}: {FirstSentence(json.Message)}",
                };
                break;
            case BadHttpRequestException bad when BoundParameter(bad.Message) is { } parameter:
                problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [bad.Message] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request is invalid",
                    Detail = $"{parameter}: {bad.Message}",
                };
                break;
            case BadHttpRequestException bad:
                problem = new ProblemDetails
                {
                    Status = bad.StatusCode,
                    Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "The request is invalid",
                    Detail = bad.Message,
                };
                break;
            case PriceIntel.AspNetCore.Engine.EngineNotLocalException notLocal:
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Not available in this deployment",
                    Detail = notLocal.Message,
                };
                break;
            case Confluent.Kafka.KafkaException or TimeoutException when httpContext.RequestServices.GetService(typeof(PriceIntel.AspNetCore.Kafka.KafkaEventIngress)) is not null:
                LogUnhandled(httpContext.Request.Path, exception);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Kafka is not available",
                    Detail = "The events could not be handed to Kafka; retry later. The error was logged.",
                };
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            default:
                LogUnhandled(httpContext.Request.Path, exception);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "The server failed to answer",
                    Detail = "The error was logged; quote the trace id when reporting it.",
                };
                break;
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }

    /// <summary>The parameter of a binding failure: 'Failed to bind parameter "int? limit" from "x".' gives "limit".</summary>
    private static string? BoundParameter(string message)
    {
        const string Prefix = "Failed to bind parameter \"";
        if (!message.StartsWith(Prefix, StringComparison.Ordinal))
        {
            const string Required = "Required parameter \"";
            if (!message.StartsWith(Required, StringComparison.Ordinal))
            {
                return null;
            }

            message = Prefix + message[Required.Length..];
        }

        int end = message.IndexOf('"', Prefix.Length);
        if (end < 0)
        {
            return null;
        }

        string declaration = message[Prefix.Length..end];
        int space = declaration.LastIndexOf(' ');
        string name = space < 0 ? declaration : declaration[(space + 1)..];

        // Parameters bound with [AsParameters] are named by their property (From): the query string says from.
        return name.Length > 0 && char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : name;
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Request {Path} failed")]
    private partial void LogUnhandled(string path, Exception exception);
}
