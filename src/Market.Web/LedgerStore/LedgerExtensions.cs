using Market.Replay;

namespace Market.Web.LedgerStore;

public static class LedgerExtensions
{
    public static WebApplicationBuilder AddMarketLedger(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddSingleton<LedgerWriter>();
        builder.Services.AddSingleton<LedgerIdentity>();
        builder.Services.AddSingleton<LedgerReader>();
        builder.Services.AddSingleton<MatchingReplayer>();
        builder.Services.AddSingleton<ChainVerification>();
        builder.Services.AddSingleton<RecentBlockLines>();
        builder.Services.AddSingleton<LedgerPublication>();
        builder.Services.AddSingleton<CheckpointSigner>();
        builder.Services.AddSingleton<LedgerGate>();
        builder.Services.AddSingleton<CheckpointNotifier>();
        builder.Services.AddSingleton<LogKeyStore>();
        builder.Services.AddSingleton<CheckpointNotes>();
        builder.Services.AddSingleton<KeyRotationService>();
        return builder;
    }
}
