namespace PriceIntel.Scraping.Tests.Fetching;

public sealed class RobotsTxtTests
{
    private const string Sample = """
        # comment
        User-agent: *
        Disallow: /private
        Disallow: /*.pdf$
        Allow: /private/open
        Crawl-delay: 5

        User-agent: OtherBot
        Disallow: /

        User-agent: priceintelbot
        User-agent: SomethingElse
        Disallow: /cart
        Allow: /cart/ok$
        """;

    [Theory]
    [InlineData("*", "/private/x", false)]
    [InlineData("*", "/private/open/x", true)]
    [InlineData("*", "/public", true)]
    [InlineData("*", "/doc.pdf", false)]
    [InlineData("*", "/doc.pdf?x=1", true)]
    [InlineData("*", "/robots.txt", true)]
    [InlineData("PriceIntelBot", "/private/x", true)]
    [InlineData("PriceIntelBot", "/cart/1", false)]
    [InlineData("PriceIntelBot", "/cart/ok", true)]
    [InlineData("PriceIntelBot", "/cart/ok/more", false)]
    [InlineData("OtherBot", "/anything", false)]
    public void Matches_rules_for_the_agent(string agent, string path, bool allowed)
    {
        var token = agent == "*" ? "UnlistedBot" : agent;
        var robots = RobotsTxt.Parse(Sample, token);
        Assert.Equal(allowed, robots.IsAllowed(new Uri("https://shop.example" + path)));
    }

    [Fact]
    public void Allow_wins_a_tie_and_longest_match_wins()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /a\nAllow: /a\nDisallow: /b/c\nAllow: /b", "X");
        Assert.True(robots.IsAllowed(new Uri("https://s.example/a")));
        Assert.False(robots.IsAllowed(new Uri("https://s.example/b/c/d")));
        Assert.True(robots.IsAllowed(new Uri("https://s.example/b/x")));
    }

    [Fact]
    public void Crawl_delay_is_read_for_the_group()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), RobotsTxt.Parse(Sample, "UnlistedBot").CrawlDelay);
        Assert.Null(RobotsTxt.Parse(Sample, "PriceIntelBot").CrawlDelay);
    }

    [Fact]
    public void Empty_disallow_allows_everything_and_wildcards_do_not_backtrack_badly()
    {
        Assert.True(RobotsTxt.Parse("User-agent: *\nDisallow:", "X").IsAllowed(new Uri("https://s.example/x")));
        var pattern = "/" + string.Concat(Enumerable.Repeat("*a", 30)) + "$";
        Assert.False(RobotsTxt.Matches(pattern, "/" + new string('a', 29) + "b"));
        Assert.True(RobotsTxt.Matches(pattern, "/" + new string('a', 40)));
    }
}
