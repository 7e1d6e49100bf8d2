using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Diagnostics;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.AspNetCore.Feed;

namespace PriceIntel.WebApi.Tests;

/// <summary>The live feed ends its subscribers when it stops, including those that connect after it stopped.</summary>
public sealed class LiveFeedTests : IDisposable
{
    private static readonly FeedFilter All = new(Signals: true, Decisions: true, SignalSeverity.Info, Product: null);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task A_subscriber_connected_before_the_feed_stops_gets_the_summary_and_then_its_end()
    {
        using var feed = NewFeed();
        await feed.StartAsync(CancellationToken.None);
        using var connection = new CancellationTokenSource();
        var items = ReadAllAsync(feed, connection.Token);
        await WaitUntilAsync(() => feed.SubscriberCount == 1);

        await feed.StopAsync(CancellationToken.None);

        // Ends because the feed stopped, not because the connection was cancelled (it never is here).
        var received = await items.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("summary", received[0]);
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task A_subscriber_that_connects_after_the_feed_stopped_gets_the_summary_and_ends_at_once()
    {
        using var feed = NewFeed();
        await feed.StartAsync(CancellationToken.None);
        await feed.StopAsync(CancellationToken.None);

        using var connection = new CancellationTokenSource();
        var received = await ReadAllAsync(feed, connection.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["summary"], received);
        Assert.Equal(0, feed.SubscriberCount);
        Assert.False(connection.IsCancellationRequested);
    }

    [Fact]
    public async Task A_subscriber_gets_published_decisions_while_the_feed_runs()
    {
        using var feed = NewFeed();
        await feed.StartAsync(CancellationToken.None);
        using var connection = new CancellationTokenSource();
        var items = ReadAllAsync(feed, connection.Token);
        await WaitUntilAsync(() => feed.SubscriberCount == 1);

        feed.PublishDecision(new DecisionDto("D-1", "SKU-1", 10m, 9m, "USD", -0.1, DateTimeOffset.UnixEpoch, Manual: true, Why: null!, DecidedBy: "analyst-1"));
        await feed.StopAsync(CancellationToken.None);

        var received = await items.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("summary", received[0]);
        Assert.Equal(["decision"], received.Where(t => t != "summary")); // summaries come every second besides
    }

    private LiveFeed NewFeed() => new(
        Options.Create(new PriceIntelApiOptions()),
        new EngineStatus(),
        new ApiMetrics(_services.GetRequiredService<IMeterFactory>()));

    private static async Task<List<string>> ReadAllAsync(LiveFeed feed, CancellationToken cancellationToken)
    {
        var types = new List<string>();
        await foreach (var item in feed.SubscribeAsync(All, cancellationToken))
        {
            types.Add(item.EventType);
        }

        return types;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for the subscriber");
            await Task.Delay(10);
        }
    }
}
