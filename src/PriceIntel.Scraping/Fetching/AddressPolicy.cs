using System.Net;
using System.Net.Sockets;

namespace PriceIntel.Scraping;

/// <summary>What kind of network an address belongs to.</summary>
internal enum AddressKind : byte
{
    Public = 0,
    Loopback = 1,

    /// <summary>Private (RFC 1918), link-local (incl. cloud metadata 169.254.169.254), CGNAT, ULA, site-local, unspecified, multicast, documentation and reserved ranges.</summary>
    NonPublic = 2,
}

/// <summary>The SSRF guard's address rules. IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address inside them.</summary>
internal static class AddressPolicy
{
    public static AddressKind Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return ClassifyV4(address.MapToIPv4());
            }

            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            if (IPAddress.IPv6Loopback.Equals(address))
            {
                return AddressKind.Loopback;
            }

            if (IPAddress.IPv6None.Equals(address) || IPAddress.IPv6Any.Equals(address))
            {
                return AddressKind.NonPublic;
            }

            // ::a.b.c.d (deprecated IPv4-compatible) and 64:ff9b::a.b.c.d (NAT64).
            bool firstTwelveZero = b[..12].IndexOfAnyExcept((byte)0) < 0;
            bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].IndexOfAnyExcept((byte)0) < 0;
            if (firstTwelveZero || nat64)
            {
                return ClassifyV4(new IPAddress(b[12..16]));
            }

            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return ClassifyV4(new IPAddress(b[2..6])); // 6to4
            }

            if ((b[0] & 0xfe) == 0xfc || // fc00::/7 unique local
                (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || // fe80::/10 link-local
                (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || // fec0::/10 site-local
                b[0] == 0xff || // multicast
                (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) || // 2001:db8::/32 documentation
                (b[0] == 0x01 && b[1..8].IndexOfAnyExcept((byte)0) < 0)) // 100::/64 discard
            {
                return AddressKind.NonPublic;
            }

            return AddressKind.Public;
        }

        return address.AddressFamily == AddressFamily.InterNetwork ? ClassifyV4(address) : AddressKind.NonPublic;
    }

    public static bool IsAllowed(IPAddress address, FetcherOptions options) => Classify(address) switch
    {
        AddressKind.Public => true,
        AddressKind.Loopback => options.AllowLoopback,
        _ => options.AllowPrivateNetworks,
    };

    private static AddressKind ClassifyV4(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        if (b[0] == 127)
        {
            return AddressKind.Loopback;
        }

        bool nonPublic =
            b[0] == 0 || // 0.0.0.0/8 "this network"
            b[0] == 10 || // 10/8
            (b[0] == 100 && (b[1] & 0xc0) == 64) || // 100.64/10 CGNAT
            (b[0] == 169 && b[1] == 254) || // 169.254/16 link-local, cloud metadata
            (b[0] == 172 && (b[1] & 0xf0) == 16) || // 172.16/12
            (b[0] == 192 && b[1] == 0 && b[2] == 0) || // 192.0.0/24 IETF
            (b[0] == 192 && b[1] == 0 && b[2] == 2) || // TEST-NET-1
            (b[0] == 192 && b[1] == 88 && b[2] == 99) || // 6to4 relay anycast
            (b[0] == 192 && b[1] == 168) || // 192.168/16
            (b[0] == 198 && (b[1] & 0xfe) == 18) || // 198.18/15 benchmarking
            (b[0] == 198 && b[1] == 51 && b[2] == 100) || // TEST-NET-2
            (b[0] == 203 && b[1] == 0 && b[2] == 113) || // TEST-NET-3
            b[0] >= 224; // multicast, reserved, broadcast
        return nonPublic ? AddressKind.NonPublic : AddressKind.Public;
    }
}
