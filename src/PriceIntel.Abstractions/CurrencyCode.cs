using System.Runtime.CompilerServices;

namespace PriceIntel;

/// <summary>
/// An ISO 4217 alphabetic currency code (e.g. <c>USD</c>) packed into 16 bits, so events stay small
/// and comparisons are integer compares. <c>default</c> means "no currency".
/// </summary>
public readonly record struct CurrencyCode
{
    private readonly ushort _packed;

    private CurrencyCode(ushort packed) => _packed = packed;

    /// <summary>US dollar.</summary>
    public static CurrencyCode Usd { get; } = Parse("USD");

    /// <summary>Euro.</summary>
    public static CurrencyCode Eur { get; } = Parse("EUR");

    /// <summary>Pound sterling.</summary>
    public static CurrencyCode Gbp { get; } = Parse("GBP");

    /// <summary>True for <c>default</c>, the absence of a currency.</summary>
    public bool IsEmpty => _packed == 0;

    /// <summary>The packed 15-bit value (5 bits a letter); stable across processes.</summary>
    public ushort Value => _packed;

    /// <summary>The code whose packed <see cref="Value"/> is <paramref name="value"/> (0 gives the empty code).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a packed code of three letters.</exception>
    public static CurrencyCode FromValue(ushort value)
    {
        if (value != 0 && (value > 0x7FFF || (value & 31) is 0 or > 26 || ((value >> 5) & 31) is 0 or > 26 || (value >> 10) is 0 or > 26))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Not a packed three-letter currency code.");
        }

        return new CurrencyCode(value);
    }

    /// <summary>Parses a three-letter upper- or lower-case code.</summary>
    /// <exception cref="FormatException">The text is not three ASCII letters.</exception>
    public static CurrencyCode Parse(ReadOnlySpan<char> code)
    {
        if (!TryParse(code, out var result))
        {
            throw new FormatException($"'{code}' is not a three-letter ISO 4217 currency code.");
        }

        return result;
    }

    /// <summary>Parses three ASCII letters; false otherwise. Does not check the code is assigned (see <see cref="IsKnown"/>).</summary>
    public static bool TryParse(ReadOnlySpan<char> code, out CurrencyCode result)
    {
        result = default;
        if (code.Length != 3)
        {
            return false;
        }

        int packed = 0;
        for (int i = 0; i < 3; i++)
        {
            int c = code[i] | 0x20; // ASCII lower-case
            if (c < 'a' || c > 'z')
            {
                return false;
            }

            packed = (packed << 5) | (c - 'a' + 1);
        }

        result = new CurrencyCode((ushort)packed);
        return true;
    }

    /// <summary>Parses three ASCII letters given as UTF-8 bytes; false otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<byte> utf8, out CurrencyCode result)
    {
        result = default;
        if (utf8.Length != 3)
        {
            return false;
        }

        int packed = 0;
        for (int i = 0; i < 3; i++)
        {
            int c = utf8[i] | 0x20;
            if (c < 'a' || c > 'z')
            {
                return false;
            }

            packed = (packed << 5) | (c - 'a' + 1);
        }

        result = new CurrencyCode((ushort)packed);
        return true;
    }

    /// <summary>True when the code is an active ISO 4217 currency (a fixed list of the codes in circulation).</summary>
    public bool IsKnown => !IsEmpty && KnownCurrencies.Contains(_packed);

    /// <summary>
    /// The ISO 4217 minor-unit exponent: the decimals a shelf price has (JPY, KRW, CLP … 0; USD, EUR … 2;
    /// BHD, KWD, JOD, OMR, TND, IQD, LYD 3; CLF, UYW 4). An unlisted three-letter code has 2, the usual case;
    /// the empty code has 4, the full precision of <see cref="Money"/> (no rounding).
    /// </summary>
    public int MinorUnitDigits => IsEmpty ? 4 : MinorUnits.DigitsOf(_packed);

    /// <summary>One minor unit in <see cref="Money"/> ticks: 100 for USD (0.01), 10,000 for JPY (1), 10 for KWD (0.001), 1 for the empty code.</summary>
    public long MinorUnitTicks => MinorUnitDigits switch
    {
        0 => 10_000,
        1 => 1_000,
        2 => 100,
        3 => 10,
        _ => 1,
    };

    /// <summary>Writes the three upper-case letters into <paramref name="destination"/>.</summary>
    /// <returns>3, or 0 when empty.</returns>
    public int Format(Span<char> destination)
    {
        if (IsEmpty)
        {
            return 0;
        }

        destination[0] = (char)('A' - 1 + ((_packed >> 10) & 31));
        destination[1] = (char)('A' - 1 + ((_packed >> 5) & 31));
        destination[2] = (char)('A' - 1 + (_packed & 31));
        return 3;
    }

    /// <summary>Writes the three upper-case letters as UTF-8.</summary>
    /// <returns>3, or 0 when empty.</returns>
    public int Format(Span<byte> utf8Destination)
    {
        if (IsEmpty)
        {
            return 0;
        }

        utf8Destination[0] = (byte)('A' - 1 + ((_packed >> 10) & 31));
        utf8Destination[1] = (byte)('A' - 1 + ((_packed >> 5) & 31));
        utf8Destination[2] = (byte)('A' - 1 + (_packed & 31));
        return 3;
    }

    /// <summary>The code, e.g. <c>EUR</c>, or an empty string.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[3];
        return new string(buffer[..Format(buffer)]);
    }

    private static class MinorUnits
    {
        private static readonly Dictionary<ushort, int> Exceptions = Build();

        public static int DigitsOf(ushort packed) => Exceptions.TryGetValue(packed, out int digits) ? digits : 2;

        private static Dictionary<ushort, int> Build()
        {
            // ISO 4217 currencies whose minor unit is not two decimals (list one, 2024 amendments).
            var map = new Dictionary<ushort, int>();
            foreach (var code in "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".Split(' '))
            {
                map[Parse(code)._packed] = 0;
            }

            foreach (var code in "BHD IQD JOD KWD LYD OMR TND".Split(' '))
            {
                map[Parse(code)._packed] = 3;
            }

            foreach (var code in "CLF UYW".Split(' '))
            {
                map[Parse(code)._packed] = 4;
            }

            return map;
        }
    }

    private static class KnownCurrencies
    {
        private static readonly HashSet<ushort> Codes = Build();

        public static bool Contains(ushort packed) => Codes.Contains(packed);

        private static HashSet<ushort> Build()
        {
            const string iso4217 =
                "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD " +
                "CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP " +
                "GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW " +
                "KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN " +
                "NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL " +
                "SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES " +
                "VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";
            var set = new HashSet<ushort>();
            foreach (var range in iso4217.AsSpan().Split(' '))
            {
                set.Add(Parse(iso4217.AsSpan()[range])._packed);
            }

            return set;
        }
    }
}
