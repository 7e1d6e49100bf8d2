using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>Query-string checks shared by the list endpoints; each failure is a problem naming the parameter.</summary>
internal static class QueryArgs
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    public static bool TryLimit(int? limit, out int value, [NotNullWhen(false)] out IResult? problem)
    {
        value = limit ?? DefaultLimit;
        if (value is < 1 or > MaxLimit)
        {
            problem = Problems.Field("limit", $"limit must be between 1 and {MaxLimit}; got {value}");
            return false;
        }

        problem = null;
        return true;
    }

    public static bool TryRange(DateTimeOffset? from, DateTimeOffset? to, [NotNullWhen(false)] out IResult? problem)
    {
        problem = from is { } f && to is { } t && f > t ? Problems.Field("from", "from must not be after to") : null;
        return problem is null;
    }

    public static bool TryCursor(string? cursor, bool keyCursor, [NotNullWhen(false)] out IResult? problem)
    {
        bool valid = cursor is null || (keyCursor ? StoreCursor.TryDecodeKey(cursor, out _) : StoreCursor.TryDecode(cursor, out _, out _));
        problem = valid ? null : Problems.Field("cursor", "cursor is not one this API issued");
        return valid;
    }

    /// <summary>Parses an enum given in snake_case (as the API writes it) or its C# name.</summary>
    public static bool TryEnum<T>(string? text, string field, out T? value, [NotNullWhen(false)] out IResult? problem)
        where T : struct, Enum
    {
        value = null;
        problem = null;
        if (text is null)
        {
            return true;
        }

        foreach (var candidate in Enum.GetValues<T>())
        {
            string name = candidate.ToString();
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase) || string.Equals(text, JsonNamingPolicy.SnakeCaseLower.ConvertName(name), StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        var names = Enum.GetNames<T>().Where(n => n != "None").Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n));
        problem = Problems.Field(field, $"unknown {field} '{Check.Shorten(text)}'; expected one of {string.Join(", ", names)}");
        return false;
    }
}

/// <summary>
/// The paging query parameters every list endpoint takes (<c>limit</c>, <c>cursor</c>), bound with
/// <c>[AsParameters]</c> and checked in one place.
/// </summary>
internal readonly struct PageArgs
{
    /// <summary>Items per page, 1 to <see cref="QueryArgs.MaxLimit"/>; default <see cref="QueryArgs.DefaultLimit"/>.</summary>
    [FromQuery(Name = "limit")]
    public int? Limit { get; init; }

    /// <summary>The next page's cursor from the previous page.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>Checks both; <paramref name="keyCursor"/> for key-ordered lists (the catalog), time-ordered otherwise.</summary>
    public bool TryCheck(bool keyCursor, out int take, [NotNullWhen(false)] out IResult? problem) =>
        QueryArgs.TryLimit(Limit, out take, out problem) && QueryArgs.TryCursor(Cursor, keyCursor, out problem);
}

/// <summary>
/// The paging and time-range query parameters of the time-ordered lists (signals, decisions, price history):
/// <c>from</c>, <c>to</c>, <c>limit</c>, <c>cursor</c>, bound with <c>[AsParameters]</c> and checked in one place.
/// </summary>
internal readonly struct TimePageArgs
{
    /// <summary>Oldest time included.</summary>
    [FromQuery(Name = "from")]
    public DateTimeOffset? From { get; init; }

    /// <summary>Newest time included.</summary>
    [FromQuery(Name = "to")]
    public DateTimeOffset? To { get; init; }

    /// <summary>Items per page, 1 to <see cref="QueryArgs.MaxLimit"/>; default <see cref="QueryArgs.DefaultLimit"/>.</summary>
    [FromQuery(Name = "limit")]
    public int? Limit { get; init; }

    /// <summary>The next page's cursor from the previous page.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>Checks the limit, that <c>from</c> is not after <c>to</c>, and the cursor.</summary>
    public bool TryCheck(out int take, [NotNullWhen(false)] out IResult? problem) =>
        QueryArgs.TryLimit(Limit, out take, out problem)
        && QueryArgs.TryRange(From, To, out problem)
        && QueryArgs.TryCursor(Cursor, keyCursor: false, out problem);
}
