using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Shared source (not public), linked into the packages whose Add… extensions register options (Hosting, Kafka,
// AspNetCore). Plain comments, not XML docs (see OptionGuard.cs).
namespace PriceIntel.Shared;

// <summary>The one way our Add… extensions validate options: with the options' own Validate method.</summary>
internal static class OptionsValidation
{
    // <summary>
    // Validates <typeparamref name="TOptions"/> with <paramref name="validate"/> (the options' own Validate) when
    // they are first resolved and at host start: an <see cref="ArgumentException"/> it throws (whose message names
    // the option and value, see OptionGuard) becomes an <see cref="OptionsValidationException"/> with that message.
    // Registered once however often it is called, also by another package's copy of this file.
    // </summary>
    public static OptionsBuilder<TOptions> ValidateOnStartWith<TOptions>(this OptionsBuilder<TOptions> builder, Action<TOptions> validate)
        where TOptions : class
    {
        string validatorName = typeof(Validator<TOptions>).FullName!;
        bool registered = builder.Services.Any(d =>
            d.ServiceType == typeof(IValidateOptions<TOptions>)
            && !d.IsKeyedService
            && string.Equals(d.ImplementationInstance?.GetType().FullName, validatorName, StringComparison.Ordinal));
        if (!registered)
        {
            builder.Services.AddSingleton<IValidateOptions<TOptions>>(new Validator<TOptions>(validate));
        }

        return builder.ValidateOnStart();
    }

    private sealed class Validator<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            try
            {
                validate(options);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
