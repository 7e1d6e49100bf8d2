using System.Globalization;

namespace PriceIntel.Scraping.Tests.Prices;

/// <summary>
/// The price-string table: one row per real-world shape. Columns: text ‖ currency hint ‖ decimal
/// separator hint ‖ expected, where expected is "amount CODE", "amount ?" (no currency), or a status.
/// </summary>
public sealed class PriceTextTableTests
{
    private const string Table = """
        $19.99 ‖ ‖ ‖ 19.99 ?
        $19.99 ‖ USD ‖ ‖ 19.99 USD
        $1,299.99 ‖ USD ‖ ‖ 1299.99 USD
        $1,299 ‖ USD ‖ ‖ 1299 USD
        $1,500 ‖ ‖ ‖ 1500 ?
        US$ 49.00 ‖ ‖ ‖ 49 USD
        US$49 ‖ ‖ ‖ 49 USD
        USD 49.95 ‖ ‖ ‖ 49.95 USD
        49.95 USD ‖ ‖ ‖ 49.95 USD
        $49.95 USD ‖ ‖ ‖ 49.95 USD
        C$ 25.00 ‖ ‖ ‖ 25 CAD
        CA$25 ‖ ‖ ‖ 25 CAD
        A$ 89.95 ‖ ‖ ‖ 89.95 AUD
        AU$89.95 ‖ ‖ ‖ 89.95 AUD
        NZ$120 ‖ ‖ ‖ 120 NZD
        HK$ 1,280 ‖ ‖ ‖ 1280 HKD
        S$ 15.90 ‖ ‖ ‖ 15.9 SGD
        NT$ 1,990 ‖ ‖ ‖ 1990 TWD
        MX$ 1,299.00 ‖ ‖ ‖ 1299 MXN
        $ 1,299.00 ‖ MXN ‖ ‖ 1299 MXN
        $1.299,00 ‖ ARS ‖ ‖ 1299 ARS
        $ 12.990 ‖ CLP ‖ ‖ 12990 CLP
        $ 129.900 ‖ COP ‖ , ‖ 129900 COP
        R$ 1.234,56 ‖ ‖ ‖ 1234.56 BRL
        R$1.234,56 ‖ ‖ ‖ 1234.56 BRL
        R$ 99,90 ‖ ‖ ‖ 99.9 BRL
        €19,99 ‖ ‖ ‖ 19.99 EUR
        19,99 € ‖ ‖ ‖ 19.99 EUR
        19,99€ ‖ ‖ ‖ 19.99 EUR
        € 19,99 ‖ ‖ ‖ 19.99 EUR
        1.299,99 € ‖ ‖ ‖ 1299.99 EUR
        1 299,99 € ‖ ‖ ‖ 1299.99 EUR
        1 299,99 € ‖ ‖ ‖ 1299.99 EUR
        1 299,99 € ‖ ‖ ‖ 1299.99 EUR
        € 1.299,- ‖ ‖ ‖ 1299 EUR
        € 12,- ‖ ‖ ‖ 12 EUR
        12,– € ‖ ‖ ‖ 12 EUR
        €1,299.99 ‖ ‖ . ‖ 1299.99 EUR
        €3.350 ‖ ‖ ‖ 3350 EUR
        3.350 € ‖ ‖ ‖ 3350 EUR
        3.350 ‖ EUR ‖ ‖ 3350 EUR
        3.350 ‖ ‖ ‖ Ambiguous
        3,350 ‖ ‖ ‖ Ambiguous
        3.350 ‖ ‖ , ‖ 3350 ?
        3.350 ‖ ‖ . ‖ 3.35 ?
        3.350 ‖ KWD ‖ ‖ 3.35 KWD
        KWD 3.350 ‖ ‖ ‖ 3.35 KWD
        3,350 د.ك ‖ ‖ ‖ 3.35 KWD
        BHD 12.500 ‖ ‖ ‖ 12.5 BHD
        OMR 1.250 ‖ ‖ ‖ 1.25 OMR
        19.99 ‖ ‖ ‖ 19.99 ?
        19,99 ‖ ‖ ‖ 19.99 ?
        19.99 ‖ GBP ‖ ‖ 19.99 GBP
        1299 ‖ ‖ ‖ 1299 ?
        Price: 19.99 ‖ USD ‖ ‖ 19.99 USD
        EUR 1.234,50 ‖ ‖ ‖ 1234.5 EUR
        1.234,50 EUR ‖ ‖ ‖ 1234.5 EUR
        Euro 12,50 ‖ ‖ ‖ 12.5 EUR
        12,50 Euro ‖ ‖ ‖ 12.5 EUR
        12.50 euros ‖ ‖ ‖ 12.5 EUR
        £9.99 ‖ ‖ ‖ 9.99 GBP
        £1,249.00 ‖ ‖ ‖ 1249 GBP
        GBP 9.99 ‖ ‖ ‖ 9.99 GBP
        £9 ‖ ‖ ‖ 9 GBP
        £0.99 ‖ ‖ ‖ 0.99 GBP
        99p ‖ GBP ‖ ‖ NoPrice
        £.99 ‖ ‖ ‖ 0.99 GBP
        $.99 ‖ USD ‖ ‖ 0.99 USD
        ¥1,280 ‖ ‖ ‖ 1280 ?
        ¥1,280 ‖ JPY ‖ ‖ 1280 JPY
        ¥128.00 ‖ CNY ‖ ‖ 128 CNY
        ￥1,280 ‖ JPY ‖ ‖ 1280 JPY
        1,280円 ‖ ‖ ‖ 1280 JPY
        1,280円（税込） ‖ ‖ ‖ 1280 JPY
        税込1,280円 ‖ ‖ ‖ 1280 JPY
        価格：¥3,980 ‖ JPY ‖ ‖ 3980 JPY
        JP¥ 3,980 ‖ ‖ ‖ 3980 JPY
        CN¥ 299 ‖ ‖ ‖ 299 CNY
        128元 ‖ ‖ ‖ 128 CNY
        RMB 128.50 ‖ ‖ ‖ 128.5 CNY
        ¥ 1.280 ‖ JPY ‖ ‖ 1280 JPY
        ₩12,900 ‖ ‖ ‖ 12900 KRW
        12,900원 ‖ ‖ ‖ 12900 KRW
        ₹1,29,999 ‖ ‖ ‖ 129999 INR
        ₹ 1,29,999.50 ‖ ‖ ‖ 129999.5 INR
        ₹499 ‖ ‖ ‖ 499 INR
        Rs. 1,499 ‖ INR ‖ ‖ 1499 INR
        Rs 1,499 ‖ PKR ‖ ‖ 1499 PKR
        Rs. 1,499 ‖ ‖ ‖ 1499 ?
        INR 2,499.00 ‖ ‖ ‖ 2499 INR
        1 234,56 руб. ‖ ‖ ‖ 1234.56 RUB
        1 234 ₽ ‖ ‖ ‖ 1234 RUB
        1234 руб ‖ ‖ ‖ 1234 RUB
        999 р. ‖ ‖ ‖ 999 RUB
        1 234,56 zł ‖ ‖ ‖ 1234.56 PLN
        49,99 zł ‖ ‖ ‖ 49.99 PLN
        1 234 Kč ‖ ‖ ‖ 1234 CZK
        1 234,- Kč ‖ ‖ ‖ 1234 CZK
        12 990 Ft ‖ ‖ ‖ 12990 HUF
        129,99 lei ‖ ‖ ‖ 129.99 RON
        49,90 лв. ‖ ‖ ‖ 49.9 BGN
        1 299 грн ‖ ‖ ‖ 1299 UAH
        1 299 ₴ ‖ ‖ ‖ 1299 UAH
        CHF 1'299.50 ‖ ‖ ‖ 1299.5 CHF
        CHF 1’299.50 ‖ ‖ ‖ 1299.5 CHF
        Fr. 49.– ‖ ‖ ‖ 49 CHF
        CHF 49.- ‖ ‖ ‖ 49 CHF
        SFr. 12.90 ‖ ‖ ‖ 12.9 CHF
        1 299 kr ‖ SEK ‖ ‖ 1299 SEK
        1 299:- ‖ SEK ‖ ‖ 1299 SEK
        1 299 kr ‖ ‖ ‖ 1299 ?
        kr 1 299,- ‖ NOK ‖ ‖ 1299 NOK
        1.299,95 kr. ‖ DKK ‖ ‖ 1299.95 DKK
        12.990 kr. ‖ ISK ‖ ‖ 12990 ISK
        ₺1.299,99 ‖ ‖ ‖ 1299.99 TRY
        1.299,99 TL ‖ ‖ ‖ 1299.99 TRY
        ₪1,234.56 ‖ ‖ ‖ 1234.56 ILS
        1,234.56 ₪ ‖ ‖ ‖ 1234.56 ILS
        1.290.000₫ ‖ ‖ ‖ 1290000 VND
        1.290.000 đ ‖ ‖ ‖ 1290000 VND
        Rp 1.290.000 ‖ ‖ ‖ 1290000 IDR
        Rp1.290.000,00 ‖ ‖ ‖ 1290000 IDR
        Rp 15.000 ‖ ‖ ‖ 15000 IDR
        ฿1,290 ‖ ‖ ‖ 1290 THB
        ₱1,299.00 ‖ ‖ ‖ 1299 PHP
        RM 129.00 ‖ ‖ ‖ 129 MYR
        R 1 299,00 ‖ ‖ ‖ 1299 ZAR
        R1 299 ‖ ‖ ‖ 1299 ZAR
        ₦25,000 ‖ ‖ ‖ 25000 NGN
        S/ 149.90 ‖ ‖ ‖ 149.9 PEN
        ١٢٣٫٤٥ ر.س ‖ ‖ ‖ 123.45 SAR
        ١٬٢٣٤٫٥٠ د.إ ‖ ‖ ‖ 1234.5 AED
        SAR 1,299.00 ‖ ‖ ‖ 1299 SAR
        1,299.00 د.إ ‖ ‖ ‖ 1299 AED
        ۱۲۵٬۰۰۰ ﷼ ‖ IRR ‖ ‖ 125000 IRR
        ﷼ 99 ‖ ‖ ‖ 99 ?
        ２，９８０円 ‖ ‖ ‖ 2980 JPY
        $19.99 USD ‖ ‖ ‖ 19.99 USD
        from $10 ‖ USD ‖ ‖ 10 USD From
        From £9.99 ‖ ‖ ‖ 9.99 GBP From
        ab 9,99 € ‖ ‖ ‖ 9.99 EUR From
        à partir de 19,99 € ‖ ‖ ‖ 19.99 EUR From
        desde $ 1.299 ‖ ARS ‖ ‖ 1299 ARS From
        Starting at $49 ‖ USD ‖ ‖ 49 USD From
        €19,99 incl. VAT ‖ ‖ ‖ 19.99 EUR IncludesTax
        19,99 € inkl. MwSt. ‖ ‖ ‖ 19.99 EUR IncludesTax
        19,99 € inkl. MwSt. zzgl. Versand ‖ ‖ ‖ 19.99 EUR IncludesTax
        £10.00 inc VAT (£8.33 ex VAT) ‖ ‖ ‖ 10 GBP IncludesTax
        £10.00 (£8.33 ex VAT) ‖ ‖ ‖ 10 GBP
        £8.33 + VAT ‖ ‖ ‖ 8.33 GBP ExcludesTax
        119,00 € TTC ‖ ‖ ‖ 119 EUR IncludesTax
        99,17 € HT 119,00 € TTC ‖ ‖ ‖ 119 EUR IncludesTax
        Was $20 Now $15 ‖ ‖ ‖ 15 ? HadOldPrice
        Was $20.00 Now $15.00 ‖ USD ‖ ‖ 15 USD HadOldPrice
        Was £20, now £15 ‖ ‖ ‖ 15 GBP HadOldPrice
        Reg. $29.99 Sale $19.99 ‖ USD ‖ ‖ 19.99 USD HadOldPrice
        RRP £49.99 Our price £39.99 ‖ ‖ ‖ 39.99 GBP HadOldPrice
        statt 49,99 € jetzt 39,99 € ‖ ‖ ‖ 39.99 EUR HadOldPrice
        UVP 49,99 € 39,99 € ‖ ‖ ‖ 39.99 EUR HadOldPrice
        $39.99 (was $49.99) ‖ USD ‖ ‖ 39.99 USD HadOldPrice
        Sale $15 Save $5 ‖ USD ‖ ‖ 15 USD
        $15 You save $5 (25%) ‖ USD ‖ ‖ 15 USD
        $15 $5 off ‖ USD ‖ ‖ 15 USD
        Now $15 (20% off) ‖ USD ‖ ‖ 15 USD
        -$5.00 ‖ USD ‖ ‖ NoPrice
        2 for $5 ‖ USD ‖ ‖ 5 USD MultiBuy x2
        3 für 10 € ‖ ‖ ‖ 10 EUR MultiBuy x3
        2 pour 5 € ‖ ‖ ‖ 5 EUR MultiBuy x2
        Free ‖ ‖ ‖ Free
        FREE ‖ USD ‖ ‖ Free
        Gratis ‖ ‖ ‖ Free
        Kostenlos ‖ ‖ ‖ Free
        $0.00 ‖ USD ‖ ‖ Free
        Sold out ‖ ‖ ‖ SoldOut
        Out of stock ‖ ‖ ‖ SoldOut
        Ausverkauft ‖ ‖ ‖ SoldOut
        Épuisé ‖ ‖ ‖ SoldOut
        Agotado ‖ ‖ ‖ SoldOut
        売り切れ ‖ ‖ ‖ SoldOut
        $25.00 Sold out ‖ USD ‖ ‖ 25 USD SoldOut
        Free shipping ‖ ‖ ‖ NoPrice
        Free shipping over $50 ‖ USD ‖ ‖ NoPrice
        Free delivery on orders over £40 ‖ ‖ ‖ NoPrice
        Kostenloser Versand ab 50 € ‖ ‖ ‖ NoPrice
        Versandkostenfrei ab 29 € ‖ ‖ ‖ NoPrice
        Shipping: $5.99 ‖ USD ‖ ‖ NoPrice
        $24.99 + $4.99 shipping ‖ USD ‖ ‖ 24.99 USD
        $24.99 Free shipping ‖ USD ‖ ‖ 24.99 USD
        送料無料 ¥1,280 ‖ JPY ‖ ‖ 1280 JPY
        $2.50/kg ‖ USD ‖ ‖ 2.5 USD PerUnit
        €3,99 / 100 g ‖ ‖ ‖ 3.99 EUR PerUnit
        €12,99 (€1,30 / 100 g) ‖ ‖ ‖ 12.99 EUR
        2,49 € (9,96 € / kg) ‖ ‖ ‖ 2.49 EUR
        $4.99 ($0.31/oz) ‖ USD ‖ ‖ 4.99 USD
        1,99 € le kg ‖ ‖ ‖ 1.99 EUR PerUnit
        $3.49 per lb ‖ USD ‖ ‖ 3.49 USD PerUnit
        $5 each ‖ USD ‖ ‖ 5 USD
        $10 - $20 ‖ USD ‖ ‖ 10 USD Range
        $10–$20 ‖ USD ‖ ‖ 10 USD Range
        10 € – 20 € ‖ ‖ ‖ 10 EUR Range
        $10 to $20 ‖ USD ‖ ‖ 10 USD Range
        $19.99 $24.99 ‖ USD ‖ ‖ 19.99 USD OldPriceInferred HadOldPrice
        19,99 € 24,99 € ‖ ‖ ‖ 19.99 EUR OldPriceInferred
        $999 or $41.62/mo ‖ USD ‖ ‖ 999 USD
        or 4 payments of $12.50 ‖ USD ‖ ‖ NoPrice
        $29/month ‖ USD ‖ ‖ 29 USD Recurring
        20% off ‖ ‖ ‖ NoPrice
        Save 20% ‖ ‖ ‖ NoPrice
        -20% ‖ ‖ ‖ NoPrice
        Only 3 left ‖ USD ‖ ‖ NoPrice
        Buy 2 get 1 free ‖ ‖ ‖ NoPrice
        iPhone 15 Pro 128GB $999 ‖ USD ‖ ‖ 999 USD
        Pack of 6 – $12.99 ‖ USD ‖ ‖ 12.99 USD
        Add to cart ‖ ‖ ‖ NoPrice
        ‖ ‖ ‖ NoPrice
        N/A ‖ ‖ ‖ NoPrice
        Call for price ‖ ‖ ‖ NoPrice
        $ ‖ USD ‖ ‖ NoPrice
        1.2345.67 ‖ ‖ ‖ NoPrice
        12,3456 € ‖ ‖ ‖ 12.3456 EUR
        $1,23,45 ‖ USD ‖ ‖ NoPrice
        $ 99999999999999 ‖ USD ‖ ‖ NoPrice
        £1,000,000 ‖ ‖ ‖ 1000000 GBP
        1.000.000 € ‖ ‖ ‖ 1000000 EUR
        1 000 000 € ‖ ‖ ‖ 1000000 EUR
        $2,000,000.00 ‖ USD ‖ ‖ 2000000 USD
        Price $ 1 299.00 ‖ USD ‖ ‖ 1299 USD
        Preis: 1.299,00 EUR ‖ ‖ ‖ 1299 EUR
        Prix : 1 299,00 € ‖ ‖ ‖ 1299 EUR
        Precio: 1.299,00 € ‖ ‖ ‖ 1299 EUR
        Our price: $1,299.99 ‖ USD ‖ ‖ 1299.99 USD
        Now only €9.99! ‖ ‖ ‖ 9.99 EUR
        ＄19.99 ‖ USD ‖ ‖ 19.99 USD
        19.99 $ ‖ CAD ‖ ‖ 19.99 CAD
        19,99 $ ‖ CAD ‖ , ‖ 19.99 CAD
        1 299,99 $ ‖ CAD ‖ , ‖ 1299.99 CAD
        USD 1,234.56 ‖ EUR ‖ ‖ 1234.56 USD
        $15 ‖ EUR ‖ ‖ 15 ?
        15 ‖ JPY ‖ ‖ 15 JPY
        1.280 ‖ JPY ‖ ‖ 1280 JPY
        1,5 ‖ EUR ‖ ‖ 1.5 EUR
        0,99 € ‖ ‖ ‖ 0.99 EUR
        0.350 ‖ ‖ ‖ 0.35 ?
        12.5 ‖ USD ‖ ‖ 12.5 USD
        $19.99* ‖ USD ‖ ‖ 19.99 USD
        *$19.99 ‖ USD ‖ ‖ 19.99 USD
        $19.99 ea. ‖ USD ‖ ‖ 19.99 USD
        (19,99 €) ‖ ‖ ‖ 19.99 EUR
        EUR19.99 ‖ ‖ ‖ 19.99 EUR
        19.99EUR ‖ ‖ ‖ 19.99 EUR
        Rs.499 ‖ INR ‖ ‖ 499 INR
        only 19.99 ‖ USD ‖ ‖ 19.99 USD
        Sale: $19.99 Reg: $29.99 ‖ USD ‖ ‖ 19.99 USD HadOldPrice
        $19.99 - Save 30% ‖ USD ‖ ‖ 19.99 USD
        Ab 1.299 € ‖ ‖ ‖ 1299 EUR From
        12.99 USD/month ‖ ‖ ‖ 12.99 USD Recurring
        CHF 19.90 statt 29.90 ‖ ‖ ‖ 19.9 CHF HadOldPrice
        From $1,299 or $108.25/mo. for 12 mo. ‖ USD ‖ ‖ 1299 USD From
        Now: $15.00 | Was: $20.00 ‖ USD ‖ ‖ 15 USD HadOldPrice
        1.234,5 € ‖ ‖ ‖ 1234.5 EUR
        MSRP $599.99 $449.99 ‖ USD ‖ ‖ 449.99 USD HadOldPrice
        Was £49.99 Now £39.99 inc VAT ‖ ‖ ‖ 39.99 GBP IncludesTax
        1,299.00 € ‖ ‖ ‖ 1299 EUR
        1 299 ₸ ‖ ‖ ‖ 1299 KZT
        12 500 тг ‖ ‖ ‖ 12500 KZT
        12 500 тенге ‖ ‖ ‖ 12500 KZT
        150 000 сўм ‖ ‖ ‖ 150000 UZS
        150 000 сум ‖ ‖ ‖ 150000 UZS
        150 000 so'm ‖ ‖ ‖ 150000 UZS
        1 250 сом ‖ KGS ‖ ‖ 1250 KGS
        1 250 сом ‖ ‖ ‖ 1250 KGS
        800 сом ‖ ‖ ‖ 800 KGS
        2 400 SOM ‖ ‖ ‖ 2400 ?
        港幣 $1,280 ‖ ‖ ‖ 1280 HKD
        USD $25.00 ‖ ‖ ‖ 25 USD
        新台幣 $ 990 ‖ ‖ ‖ 990 TWD
        45,000 د.ع ‖ ‖ ‖ 45000 IQD
        250.000 د.ع ‖ ‖ ‖ 250000 IQD
        ١٠ ر.ع ‖ ‖ ‖ 10 OMR
        3,999 روپیہ ‖ ‖ ‖ 3999 PKR
        රු 2,500 ‖ ‖ ‖ 2500 LKR
        89,00 kn ‖ ‖ ‖ 89 HRK
        250 pesos mexicanos ‖ ‖ ‖ 250 MXN
        12.990 pesos chilenos ‖ ‖ ‖ 12990 CLP
        Ancien prix 79,00 € Nouveau prix 59,00 € ‖ ‖ ‖ 59 EUR
        Było 129 zł Jest 99 zł ‖ ‖ ‖ 99 PLN
        السعر القديم 299 ر.س السعر الجديد 249 ر.س ‖ ‖ ‖ 249 SAR
        قبل 150 د.إ الآن 120 د.إ ‖ ‖ ‖ 120 AED
        99,00 € netto 117,81 € brutto ‖ ‖ ‖ 117.81 EUR
        1 190 zł brutto 967,48 zł netto ‖ ‖ ‖ 1190 PLN
        350 сомонӣ ‖ ‖ ‖ 350 TJS
        35,50 BYN ‖ ‖ ‖ 35.5 BYN
        35,50 бел. руб. ‖ ‖ ‖ 35.5 BYN
        1 299 рублей ‖ ‖ ‖ 1299 RUB
        450 грн. ‖ ‖ ‖ 450 UAH
        25 манат ‖ AZN ‖ ‖ 25 AZN
        25 ман. ‖ ‖ ‖ 25 AZN
        12 000 ֏ ‖ ‖ ‖ 12000 AMD
        45 ₾ ‖ ‖ ‖ 45 GEL
        1.299,00 дин. ‖ ‖ ‖ 1299 RSD
        1.299 din. ‖ ‖ ‖ 1299 RSD
        2.490,00 RSD ‖ ‖ ‖ 2490 RSD
        1.490 ден ‖ ‖ ‖ 1490 MKD
        49,90 KM ‖ ‖ ‖ 49.9 BAM
        1 200 Lekë ‖ ‖ ‖ 1200 ALL
        1200 ALL ‖ ‖ ‖ 1200 ALL
        129,00 MDL ‖ ‖ ‖ 129 MDL
        99 ريال ‖ SAR ‖ ‖ 99 SAR
        ٩٩ ر.ق ‖ ‖ ‖ 99 QAR
        ١٥٠ درهم ‖ AED ‖ ‖ 150 AED
        150 درهم ‖ ‖ ‖ 150 ?
        ١٢٫٥٠٠ د.ك. ‖ ‖ ‖ 12.5 KWD
        ٢٥ دينار ‖ JOD ‖ ‖ 25 JOD
        ٥٠٠ جنيه ‖ EGP ‖ ‖ 500 EGP
        ۱۲۵٬۰۰۰ ریال ‖ ‖ ‖ 125000 IRR
        ۱۲۵٬۰۰۰ تومان ‖ ‖ ‖ 125000 ?
        ۴۵۰ ؋ ‖ ‖ ‖ 450 AFN
        AED 1,299 ‖ ‖ ‖ 1299 AED
        Dhs 250 ‖ AED ‖ ‖ 250 AED
        KD 12.500 ‖ ‖ ‖ 12.5 KWD
        QR 150 ‖ ‖ ‖ 150 QAR
        SR 99.00 ‖ ‖ ‖ 99 SAR
        KSh 1,500 ‖ ‖ ‖ 1500 KES
        GH₵ 250.00 ‖ ‖ ‖ 250 GHS
        2,980日元 ‖ ‖ ‖ 2980 JPY
        HK$ 399 ‖ ‖ ‖ 399 HKD
        399港元 ‖ ‖ ‖ 399 HKD
        1,290新台幣 ‖ ‖ ‖ 1290 TWD
        新台幣 1,290 ‖ ‖ ‖ 1290 TWD
        售價：NT$1,290 ‖ ‖ ‖ 1290 TWD
        原價 NT$1,590 特價 NT$1,290 ‖ ‖ ‖ 1290 TWD HadOldPrice
        建議售價 $1,590 現價 $1,290 ‖ TWD ‖ ‖ 1290 TWD HadOldPrice
        99美元 ‖ ‖ ‖ 99 USD
        15,000원 ‖ ‖ ‖ 15000 KRW
        2980 yen ‖ ‖ ‖ 2980 JPY
        2,980 Yen ‖ ‖ ‖ 2980 JPY
        1.299 dinara ‖ ‖ ‖ 1299 RSD
        25 dinars ‖ JOD ‖ ‖ 25 JOD
        12.500 dinar ‖ KWD ‖ ‖ 12.5 KWD
        150 dirhams ‖ AED ‖ ‖ 150 AED
        499 rupees ‖ INR ‖ ‖ 499 INR
        19.99 usd ‖ ‖ ‖ 19.99 USD
        19,99 eur ‖ ‖ ‖ 19.99 EUR
        eur 19,99 ‖ ‖ ‖ 19.99 EUR
        gbp 9.99 ‖ ‖ ‖ 9.99 GBP
        1 299 sek ‖ ‖ ‖ 1299 SEK
        AR$ 1.299 ‖ ‖ ‖ 1299 ARS
        UY$ 990 ‖ ‖ ‖ 990 UYU
        CAD$ 25.00 ‖ ‖ ‖ 25 CAD
        AUD$ 25.00 ‖ ‖ ‖ 25 AUD
        US$19.99 ‖ ‖ ‖ 19.99 USD
        R$ 79,90 ‖ ‖ ‖ 79.9 BRL
        49.99 Aktionspreis ‖ EUR ‖ ‖ 49.99 EUR
        Sonderpreis 49,99 ‖ EUR ‖ , ‖ 49.99 EUR
        Preço especial 79,90 ‖ BRL ‖ , ‖ 79.9 BRL
        1200 XYZW ‖ ‖ ‖ 1200 ?
        119. 95 € ‖ ‖ ‖ 119.95 EUR
        $119. 95 ‖ USD ‖ ‖ 119.95 USD
        0.12345 € ‖ ‖ ‖ 0.1234 EUR
        0,123456 € ‖ ‖ ‖ 0.1235 EUR
        $1,234.56789 ‖ USD ‖ ‖ 1234.5679 USD
        from 26 to 50 € ‖ ‖ ‖ 26 EUR From Range
        26 - 50 € ‖ ‖ ‖ 26 EUR Range
        26–50 € ‖ ‖ ‖ 26 EUR Range
        von 26 bis 50 € ‖ ‖ ‖ 26 EUR Range
        de 26 à 50 € ‖ ‖ ‖ 26 EUR Range
        $24.99 $19.99 ‖ USD ‖ ‖ 19.99 USD OldPriceInferred
        24,99 € 19,99 € ‖ ‖ ‖ 19.99 EUR OldPriceInferred
        1 299 kr (€115) ‖ SEK ‖ ‖ 1299 SEK FirstOfSeveral
        $10 $20 $30 ‖ USD ‖ ‖ Ambiguous
        De R$ 129,90 por R$ 99,90 ‖ ‖ ‖ 99.9 BRL HadOldPrice
        $9.99/month ‖ USD ‖ ‖ 9.99 USD Recurring
        €4,99 / Monat ‖ ‖ ‖ 4.99 EUR Recurring
        12,99 € monatlich ‖ ‖ ‖ 12.99 EUR Recurring
        $99/yr ‖ USD ‖ ‖ 99 USD Recurring
        5.00 each ‖ USD ‖ ‖ 5 USD
        €2,50 per stuk ‖ ‖ ‖ 2.5 EUR
        2,50 € pro Stück ‖ ‖ ‖ 2.5 EUR
        - 49,99 € ‖ ‖ ‖ 49.99 EUR
        – $12.00 ‖ USD ‖ ‖ 12 USD
        -$5.00 $20.00 ‖ USD ‖ ‖ 20 USD
        Member price $8.99 $10.99 ‖ USD ‖ ‖ 10.99 USD
        $8.99 with Clubcard $10.99 ‖ USD ‖ ‖ 10.99 USD
        €100 excl. VAT €121 incl. VAT ‖ ‖ ‖ 121 EUR IncludesTax
        Старая цена 1 500 ₽ 1 200 ₽ ‖ ‖ ‖ 1200 RUB HadOldPrice
        Было 1 500 ₽ ‖ ‖ ‖ NoPrice
        Cena regularna 199 zł 149 zł ‖ ‖ ‖ 149 PLN HadOldPrice
        Veil. pris 1 499,- 999,- ‖ NOK ‖ , ‖ 999 NOK HadOldPrice
        Ord.pris 499 kr 399 kr ‖ SEK ‖ ‖ 399 SEK HadOldPrice
        MRP ₹1,999 ₹1,499 ‖ ‖ ‖ 1499 INR HadOldPrice
        メーカー希望小売価格 ¥5,980 ‖ JPY ‖ ‖ NoPrice
        Model 600a ‖ USD ‖ ‖ NoPrice
        600a ‖ USD ‖ ‖ NoPrice
        Canon EOS 600D ‖ USD ‖ ‖ NoPrice
        Only 3 left ‖ ‖ ‖ NoPrice
        4.5 stars ‖ USD ‖ ‖ NoPrice
        """;

    public static TheoryData<string, string, string, string> Rows()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var line in Table.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cols = line.Split('‖');
            Assert.Equal(4, cols.Length);
            data.Add(cols[0].Trim(), cols[1].Trim(), cols[2].Trim(), cols[3].Trim());
        }

        return data;
    }

    [Fact]
    public void The_table_is_large()
    {
        Assert.True(Rows().Count >= 250, $"only {Rows().Count} rows");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parses_row(string text, string hintCurrency, string hintSeparator, string expected)
    {
        var hints = new PriceParseHints(hintCurrency.Length == 0 ? default : CurrencyCode.Parse(hintCurrency), hintSeparator.Length == 0 ? '\0' : hintSeparator[0]);
        var parsed = PriceText.Parse(text, hints);
        var parts = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (Enum.TryParse<PriceTextStatus>(parts[0], out var status) && !char.IsDigit(parts[0][0]))
        {
            Assert.Equal(status, parsed.Status);
            return;
        }

        Assert.True(parsed.Status == PriceTextStatus.Price, $"'{text}' gave {parsed.Status}");
        Assert.Equal(decimal.Parse(parts[0], CultureInfo.InvariantCulture), parsed.Amount.ToDecimal());
        Assert.Equal(parts[1] == "?" ? "" : parts[1], parsed.Currency.ToString());
        for (int i = 2; i < parts.Length; i++)
        {
            if (parts[i].StartsWith('x'))
            {
                Assert.Equal(int.Parse(parts[i][1..], CultureInfo.InvariantCulture), parsed.Quantity);
            }
            else
            {
                var flag = Enum.Parse<PriceQualifiers>(parts[i]);
                Assert.True((parsed.Qualifiers & flag) == flag, $"'{text}' lacks {flag}: {parsed.Qualifiers}");
            }
        }
    }
}
