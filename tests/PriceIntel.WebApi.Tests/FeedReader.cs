using System.Text.Json;

namespace PriceIntel.WebApi.Tests;

/// <summary>Reads a Server-Sent Events stream in the background and keeps every (event, data) pair.</summary>
internal sealed class FeedReader : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(string Event, JsonElement Data)> _items = [];
    private readonly Task _reading;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FeedReader(HttpClient client, string path)
    {
        _client = client;
        _reading = Task.Run(() => ReadAsync(path));
    }

    public static async Task<FeedReader> OpenAsync(HttpClient client, string path = "/api/feed")
    {
        var reader = new FeedReader(client, path);
        await reader._connected.Task.WaitAsync(TimeSpan.FromSeconds(15));
        return reader;
    }

    public int StatusCode { get; private set; }

    public List<(string Event, JsonElement Data)> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public async Task<JsonElement> WaitForAsync(string eventType, Func<JsonElement, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var item in Items)
            {
                if (item.Event == eventType && match(item.Data))
                {
                    return item.Data;
                }
            }

            await Task.Delay(25);
        }

        Assert.Fail($"no '{eventType}' item on the feed; got: {string.Join(", ", Items.Select(i => i.Event))}");
        return default;
    }

    private async Task ReadAsync(string path)
    {
        try
        {
            using var response = await _client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            StatusCode = (int)response.StatusCode;
            _connected.TrySetResult();
            if (!response.IsSuccessStatusCode)
            {
                return;
            }

            using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
            using var text = new StreamReader(stream);
            string? eventType = null;
            while (await text.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    eventType = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var data = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                    lock (_items)
                    {
                        _items.Add((eventType ?? "message", data));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Closed by the test.
        }
        catch (HttpRequestException)
        {
            // The host stopped.
        }
        finally
        {
            _connected.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _client.Dispose();
        _stop.Dispose();
    }
}
