using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Market.Web;

/// <summary>
/// Every setting the app reads is bound to an options class beside its feature and checked when the app starts:
/// a value that cannot be used stops the start with a message naming the setting (<c>Market:RunJobs</c>,
/// <c>RateLimits:SignInPerMinute</c>, …), never a failure later at the first request that needs it.
/// </summary>
public static class Settings
{
    /// <summary>
    /// Binds <paramref name="section"/> to <typeparamref name="T"/>, validated by its data annotations (and
    /// <see cref="IValidatableObject"/>) when the app starts.
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this WebApplicationBuilder builder, string section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<T>>(new SettingsValidator<T>(section));
        return builder.Services.AddOptions<T>()
            .Bind(builder.Configuration.GetSection(section))
            .ValidateOnStart();
    }

    /// <summary>
    /// Reads and checks <paramref name="section"/> now, for settings that decide what the app registers (the
    /// database engine, whether this node runs jobs). Throws <see cref="OptionsValidationException"/> naming the
    /// settings that are wrong.
    /// </summary>
    public static T ReadSettings<T>(this IConfiguration configuration, string section)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetSection(section).Get<T>() ?? new T();
        var result = new SettingsValidator<T>(section).Validate(null, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(section, typeof(T), result.Failures);
        }

        return value;
    }

    private sealed class SettingsValidator<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            // "Market:RunJobs: …" for a member, the section for a rule across several members.
            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{section}:{string.Join(", ", r.MemberNames.DefaultIfEmpty("(section)"))}: {r.ErrorMessage}"));
        }
    }
}
