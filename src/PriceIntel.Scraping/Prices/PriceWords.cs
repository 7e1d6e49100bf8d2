using System.Collections.Frozen;

namespace PriceIntel.Scraping;

/// <summary>What a word near a number says about it.</summary>
internal enum PriceWord : byte
{
    Other = 0,
    Old,          // was, reg., RRP, UVP, statt
    Current,      // now, sale, only, jetzt
    From,         // from, ab, desde, à partir de
    Savings,      // save, you save, sparen
    Off,          // "$5 off"
    Shipping,     // shipping, delivery, Versand
    Threshold,    // over, above, orders, spend
    Free,         // free, gratis, kostenlos
    SoldOutWord,  // ausverkauft, épuisé, unavailable
    Sold,         // "sold" (of "sold out")
    Out,          // "out" (of "sold out", "out of stock")
    Stock,        // "stock"
    For,          // "2 for $5"
    Per,          // per, pro, je
    Unit,         // kg, g, l, ml, lb, oz, m
    Installment,  // month, monthly, /mo, payments
    Tax,          // VAT, MwSt, tax, TVA, IVA
    Including,    // incl., inkl., including
    Excluding,    // excl., exkl., plus, zzgl.
    TaxIncludedWord, // TTC, 税込
    TaxExcludedWord, // HT, 税抜
    To,           // "$10 to $20", bis
    Label,        // price, Preis, prix
    Each,         // each, ea, per piece: says the price is per item, which a shelf price is
    Member,       // member, club, card: a price for card holders only
}

/// <summary>The keyword table of the price parser (lookups by span, no allocation).</summary>
internal static class PriceWords
{
    private static readonly FrozenDictionary<string, PriceWord> Words = Build();
    private static readonly FrozenDictionary<string, PriceWord>.AlternateLookup<ReadOnlySpan<char>> Lookup = Words.GetAlternateLookup<ReadOnlySpan<char>>();

    public static PriceWord Classify(ReadOnlySpan<char> word)
    {
        if (Lookup.TryGetValue(word, out var kind))
        {
            return kind;
        }

        // German and Dutch compounds: "Versandkostenfrei", "Versandkosten", "verzendkosten".
        if (word.StartsWith("versand", StringComparison.OrdinalIgnoreCase) || word.StartsWith("verzend", StringComparison.OrdinalIgnoreCase) ||
            word.StartsWith("shipping", StringComparison.OrdinalIgnoreCase) || word.StartsWith("livraison", StringComparison.OrdinalIgnoreCase))
        {
            return PriceWord.Shipping;
        }

        return PriceWord.Other;
    }

    private static FrozenDictionary<string, PriceWord> Build()
    {
        var map = new Dictionary<string, PriceWord>(StringComparer.OrdinalIgnoreCase);
        void Add(PriceWord kind, string words)
        {
            foreach (var w in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[w] = kind;
            }
        }

        Add(PriceWord.Old, "was war were reg regular regularly orig original originally rrp msrp srp list uvp statt vorher ehemals früher fruher normalpreis listenpreis avant antes prima before compare instead previously prev vorher precedente anteriormente oude van zuvor mrp m.r.p rsp suggested recommended retail valued typical usually adviesprijs normaalprijs ordinarie ord ordinært ordinær veil veiledende vejl vejledende førpris før ovh norm normaali hinta eredeti régi poprzednio przed regularna původní puvodni pôvodné eski piyasa было старая прежняя була стара стара було antigo antiga sugerido recomendado listino invece consigliato prix conseillé conseillé barré barre statt-preis precio-antes αρχική προηγούμενη giá gốc harga normal coret ancien ancienne anciennement było dawniej tidligere tidigare aiemmin korábban πριν قبل القديم السابق الأصلي 舊價 原价 划线价 定價 통상가 기존가");
        Add(PriceWord.Current, "now jetzt nur only sale today deal special ahora maintenant solo offer angebot aktion nu nyt teraz sada sale-price promo agora por apenas somente oferta ofertă сейчас сегодня зараз tilbud tarjous nyní teraz şimdi indirimli akcija sniženo akce promocja promoción promozione offerta aanbieding rea kampanj alennus nouveau nouvelle jest الجديد الآن بعد 现价 現價 促销价 할인가");
        Add(PriceWord.From, "from ab starting starts desde dès des partir partire vanaf från fra od ot от");
        Add(PriceWord.Savings, "save saving savings sparen sparst spare économisez economisez économie ahorra ahorras ahorro risparmi risparmia discount rabatt korting descuento sconto");
        Add(PriceWord.Off, "off");
        Add(PriceWord.Shipping, "shipping ship delivery deliveries postage p&p versand livraison envío envio spedizione frakt fragt porto verzending dostawa doprava доставка 送料 配送");
        Add(PriceWord.Threshold, "over above orders order spend min minimum mindestbestellwert über uber plus-de más mais oltre under below unter moins sous menos sotto onder");
        Add(PriceWord.Free, "free gratis kostenlos kostenfrei gratuit gratuite gratuito gratuita free! бесплатно 無料 免费");
        Add(PriceWord.SoldOutWord, "ausverkauft vergriffen épuisé epuise épuisée agotado agotada esaurito esaurita unavailable soldout uitverkocht slutsåld utsolgt udsolgt wyprzedane vyprodáno нет 売り切れ 在庫切れ 缺货 售罄 품절");
        Add(PriceWord.Sold, "sold");
        Add(PriceWord.Out, "out");
        Add(PriceWord.Stock, "stock");
        Add(PriceWord.For, "for für fur pour por per-pack voor för");
        Add(PriceWord.Per, "per pro je par la le the/");
        Add(PriceWord.Unit, "kg g gr grams gram mg l lt ltr litre liter litres liters ml cl dl lb lbs oz fl m m2 m² m3 cm mm ft sqft yd kilo kilogram 100g 100ml qm kwh");
        Add(PriceWord.Installment, "mo month months monthly mth mtl monat monatlich mois mensuel mes mensual mese payments payment installments instalments raten rate cuotas yr year yearly annually jahr jährlich week weekly wk mese mensile mnd måned månad kk kuukausi miesiąc mies měsíc месяц мес ay parcelas vezes");
        Add(PriceWord.Tax, "vat mwst ust tax taxes tva iva btw gst moms alv dph áfa ндс");
        Add(PriceWord.Including, "incl inkl including inc included inclusive includes inclus incluido incluse inclusa");
        Add(PriceWord.Excluding, "excl exkl excluding ex exclusive zzgl plus hors sin senza");
        Add(PriceWord.TaxIncludedWord, "ttc 税込 含税 brutto");
        Add(PriceWord.TaxExcludedWord, "ht 税抜 税別 不含税 netto");
        Add(PriceWord.To, "to bis à a hasta até tot till");
        Add(PriceWord.Label, "price preis prix precio prezzo preço prijs pris cena цена ціна 価格 价格 가격 our unser notre nuestro fiyat fiyatı hinta ár τιμή harga giá ราคา السعر سعر قیمت hind kaina");
        Add(PriceWord.Each, "each ea ea. apiece piece pc pcs stück stueck pièce pieza unidad cada pezzo cad stuk styck stk шт штука adet kpl szt ks");
        Add(PriceWord.Member, "member members member-price club clubcard card-price card karte kundenkarte tarjeta carte socio socios soci mitglied mitglieder mitgliederpreis membre membres lid leden loyalty prime insider rewards");
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
