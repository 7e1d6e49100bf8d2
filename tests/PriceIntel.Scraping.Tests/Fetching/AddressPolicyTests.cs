using System.Net;

namespace PriceIntel.Scraping.Tests.Fetching;

public sealed class AddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "Loopback")]
    [InlineData("127.8.9.10", "Loopback")]
    [InlineData("::1", "Loopback")]
    [InlineData("::ffff:127.0.0.1", "Loopback")]
    [InlineData("10.1.2.3", "NonPublic")]
    [InlineData("172.16.0.1", "NonPublic")]
    [InlineData("172.31.255.255", "NonPublic")]
    [InlineData("192.168.1.1", "NonPublic")]
    [InlineData("169.254.169.254", "NonPublic")]
    [InlineData("100.64.0.1", "NonPublic")]
    [InlineData("100.127.255.254", "NonPublic")]
    [InlineData("0.0.0.0", "NonPublic")]
    [InlineData("224.0.0.1", "NonPublic")]
    [InlineData("255.255.255.255", "NonPublic")]
    [InlineData("198.18.0.1", "NonPublic")]
    [InlineData("fd00::1", "NonPublic")]
    [InlineData("fc12:3456::1", "NonPublic")]
    [InlineData("fe80::1", "NonPublic")]
    [InlineData("::ffff:10.0.0.1", "NonPublic")]
    [InlineData("::ffff:169.254.169.254", "NonPublic")]
    [InlineData("64:ff9b::a9fe:a9fe", "NonPublic")]
    [InlineData("2002:c0a8:0101::1", "NonPublic")]
    [InlineData("::", "NonPublic")]
    [InlineData("ff02::1", "NonPublic")]
    [InlineData("8.8.8.8", "Public")]
    [InlineData("93.184.216.34", "Public")]
    [InlineData("172.32.0.1", "Public")]
    [InlineData("100.128.0.1", "Public")]
    [InlineData("2606:4700::1111", "Public")]
    [InlineData("::ffff:8.8.8.8", "Public")]
    public void Classifies(string address, string expected) =>
        Assert.Equal(Enum.Parse<AddressKind>(expected), AddressPolicy.Classify(IPAddress.Parse(address)));

    [Fact]
    public void Only_public_addresses_are_allowed_by_default()
    {
        var options = new FetcherOptions();
        Assert.True(AddressPolicy.IsAllowed(IPAddress.Parse("8.8.8.8"), options));
        Assert.False(AddressPolicy.IsAllowed(IPAddress.Loopback, options));
        Assert.False(AddressPolicy.IsAllowed(IPAddress.Parse("10.0.0.1"), options));
        options.AllowLoopback = true;
        Assert.True(AddressPolicy.IsAllowed(IPAddress.Loopback, options));
        Assert.False(AddressPolicy.IsAllowed(IPAddress.Parse("10.0.0.1"), options));
        options.AllowPrivateNetworks = true;
        Assert.True(AddressPolicy.IsAllowed(IPAddress.Parse("169.254.169.254"), options));
    }
}
