namespace PriceIntel.Engine.Core;

/// <summary>
/// The engine's own per-product columns (struct of arrays, indexed by product id): our price, unit cost, MAP
/// floor, stock, currency, experiment arm and the time of the last demand-surge check. This is the one place
/// that lists them: they grow, are written to a snapshot and are read back together. A struct so the engine's
/// hot path reaches each array through one field load, as if it were its own field; keep it in a non-readonly
/// field and call the mutating members on that field.
/// </summary>
internal struct ProductColumns
{
    /// <summary>The arm of a product no event has reached yet.</summary>
    public const byte Unassigned = byte.MaxValue;

    /// <summary>Snapshot bytes per product: the element sizes of the seven columns.</summary>
    public const int BytesPerProduct = sizeof(long) + sizeof(long) + sizeof(long) + sizeof(int) + sizeof(ushort) + sizeof(byte) + sizeof(long);

    /// <summary>Starts the surge-check clock of a new product far enough back that its first demand event checks.</summary>
    private const long NeverChecked = long.MinValue / 2;

    /// <summary>Our price, Money ticks (0 = unknown).</summary>
    public long[] OurPrice;

    /// <summary>Unit cost, Money ticks (0 = unknown).</summary>
    public long[] Cost;

    /// <summary>Minimum advertised price, Money ticks (0 = none).</summary>
    public long[] MapFloor;

    /// <summary>Units on hand (-1 = unknown).</summary>
    public int[] Inventory;

    /// <summary>The product's currency (<see cref="CurrencyCode.Value"/>; 0 until its first priced event).</summary>
    public ushort[] Currency;

    /// <summary>Experiment arm index, or <see cref="Unassigned"/>.</summary>
    public byte[] Arm;

    /// <summary>Event time of the last demand-surge check.</summary>
    public long[] LastSurgeCheck;

    /// <summary>Empty columns.</summary>
    public ProductColumns()
    {
        OurPrice = [];
        Cost = [];
        MapFloor = [];
        Inventory = [];
        Currency = [];
        Arm = [];
        LastSurgeCheck = [];
    }

    /// <summary>Products the columns hold.</summary>
    public readonly int Capacity => Arm.Length;

    /// <summary>Grows every column to <paramref name="size"/> products, giving the new ones their "nothing known yet" values.</summary>
    public void Grow(int size)
    {
        int old = Arm.Length;
        if (size <= old)
        {
            return;
        }

        Array.Resize(ref OurPrice, size);
        Array.Resize(ref Cost, size);
        Array.Resize(ref MapFloor, size);
        Array.Resize(ref Inventory, size);
        Array.Resize(ref Currency, size);
        Array.Resize(ref Arm, size);
        Array.Resize(ref LastSurgeCheck, size);
        Inventory.AsSpan(old).Fill(-1);
        Arm.AsSpan(old).Fill(Unassigned);
        LastSurgeCheck.AsSpan(old).Fill(NeverChecked);
    }

    /// <summary>Products with state: up to the highest id that was seen in an event (has an arm) or given a MAP floor.</summary>
    public readonly int UsedCount()
    {
        for (int p = Arm.Length - 1; p >= 0; p--)
        {
            if (Arm[p] != Unassigned || MapFloor[p] != 0)
            {
                return p + 1;
            }
        }

        return 0;
    }

    /// <summary>Writes products 0..<paramref name="count"/>-1 of every column.</summary>
    public readonly void WriteState(ref SnapshotWriter w, int count)
    {
        w.WriteArray<long>(OurPrice.AsSpan(0, count));
        w.WriteArray<long>(Cost.AsSpan(0, count));
        w.WriteArray<long>(MapFloor.AsSpan(0, count));
        w.WriteArray<int>(Inventory.AsSpan(0, count));
        w.WriteArray<ushort>(Currency.AsSpan(0, count));
        w.WriteArray<byte>(Arm.AsSpan(0, count));
        w.WriteArray<long>(LastSurgeCheck.AsSpan(0, count));
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote for <paramref name="count"/> products (growing first) and checks
    /// every arm is <see cref="Unassigned"/> or below <paramref name="armCount"/> and every currency is none or a packed code.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is truncated or names an arm or currency that does not exist.</exception>
    public void ReadState(ref SnapshotReader r, int count, int armCount)
    {
        Grow(count);
        r.ReadArray(OurPrice.AsSpan(0, count), "our prices");
        r.ReadArray(Cost.AsSpan(0, count), "unit costs");
        r.ReadArray(MapFloor.AsSpan(0, count), "MAP floors");
        r.ReadArray(Inventory.AsSpan(0, count), "inventory");
        r.ReadArray(Currency.AsSpan(0, count), "currencies");
        r.ReadArray(Arm.AsSpan(0, count), "experiment arms");
        r.ReadArray(LastSurgeCheck.AsSpan(0, count), "last surge checks");
        foreach (byte arm in Arm.AsSpan(0, count))
        {
            if (arm != Unassigned && arm >= armCount)
            {
                SnapshotFormat.ThrowInvalid($"a product is in experiment arm {arm}; there are {armCount} arms.");
            }
        }

        foreach (ushort currency in Currency.AsSpan(0, count))
        {
            ThrowIfNotACurrency(currency);
        }
    }

    private static void ThrowIfNotACurrency(ushort value)
    {
        try
        {
            _ = CurrencyCode.FromValue(value);
        }
        catch (ArgumentOutOfRangeException)
        {
            SnapshotFormat.ThrowInvalid($"a product's currency is 0x{value:X4}, which is not a packed three-letter code.");
        }
    }
}
