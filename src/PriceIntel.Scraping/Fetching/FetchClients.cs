using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Timeout;

namespace PriceIntel.Scraping;

/// <summary>What the fetcher's HTTP clients are built from: options, logger and the DNS resolver (tests swap it).</summary>
internal sealed class FetchSettings(FetcherOptions options, ILogger? logger, Func<string, CancellationToken, Task<IPAddress[]>>? resolve)
{
    public FetcherOptions Options { get; } = options;

    public ILogger Logger { get; } = logger ?? NullLogger.Instance;

    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; } = resolve ?? Dns.GetHostAddressesAsync;
}

/// <summary>Thrown inside the connect step when a host resolves only to addresses the operator has not allowed.</summary>
internal sealed class BlockedAddressException(string message) : IOException(message);

/// <summary>
/// The fetcher's two named <see cref="HttpClient"/>s, through <see cref="IHttpClientFactory"/>:
/// <list type="bullet">
/// <item>pages: Polly retry (exponential backoff with jitter, Retry-After honoured) and a circuit breaker per
/// host (<c>SelectPipelineByAuthority</c>), then the per-host limiters (<see cref="HostLimits"/>), then the
/// per-attempt timeout, then the SSRF-checking socket handler;</item>
/// <item>robots.txt: the same limiters and timeout, no retry (RFC 9309 decides on the first answer).</item>
/// </list>
/// </summary>
internal static class FetchClients
{
    public const string Pages = "PriceIntel.Scraping.Pages";
    public const string Robots = "PriceIntel.Scraping.Robots";

    /// <summary>Registers both clients; needs a <see cref="FetchSettings"/> singleton (and uses a registered <see cref="TimeProvider"/>).</summary>
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp => new HostLimits(sp.GetRequiredService<FetchSettings>().Options.PerHostConcurrency, TimeOf(sp)));

        services.AddHttpClient(Pages, ConfigureClient)
            .ConfigurePrimaryHttpMessageHandler(PrimaryHandler)
            .SetHandlerLifetime(TimeSpan.FromMinutes(5))
            .AddResilienceHandler("priceintel-fetch-retry", ConfigureRetry)
            .SelectPipelineByAuthority();
        services.AddHttpClient(Pages)
            .AddHttpMessageHandler(sp => new HostPacingHandler(sp.GetRequiredService<HostLimits>(), TimeOf(sp)))
            .AddResilienceHandler("priceintel-fetch-attempt", ConfigureAttemptTimeout);

        services.AddHttpClient(Robots, ConfigureClient)
            .ConfigurePrimaryHttpMessageHandler(PrimaryHandler)
            .SetHandlerLifetime(TimeSpan.FromMinutes(5))
            .AddHttpMessageHandler(sp => new HostPacingHandler(sp.GetRequiredService<HostLimits>(), TimeOf(sp)))
            .AddResilienceHandler("priceintel-robots-attempt", ConfigureAttemptTimeout);
    }

    private static TimeProvider TimeOf(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;

    private static void ConfigureClient(HttpClient client) => client.Timeout = Timeout.InfiniteTimeSpan;

    private static SocketsHttpHandler PrimaryHandler(IServiceProvider services)
    {
        var settings = services.GetRequiredService<FetchSettings>();
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = settings.Options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = settings.Options.PerHostConcurrency,
            MaxResponseHeadersLength = 64,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(settings, context, cancellationToken),
        };
    }

    private static void ConfigureAttemptTimeout(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        builder.TimeProvider = TimeOf(context.ServiceProvider);
        var options = context.ServiceProvider.GetRequiredService<FetchSettings>().Options;
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.RequestTimeout });
    }

    private static void ConfigureRetry(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        var time = TimeOf(context.ServiceProvider);
        builder.TimeProvider = time;
        var settings = context.ServiceProvider.GetRequiredService<FetchSettings>();
        var options = settings.Options;
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = TimeSpan.FromMinutes(10),
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, options, time)),
                OnRetry = args =>
                {
                    LogRetry(settings.Logger, args.Context.GetRequestMessage()?.RequestUri, Describe(args.Outcome), args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = options.CircuitMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(60),
            BreakDuration = options.CircuitBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
        });
    }

    /// <summary>Retry 429, 500, 502, 503, 504, timeouts and network errors; never a refused address or a Retry-After longer than allowed.</summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, FetcherOptions options, TimeProvider time)
    {
        if (outcome.Result is { } response)
        {
            int status = (int)response.StatusCode;
            if (status is 429 or 503 && HostPacingHandler.RetryAfter(response.Headers.RetryAfter, time) is { } wait && wait > options.MaxRetryAfter)
            {
                return false;
            }

            return status is 429 or 500 or 502 or 503 or 504;
        }

        return outcome.Exception switch
        {
            HttpRequestException e => FindBlocked(e) is null,
            TimeoutRejectedException => true,
            _ => false,
        };
    }

    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response
            ? (int)response.StatusCode is 429 or >= 500
            : outcome.Exception is TimeoutRejectedException || (outcome.Exception is HttpRequestException e && FindBlocked(e) is null);

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response ? $"HTTP {(int)response.StatusCode}" : outcome.Exception?.GetType().Name ?? "failure";

    internal static BlockedAddressException? FindBlocked(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is BlockedAddressException blocked)
            {
                return blocked;
            }
        }

        return null;
    }

    /// <summary>The SSRF guard: resolves the name, keeps only allowed addresses and connects to one of those.</summary>
    private static async ValueTask<Stream> ConnectAsync(FetchSettings settings, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await settings.Resolve(host, cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        bool anyAllowed = false;
        foreach (var address in addresses)
        {
            if (!AddressPolicy.IsAllowed(address, settings.Options))
            {
                continue;
            }

            anyAllowed = true;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        if (!anyAllowed)
        {
            throw new BlockedAddressException($"{host} resolves only to addresses that are not allowed ({Describe(addresses)}); set AllowLoopback or AllowPrivateNetworks to reach them");
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static string Describe(IPAddress[] addresses)
    {
        if (addresses.Length == 0)
        {
            return "none";
        }

        var parts = new string[Math.Min(addresses.Length, 4)];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = $"{addresses[i]} {AddressPolicy.Classify(addresses[i]).ToString().ToLowerInvariant()}";
        }

        return string.Join(", ", parts);
    }

    private static void LogRetry(ILogger logger, Uri? url, string reason, double delayMs) => RetryMessage(logger, url, reason, delayMs, null);

    private static readonly Action<ILogger, Uri?, string, double, Exception?> RetryMessage =
        LoggerMessage.Define<Uri?, string, double>(LogLevel.Information, new EventId(1, "Retry"), "Retrying {Url} after {Reason} in {DelayMs:0} ms");
}
