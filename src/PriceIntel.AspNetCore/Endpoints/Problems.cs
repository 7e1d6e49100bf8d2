using Microsoft.AspNetCore.Http;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>RFC 9457 problem details as the endpoints answer them.</summary>
internal static class Problems
{
    /// <summary>400 naming the field at fault.</summary>
    public static IResult Field(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] }, title: "The request is invalid", detail: $"{field}: {error}");

    public static IResult Fields(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid", detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));

    public static IResult Status(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);

    /// <summary>404 that says only that nothing of this kind has this id (no hint whether it exists for someone else).</summary>
    public static IResult NotFound(string what) => TypedResults.Problem($"No {what} with this id.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
