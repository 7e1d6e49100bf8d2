using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PriceIntel.AspNetCore.Security;

/// <summary>
/// What a client is told when its request cannot be used, in the API's words rather than the
/// framework's: no .NET type names ("Nullable&lt;int&gt;", "PriceIntel.AspNetCore.Contracts.…"), and an
/// empty 401/403/415 gets a sentence saying what to send.
/// </summary>
internal static class RequestErrorText
{
    /// <summary>A body that did not deserialize: the field's problem without the framework's type names.</summary>
    public static string Json(JsonException exception)
    {
        string message = exception.Message;
        int end = message.IndexOf(". Path:", StringComparison.Ordinal);
        if (end > 0)
        {
            message = message[..end];
        }

        const string Unmapped = "The JSON property '";
        if (message.StartsWith(Unmapped, StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            int close = message.IndexOf('\'', Unmapped.Length);
            return close > 0 ? $"unknown property '{message[Unmapped.Length..close]}'" : "unknown property";
        }

        if (message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            return exception.Path is null or "$"
                ? "the body must be a JSON object"
                : "the value has the wrong JSON type or is out of range";
        }

        if (message.StartsWith("The JSON object contains a trailing comma", StringComparison.Ordinal)
            || message.Contains("LineNumber:", StringComparison.Ordinal))
        {
            return $"not valid JSON: {message}";
        }

        return message;
    }

    /// <summary>
    /// A query or route value that did not bind ('Failed to bind parameter "Nullable&lt;int&gt; Limit" from "abc".'):
    /// the parameter and "limit must be an integer; got 'abc'". False for other messages.
    /// </summary>
    public static bool TryBinding(string message, out string parameter, out string text)
    {
        parameter = string.Empty;
        text = string.Empty;
        const string Prefix = "Failed to bind parameter \"";
        const string Required = "Required parameter \"";
        bool required = message.StartsWith(Required, StringComparison.Ordinal);
        if (!required && !message.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        int start = required ? Required.Length : Prefix.Length;
        int end = message.IndexOf('"', start);
        if (end < 0)
        {
            return false;
        }

        string declaration = message[start..end];
        int space = declaration.LastIndexOf(' ');
        string name = space < 0 ? declaration : declaration[(space + 1)..];
        string type = space < 0 ? string.Empty : declaration[..space];

        // Parameters bound with [AsParameters] are named by their property (From): the query string says from.
        parameter = name.Length > 0 && char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : name;
        if (parameter.Length == 0)
        {
            return false;
        }

        if (required)
        {
            text = $"{parameter} is required";
            return true;
        }

        const string From = " from \"";
        int value = message.IndexOf(From, end, StringComparison.Ordinal);
        string got = value < 0 ? string.Empty : message[(value + From.Length)..].TrimEnd('.').TrimEnd('"');
        text = $"{parameter} must be {Expected(type)}; got '{got}'";
        return true;
    }

    /// <summary>The sentence for a problem the framework answered without one (401, 403, an unrouted 404, 415), else null.</summary>
    public static string? ForStatus(HttpContext context, int status)
    {
        var request = context.Request;
        return status switch
        {
            StatusCodes.Status401Unauthorized when request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) =>
                "The API key in X-Api-Key is not valid (unknown or revoked).",
            StatusCodes.Status401Unauthorized when request.Headers.Authorization.Count > 0 || request.Query.ContainsKey("access_token") =>
                $"The bearer token was refused: {BearerError(context) ?? "it is malformed, expired, or not signed for this API"}.",
            StatusCodes.Status401Unauthorized =>
                "Send an API key in the X-Api-Key header or a JWT in 'Authorization: Bearer …'.",
            StatusCodes.Status403Forbidden =>
                "The caller's role does not allow this request (roles: viewer, analyst, pricing-manager, admin, ingest).",
            StatusCodes.Status404NotFound when context.GetEndpoint() is null =>
                "No endpoint at this path; /openapi/v1.json lists them.",
            StatusCodes.Status415UnsupportedMediaType =>
                $"Content-Type '{(string.IsNullOrEmpty(request.ContentType) ? "(none)" : request.ContentType)}' is not accepted here: send application/json (application/x-ndjson to /api/ingest/events).",
            _ => null,
        };
    }

    private static string? BearerError(HttpContext context)
    {
        foreach (var header in context.Response.Headers.WWWAuthenticate)
        {
            const string Key = "error_description=\"";
            int start = header?.IndexOf(Key, StringComparison.Ordinal) ?? -1;
            if (start >= 0)
            {
                int end = header!.IndexOf('"', start + Key.Length);
                if (end > start)
                {
                    return header[(start + Key.Length)..end].TrimEnd('.');
                }
            }
        }

        return null;
    }

    private static string Expected(string type) => type.Replace("Nullable<", string.Empty, StringComparison.Ordinal).TrimEnd('>', '?') switch
    {
        "int" or "long" or "short" or "Int32" or "Int64" => "an integer",
        "double" or "decimal" or "float" or "Double" or "Decimal" => "a number",
        "bool" or "Boolean" => "true or false",
        "DateTimeOffset" or "DateTime" => "a date and time (ISO 8601, e.g. 2026-12-03T18:00:00Z)",
        "Guid" => "a GUID",
        _ => "a valid value",
    };
}
