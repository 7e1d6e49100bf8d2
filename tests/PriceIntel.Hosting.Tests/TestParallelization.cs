// Several tests here set process environment variables (PRICEINTEL_*, PriceIntel__*) that every other test building a
// configuration with AddPriceIntelEnvironmentVariables reads: run this assembly's tests one at a time (they take ~2 s).
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
