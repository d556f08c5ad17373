namespace Market.Ledger;

/// <summary>Bytes or text that do not follow the ledger format (wrong version, length, field value or syntax).</summary>
public sealed class LedgerFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public LedgerFormatException()
    {
    }

    /// <summary>Creates the exception with a message saying what is wrong.</summary>
    /// <param name="message">What is wrong, e.g. "order leaf: expected 58 bytes, got 57".</param>
    public LedgerFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public LedgerFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
