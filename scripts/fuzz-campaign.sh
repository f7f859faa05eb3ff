#!/bin/bash
# The long fuzz campaign (`make fuzz-campaign`): every libFuzzer target for a fixed number of
# executions (FUZZ_RUNS, 10^8 by default) rather than a fixed time, FUZZ_JOBS targets at once,
# on the same corpora as `make fuzz`. A target that already finished its runs in an earlier
# campaign is not run again (its result line is kept), so a campaign that takes longer than
# one sitting is resumed by running it again: a target stopped part way (Ctrl-C, a reset
# machine) goes on from its corpus for the executions it still owes, and its result counts
# the executions of every sitting. Prints one line per target and writes them to summary.txt.
#
# usage: fuzz-campaign.sh BUILD_DIR [TARGET...]      (environment: FUZZ_RUNS, FUZZ_JOBS,
#                                                     FUZZ_TIMEOUT, FUZZ_MAX_LEN)
set -euo pipefail

build=${1:?usage: fuzz-campaign.sh BUILD_DIR [TARGET...]}
shift
runs=${FUZZ_RUNS:-100000000}
jobs=${FUZZ_JOBS:-$(nproc)}
timeout=${FUZZ_TIMEOUT:-20}
max_len=${FUZZ_MAX_LEN:-16384}
campaign=$build/fuzz/campaign-$runs
mkdir -p "$campaign"

if [ $# -eq 0 ]; then
    set -- $(cd "$build/fuzz" && for file in *; do [ -f "$file" ] && [ -x "$file" ] && echo "$file"; done)
fi
for target in "$@"; do
    [ -x "$build/fuzz/$target" ] || { echo "fuzz-campaign: no fuzz target $build/fuzz/$target" >&2; exit 2; }
done

# Executions a libFuzzer log records: its final statistics, or its last status line when the
# process was killed before it could print them.
runs_in_log() {
    local log=$1 count
    [ -f "$log" ] || { echo 0; return; }
    count=$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -n "$count" ] || count=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
    echo "${count:-0}"
}

# One target: the executions it still owes, then a result line in $campaign/TARGET.result.
# $campaign/TARGET.done holds the executions of earlier sittings (since the last failure);
# their logs are kept in TARGET.log.old.
run_target() {
    local target=$1 log="$campaign/$1.log" result="$campaign/$1.result" done_file="$campaign/$1.done"
    if [ -s "$result" ] && grep -q " clean$" "$result"; then
        return 0
    fi
    local earlier
    earlier=$(( $(cat "$done_file" 2>/dev/null || echo 0) + $(runs_in_log "$log") ))
    # A sitting that failed ran code that crashed: after the fix the count starts over, so a
    # clean result always counts clean executions only.
    [ -s "$result" ] && grep -q " FAILED (" "$result" && earlier=0
    echo "$earlier" > "$done_file"
    [ -f "$log" ] && { cat "$log" >> "$log.old"; rm -f "$log"; }
    rm -f "$result"
    mkdir -p "$build/fuzz/corpus/$target" "$build/fuzz/seeds/$target"
    local corpora=("$build/fuzz/corpus/$target" "$build/fuzz/seeds/$target")
    [ -d "tests/fuzz/corpus/$target" ] && corpora+=("tests/fuzz/corpus/$target")
    local owed=$(( runs > earlier ? runs - earlier : 0 ))
    local started status=0
    started=$(date +%s)
    if [ "$owed" -gt 0 ]; then
        "$build/fuzz/$target" -runs="$owed" -timeout="$timeout" -max_len="$max_len" -print_final_stats=1 \
            -artifact_prefix="$campaign/$target-" "${corpora[@]}" > "$log" 2>&1 || status=$?
    fi
    local seconds=$(( $(date +%s) - started ))
    local now total coverage
    now=$(runs_in_log "$log")
    total=$(( earlier + now ))
    coverage=$(grep -hoE 'cov: [0-9]+ ft: [0-9]+' "$log.old" "$log" 2>/dev/null | tail -n 1 || true)
    local verdict=clean
    if [ "$status" -eq 72 ]; then
        verdict="interrupted ($total of $runs runs; run again to go on)"
    elif [ "$status" -ne 0 ]; then
        verdict="FAILED (exit $status; $(grep -m1 -oE '(ERROR|ALARM|==[0-9]+==ERROR): .*' "$log" | cut -c1-120 || true); artifact in $campaign)"
    elif [ "$total" -lt "$runs" ]; then
        verdict="short ($total of $runs runs)"
    fi
    local sitting=""
    [ "$earlier" -gt 0 ] && sitting=" ($earlier in earlier sittings)"
    printf '%-18s %12s runs, this sitting %6s s (%6s/s)%s, %-20s %s\n' "$target" "$total" "$seconds" \
        "$(( now / (seconds > 0 ? seconds : 1) ))" "$sitting" "${coverage:-no coverage line}," "$verdict" > "$result"
    cat "$result"
}
export -f run_target runs_in_log
export build campaign runs timeout max_len

echo "fuzz-campaign: $# targets, $runs runs each, $jobs at once; logs in $campaign"
status=0
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'run_target "$1"' _ {} || status=$?
cat "$campaign"/*.result > "$campaign/summary.txt" 2>/dev/null || true
echo "fuzz-campaign: summary ($campaign/summary.txt):"
cat "$campaign/summary.txt"
if grep -qv " clean$" "$campaign/summary.txt" || [ "$status" -ne 0 ]; then
    exit 1
fi
