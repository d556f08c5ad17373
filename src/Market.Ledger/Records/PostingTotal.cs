using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// Imbalance postings of one kind added up (20 bytes, big-endian: <c>postings u32 | energy Wh i64 | amount i64</c>):
/// how many postings, their energy and their money. Each posting's amount is rounded on its own (the amount rule of
/// <see cref="Money.Amount"/>), so the total amount of k postings at one price lies within k/2 of the total energy's
/// exact price.
/// </summary>
/// <param name="Postings">Number of postings (not negative; 0 exactly when the energy is 0).</param>
/// <param name="EnergyWh">Their energy, Wh.</param>
/// <param name="Amount">Their money, 1/10,000 of the currency.</param>
public readonly record struct PostingTotal(int Postings, long EnergyWh, long Amount)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 20;

    /// <summary>Writes the 20 bytes.</summary>
    /// <param name="destination">At least 20 bytes.</param>
    /// <exception cref="InvalidOperationException">A negative posting count.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (Postings < 0)
        {
            throw new InvalidOperationException("a posting count is unsigned");
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Postings);
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], EnergyWh);
        BinaryPrimitives.WriteInt64BigEndian(destination[12..], Amount);
    }

    /// <summary>Reads 20 bytes; false when the posting count is beyond 2^31 − 1.</summary>
    /// <param name="source">At least 20 bytes.</param>
    /// <param name="total">The total on success.</param>
    /// <returns>Whether the count fits.</returns>
    public static bool TryRead(ReadOnlySpan<byte> source, out PostingTotal total)
    {
        var postings = BinaryPrimitives.ReadUInt32BigEndian(source);
        total = new PostingTotal((int)Math.Min(postings, int.MaxValue), BinaryPrimitives.ReadInt64BigEndian(source[4..]), BinaryPrimitives.ReadInt64BigEndian(source[12..]));
        return postings <= int.MaxValue;
    }

    /// <summary>
    /// Whether the amount is what <see cref="Postings"/> postings of <see cref="EnergyWh"/> in all at
    /// <paramref name="price"/> can add up to when each is rounded half up on its own:
    /// <c>energy × price − 500 × postings &lt; 1000 × amount ≤ energy × price + 500 × postings</c>, with no postings
    /// exactly when there is no energy and never more postings than Wh. Exact for one posting.
    /// </summary>
    /// <param name="price">1/10,000 of the currency per kWh.</param>
    /// <returns>Whether the total is possible.</returns>
    public bool IsRoundingOf(long price)
    {
        if (Postings < 0 || EnergyWh < 0 || Amount < 0 || price < 0 || (Postings == 0) != (EnergyWh == 0) || Postings > EnergyWh)
        {
            return false;
        }

        if (Postings == 0)
        {
            return Amount == 0;
        }

        var exact = (Int128)EnergyWh * price;
        var slack = (Int128)500 * Postings;
        var scaled = (Int128)Amount * 1000;
        return scaled > exact - slack && scaled <= exact + slack;
    }
}
