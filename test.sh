#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine with the .NET 10 SDK:
# installs what is missing (Debian chromium-headless-shell and postgresql), restores, builds in Release with warnings as errors,
# starts a throwaway PostgreSQL cluster on a free loopback port, runs every test project (Market.Web.Tests twice:
# on SQLite, then on PostgreSQL all but its engine-independent classes) and the in-browser verifier's node test
# suite, in two lanes, and prints the failed tests with their messages and then the totals
# as the last line: "N passed, N failed".
# Exit code is non-zero when anything failed, was skipped or did not run.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
need_pkg() { # need_pkg <command-path> <debian-package>
  if [ ! -x "$1" ]; then
    echo "== installing $2"
    if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq || true; apt_updated=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
  [ -x "$1" ] || { echo "error: $1 is missing and could not be installed"; echo "0 passed, 1 failed"; exit 1; }
}
# The browser tests drive Chromium's headless shell (the same release as Debian's chromium, a fraction of its
# processor time per page: docs/performance.md, "The test suite's time").
need_pkg /usr/bin/chromium-headless-shell chromium-headless-shell
# Debian's full chromium too: the verifier's benchmark (bench/verifier) and people looking at pages use it.
need_pkg /usr/bin/chromium chromium
# the in-browser verifier is bundled with npm at build time
command -v npm >/dev/null || need_pkg /usr/bin/npm npm

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Test processes and the apps they start live for seconds to minutes: the runtime's profile-guided re-compilation
# (on by default, it pays off in a long-running server) costs them more than it wins, about a sixth of the web tests'
# time (docs/performance.md, "The test suite's time"). The product runs with the runtime's defaults.
export DOTNET_TieredPGO=0

setup_started=$SECONDS
echo "== restore"
dotnet tool restore >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
dotnet restore Market.sln || { echo "0 passed, 1 failed"; exit 1; }
echo "== build (Release, warnings are errors)"
dotnet build Market.sln -c Release --no-restore -warnaserror -nologo -clp:ErrorsOnly || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

# A throwaway PostgreSQL cluster: the second run of Market.Web.Tests and the engine-parity tests use it.
find_pg() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
pg_bin=$(find_pg)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "== installing postgresql"
  if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq || true; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(find_pg)
fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "error: PostgreSQL is missing and could not be installed"; echo "0 passed, 1 failed"; exit 1
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pg_port=0
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if port_free "$candidate"; then pg_port=$candidate; break; fi
done
pg_dir=$(mktemp -d /tmp/market-pg.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
stop_pg() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1
  cp "$pg_dir/server.log" "$results/postgresql.log" 2>/dev/null
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
# The cluster lives for this run only: it need not survive a power cut, so it does not wait for the disk (a crash
# test kills the app, never the server). Every test database is created, written and dropped a little faster.
pg_throwaway="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
echo "== PostgreSQL $(basename "$(dirname "$pg_bin")") on 127.0.0.1:$pg_port"
if [ "$pg_port" -eq 0 ] \
    || ! as_pg "$pg_bin/initdb" -A trust -U postgres -D "$pg_dir/data" >"$pg_dir/initdb.log" 2>&1 \
    || ! as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
         -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 $pg_throwaway" start >/dev/null; then
  cat "$pg_dir/initdb.log" "$pg_dir/server.log" 2>/dev/null | tail -20
  echo "error: could not start PostgreSQL"; echo "0 passed, 1 failed"; exit 1
fi
export MARKET_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres"

echo "== restore, build and PostgreSQL took $((SECONDS - setup_started)) s"
status=0
run_tests() { # run_tests <project> <result name> [filter]: non-zero when it failed or did not run; its summary goes to <result name>.summary
  local proj=$1 name=$2 filter=${3:-} started=$SECONDS rc=0
  dotnet test "$proj" -c Release --no-build --nologo ${filter:+--filter "$filter"} \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results" >"$results/$name.log" 2>&1 || rc=1
  {
    echo "== $name ($((SECONDS - started)) s)"
    grep -E "^\s*(Failed|Skipped) |Total tests|Passed!|Failed!|error" "$results/$name.log" | grep -v "^\s*$" | tail -40
    if [ ! -f "$results/$name.trx" ]; then
      echo "   no results from $name: it did not run"
      rc=1
    fi
  } >"$results/$name.summary"
  return $rc
}
# The JavaScript verifier's own tests (node's test runner, no browser): the shared tamper cases, the trust anchor and
# the vectors. npm ci here as well: the build installs the packages only when it has to bundle, and it may have
# skipped that. A suite that did not run is counted as one failed test, so the last line shows it too.
verifier_tests() {
  local junit="$results/verifier-node.junit.xml" rc=0 started=$SECONDS
  (cd src/Market.Web/verifier && npm ci --no-audit --no-fund >"$results/verifier-npm-ci.log" 2>&1 \
      && node --test --test-reporter=spec --test-reporter-destination=stdout \
           --test-reporter=junit --test-reporter-destination="$junit" test/*.test.js) >"$results/verifier-node.log" 2>&1 || rc=1
  {
    echo "== verifier, node --test ($((SECONDS - started)) s)"
    grep -E "^\s*✖|^ℹ (tests|pass|fail|skipped|cancelled)" "$results/verifier-node.log" | tail -40
    if ! grep -q '<testcase ' "$junit" 2>/dev/null; then
      tail -20 "$results/verifier-npm-ci.log" "$results/verifier-node.log" 2>/dev/null
      echo "   no results from the verifier's node tests: they did not run"
      echo '<testsuites><testcase name="verifier node suite"><failure message="did not run"/></testcase></testsuites>' >"$junit"
      rc=1
    fi
  } >"$results/verifier-node.summary"
  return $rc
}

# Two lanes on the two cores, about equally long: the browser and process tests (Market.E2E) spend much of their
# time waiting on Chromium, timers and restarted processes, so the other projects run meanwhile. The browser lane
# then runs the verifier's node tests and the small projects; the other lane the CLI, ledger and web tests on
# SQLite. The web tests run again on PostgreSQL (a database per app, copied from a migrated template, dropped
# afterwards), all but the classes marked [Trait("Database", "Independent")] (what they test does not depend on the
# engine under test: settings, headers, rate limits, who may reach what, pages rendered over services that have
# their own PostgreSQL tests, pure calculations, and the parity test, which runs both engines itself) and those marked
# [Trait("Database", "Sqlite")] (a limit only SQLite has), in two parts
# of about equal length, one at the end of each lane. MARKET_TEST_SERIAL=1 runs everything in one lane (it is not
# faster: both ways the two cores are busy throughout, see docs/performance.md).
pg_part1="(FullyQualifiedName~Market.Web.Tests.Metering.|FullyQualifiedName~Market.Web.Tests.Notifications.|FullyQualifiedName~Market.Web.Tests.Api.|FullyQualifiedName~Market.Web.Tests.Autopilot.)&Database!=Independent&Database!=Sqlite"
pg_part2="FullyQualifiedName!~Market.Web.Tests.Metering.&FullyQualifiedName!~Market.Web.Tests.Notifications.&FullyQualifiedName!~Market.Web.Tests.Api.&FullyQualifiedName!~Market.Web.Tests.Autopilot.&Database!=Independent&Database!=Sqlite"
browser_lane() {
  local rc=0 name
  echo "   running Market.E2E"
  run_tests tests/Market.E2E/Market.E2E.csproj Market.E2E || rc=1
  echo "   running the verifier's node tests"
  verifier_tests || rc=1
  for name in Market.Matching.Tests Market.Replay.Tests; do
    echo "   running $name"
    run_tests "tests/$name/$name.csproj" "$name" || rc=1
  done
  echo "   running Market.Web.Tests.PostgreSql (part 1)"
  MARKET_TEST_DATABASE=PostgreSql run_tests tests/Market.Web.Tests/Market.Web.Tests.csproj Market.Web.Tests.PostgreSql.1 "$pg_part1" || rc=1
  return $rc
}
other_lane() {
  local rc=0 proj name
  for proj in tests/*/*.csproj; do
    name=$(basename "$proj" .csproj)
    case " Market.E2E Market.Matching.Tests Market.Replay.Tests " in *" $name "*) continue ;; esac
    echo "   running $name"
    run_tests "$proj" "$name" || rc=1
  done
  echo "   running Market.Web.Tests.PostgreSql (part 2)"
  MARKET_TEST_DATABASE=PostgreSql run_tests tests/Market.Web.Tests/Market.Web.Tests.csproj Market.Web.Tests.PostgreSql.2 "$pg_part2" || rc=1
  return $rc
}
tests_started=$SECONDS
if [ "${MARKET_TEST_SERIAL:-0}" = 1 ]; then
  browser_lane || status=1
  other_lane || status=1
else
  echo "== two lanes"
  browser_lane &
  browser_pid=$!
  other_lane || status=1
  wait "$browser_pid" || status=1
fi
echo "== tests took $((SECONDS - tests_started)) s"
for name in $(for proj in tests/*/*.csproj; do basename "$proj" .csproj; done) Market.Web.Tests.PostgreSql.1 Market.Web.Tests.PostgreSql.2 verifier-node; do
  [ -f "$results/$name.summary" ] && cat "$results/$name.summary"
done
# Where the time went: per result file, and the slowest tests (docs/performance.md, "The test suite's time").
node "$root/.ci/test-times.mjs" "$results" --top 10 || true

passed=0; failed=0; skipped=0; total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  t=$(get total); p=$(get passed); f=$(get failed); e=$(get error); x=$(get executed)
  total=$((total + ${t:-0})); passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done
# node's JUnit report: one <testcase> per test, with a <failure> or <skipped> inside when it failed or did not run.
for junit in "$results"/*.junit.xml; do
  [ -f "$junit" ] || continue
  t=$(grep -o '<testcase ' "$junit" | wc -l); f=$(grep -o '<failure ' "$junit" | wc -l); s=$(grep -o '<skipped' "$junit" | wc -l)
  total=$((total + t)); failed=$((failed + f)); skipped=$((skipped + s)); passed=$((passed + t - f - s))
done
[ "$total" -gt 0 ] || status=1
[ "$skipped" -eq 0 ] || { echo "$skipped test(s) did not run"; status=1; }
[ "$failed" -eq 0 ] || status=1
echo "Screenshots and logs: artifacts/"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
