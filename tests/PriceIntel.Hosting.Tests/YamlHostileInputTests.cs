using System.Text;
using Microsoft.Extensions.Configuration;

namespace PriceIntel.Hosting.Tests;

/// <summary>
/// Issue 16 items 1 and 4: YAML that used to kill the process (self-referencing merge alias, deep nesting) or
/// reach the caller as <see cref="InvalidDataException"/> now fails with a <see cref="FormatException"/> naming
/// the file and the line, and aliases/merges work within their bounds.
/// </summary>
public sealed class YamlHostileInputTests
{
    [Fact]
    public void Self_referencing_merge_alias_is_a_format_error_naming_file_and_line()
    {
        // The 14-byte input from the fuzzer: `a: &x` / `  <<: *x` — a mapping that merges itself.
        var (ex, path) = Fails("a: &x\n  <<: *x\n");
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cycle", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzer_merge_cycle_input_is_a_format_error()
    {
        var ex = Assert.Throws<FormatException>(() => Build(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz-merge-cycle.yaml")));
        Assert.Contains("fuzz-merge-cycle.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzer_deep_flow_nesting_input_is_a_format_error_not_a_stack_overflow()
    {
        var ex = Assert.Throws<FormatException>(() => Build(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz-deep-nesting.yaml")));
        Assert.Contains("nested more than 64 levels", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ten_thousand_nested_block_mappings_are_a_format_error_at_the_line_that_is_too_deep()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            text.Append(' ', i).Append("k:\n");
        }

        var (ex, _) = Fails(text.ToString());
        Assert.Contains("nested more than 64 levels", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 65", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 63; i++)
        {
            text.Append(' ', i).Append("k:\n");
        }

        text.Append(' ', 63).Append("leaf: 1\n");
        var config = Load(text.ToString());
        Assert.Equal("1", config[string.Join(':', Enumerable.Repeat("k", 63)) + ":leaf"]);
    }

    [Fact]
    public void Alias_expansion_bomb_is_a_format_error_before_it_uses_the_memory()
    {
        // Each level doubles: 2^30 values if expanded.
        var text = new StringBuilder("l0: &l0 [x, x]\n");
        for (int i = 1; i <= 30; i++)
        {
            text.Append(CultureInfo(i)).Append(": &l").Append(i).Append(" [*l").Append(i - 1).Append(", *l").Append(i - 1).Append("]\n");
        }

        var (ex, _) = Fails(text.ToString());
        Assert.Contains("more than 100,000 values", ex.Message, StringComparison.Ordinal);

        static string CultureInfo(int i) => "l" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Malformed_yaml_is_a_format_exception_itself_not_wrapped_in_InvalidDataException()
    {
        var (ex, path) = Fails("pricing:\n  min_margin: [0.1\n");
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Matches("line [0-9]+, column [0-9]+ is malformed", ex.Message);
    }

    [Fact]
    public void Unknown_alias_and_repeated_key_name_their_line()
    {
        var (unknown, _) = Fails("pricing:\n  min_margin: *nothing\n");
        Assert.Contains("line 2", unknown.Message, StringComparison.Ordinal);

        var (repeated, _) = Fails("pricing:\n  min_margin: 0.1\n  MinMargin: 0.2\n");
        Assert.Contains("line 3", repeated.Message, StringComparison.Ordinal);
        Assert.Contains("'MinMargin' appears twice", repeated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_level_must_be_a_mapping_and_keys_plain_values()
    {
        Assert.Contains("top level", Fails("- a\n- b\n").Error.Message, StringComparison.Ordinal);
        Assert.Contains("mapping key", Fails("? [a, b]\n: c\n").Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_keys_copy_what_the_mapping_does_not_set_and_earlier_sources_win()
    {
        var config = Load("""
            defaults: &defaults
              min_margin: 0.05
              max_margin: 0.30
              beat_by: 0.02
            strict: &strict
              min_margin: 0.10
              percentile: 0.4
            pricing:
              <<: [*strict, *defaults]
              beat_by: 0.03
            """);
        Assert.Equal("0.10", config["pricing:MinMargin"]); // from the first source, not the second
        Assert.Equal("0.30", config["pricing:MaxMargin"]);
        Assert.Equal("0.4", config["pricing:Percentile"]);
        Assert.Equal("0.03", config["pricing:BeatBy"]);     // the mapping's own key wins over every source
    }

    [Fact]
    public void Aliases_repeat_a_node_and_the_result_binds()
    {
        var config = Load("""
            arm: &arm
              strategy: MatchLowest
              weight: 2
            experiment:
              arms:
                - name: a
                  <<: *arm
                - name: b
                  <<: *arm
            """);
        var options = PriceIntelConfiguration.Bind(config, otherSections: ["arm"]);
        Assert.Equal(2, options.Experiment.Arms.Count);
        Assert.All(options.Experiment.Arms, a => Assert.Equal(PricingStrategyKind.MatchLowest, a.Strategy));
        Assert.All(options.Experiment.Arms, a => Assert.Equal(2, a.Weight));
    }

    [Fact]
    public void Very_long_key_is_read_without_exhausting_the_stack()
    {
        // An explicit key (`? key`), as implicit keys are limited to 1,024 characters by YAML itself.
        var key = "a_" + new string('b', 2_000_000);
        var config = Load("? " + key + "\n: 1\n");
        Assert.Equal("1", config["AB" + new string('b', 1_999_999)]);
    }

    [Fact]
    public void Empty_file_and_null_values_are_fine()
    {
        Assert.Empty(Load(string.Empty).AsEnumerable());
        var config = Load("pricing:\n  min_price: ~\n  max_price:\n");
        Assert.Null(config["pricing:MinPrice"]);
        Assert.Equal(string.Empty, config["pricing:MaxPrice"]);
    }

    private static IConfigurationRoot Build(string path) => new ConfigurationBuilder().AddPriceIntelYamlFile(path).Build();

    private static IConfigurationRoot Load(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"priceintel-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        try
        {
            return Build(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (FormatException Error, string Path) Fails(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"priceintel-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        try
        {
            return (Assert.Throws<FormatException>(() => Build(path)), path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
