#!/usr/bin/env bash
# Starts the web API host (simulator running, SQLite store in a temp directory, rate limit lifted)
# and runs the load generator against it from a second process on loopback. Outside CI.
#   benchmarks/PriceIntel.LoadTest/run.sh [history]   # "history" keeps price history recording on
set -euo pipefail
cd "$(dirname "$0")/../.."
export PRICEINTEL_ADMIN_API_KEY=${PRICEINTEL_ADMIN_API_KEY:-load-test-admin-key-0123456789}
record=false
[ "${1:-}" = "history" ] && record=true
data=$(mktemp -d)
dotnet build -c Release samples/PriceIntel.WebApi/PriceIntel.WebApi.csproj -v q -nologo >/dev/null
dotnet build -c Release benchmarks/PriceIntel.LoadTest/PriceIntel.LoadTest.csproj -v q -nologo >/dev/null
Store__Directory="$data" \
PriceIntelApi__RateLimit__PermitsPerSecond=1000000 PriceIntelApi__RateLimit__Burst=1000000 \
PriceIntelApi__Engine__RecordPriceHistory=$record Logging__LogLevel__Default=Warning \
  samples/PriceIntel.WebApi/bin/Release/net10.0/PriceIntel.WebApi --urls http://127.0.0.1:5080 &
host=$!
trap 'kill $host 2>/dev/null; wait $host 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:5080/health >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), price history recording: $record"
run() { dotnet benchmarks/PriceIntel.LoadTest/bin/Release/net10.0/PriceIntel.LoadTest.dll "$@"; }
run ingest --seconds 20 --connections 4 --batch 10000
[ "${SKIP_GET:-}" = 1 ] || run get --seconds 20 --rate 1000 --connections 32
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
