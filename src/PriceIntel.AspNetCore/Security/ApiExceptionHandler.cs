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
                string text = RequestErrorText.Json(json);
                problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [text] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request is invalid",
                    Detail = $"{field}: {text}",
                };
                break;
            case BadHttpRequestException bad when RequestErrorText.TryBinding(bad.Message, out var parameter, out var binding):
                problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [binding] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request is invalid",
                    Detail = $"{parameter}: {binding}",
                };
                break;
            case BadHttpRequestException bad when bad.Message.Contains("no body was provided", StringComparison.Ordinal):
                problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = ["the request needs a JSON body"] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request is invalid",
                    Detail = "body: the request needs a JSON body",
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

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Request {Path} failed")]
    private partial void LogUnhandled(string path, Exception exception);
}
