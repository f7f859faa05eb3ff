#!/bin/bash
# The long fuzz campaign (`make fuzz-campaign`): every libFuzzer target for a fixed number of
# executions (FUZZ_RUNS, 10^8 by default) rather than a fixed time, on FUZZ_JOBS cores, on the
# same corpora as `make fuzz`. A target that already finished its runs in an earlier campaign
# is not run again (its result line is kept), so a campaign that takes longer than one sitting
# is resumed by running it again: a target stopped part way (Ctrl-C, a reset machine) goes on
# from its corpus for the executions it still owes, and its result counts the executions of
# every sitting. When fewer targets are left than cores, each gets several libFuzzer workers
# that share its corpus (libFuzzer reloads it every second) and split the executions it owes,
# so the last, slowest targets of a campaign do not leave cores idle. Prints one line per
# target and writes them to summary.txt.
#
# usage: fuzz-campaign.sh BUILD_DIR [TARGET...]      (environment: FUZZ_RUNS, FUZZ_JOBS,
#                                                     FUZZ_TIMEOUT, FUZZ_MAX_LEN)
set -euo pipefail
source "$(dirname "$0")/fuzz-common.sh"

build=${1:?usage: fuzz-campaign.sh BUILD_DIR [TARGET...]}
shift
runs=${FUZZ_RUNS:-100000000}
jobs=${FUZZ_JOBS:-$(nproc)}
timeout=${FUZZ_TIMEOUT:-20}
max_len=${FUZZ_MAX_LEN:-16384}
campaign=$build/fuzz/campaign-$runs
fuzz_whole_numbers fuzz-campaign FUZZ_RUNS="$runs" FUZZ_JOBS="$jobs" FUZZ_TIMEOUT="$timeout" FUZZ_MAX_LEN="$max_len"
mkdir -p "$campaign"
fuzz_targets fuzz-campaign "$build" "$@"
set -- "${fuzz_targets[@]}"

# Executions a libFuzzer log records: its final statistics, or its last status line when the
# process was killed before it could print them.
runs_in_log() {
    local log=$1 count
    [ -f "$log" ] || { echo 0; return; }
    count=$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -n "$count" ] || count=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
    echo "${count:-0}"
}

finished() {
    [ -s "$campaign/$1.result" ] && grep -q " clean$" "$campaign/$1.result"
}

# One target on WORKERS libFuzzer processes: the executions it still owes, then a result line
# in $campaign/TARGET.result. $campaign/TARGET.done holds the executions of earlier sittings
# (since the last failure); their logs are kept in TARGET.log.old. Worker N logs to
# TARGET.log (N = 1) or TARGET.log.N. A worker that fails stops the others.
run_target() {
    # Ctrl-C stops the workers (libFuzzer installs its own handler, exits 72 and prints its
    # count); this shell goes on to record what they did.
    trap '' INT
    local target=$1 workers=$2 result="$campaign/$1.result" done_file="$campaign/$1.done"
    local log logs=("$campaign/$target".log "$campaign/$target".log.[0-9]*)
    local earlier
    earlier=$(cat "$done_file" 2>/dev/null || echo 0)
    for log in "${logs[@]}"; do
        earlier=$(( earlier + $(runs_in_log "$log") ))
    done
    # A sitting that failed ran code that crashed: after the fix the count starts over, so a
    # clean result always counts clean executions only.
    [ -s "$result" ] && grep -q " FAILED (" "$result" && earlier=0
    echo "$earlier" > "$done_file"
    for log in "${logs[@]}"; do
        [ -f "$log" ] && { cat "$log" >> "$campaign/$target.log.old"; rm -f "$log"; }
    done
    rm -f "$result"
    mkdir -p "$build/fuzz/corpus/$target" "$build/fuzz/seeds/$target"
    local corpora=("$build/fuzz/corpus/$target" "$build/fuzz/seeds/$target")
    [ -d "tests/fuzz/corpus/$target" ] && corpora+=("tests/fuzz/corpus/$target")
    local owed=$(( runs > earlier ? runs - earlier : 0 ))
    [ "$workers" -gt "$owed" ] && workers=$(( owed > 0 ? owed : 1 ))
    local started worker pid status=0 failed_log="" failed_status=0 interrupted=0
    local -A log_of=()
    logs=()
    started=$(date +%s)
    for (( worker = 1; worker <= workers && owed > 0; worker++ )); do
        log="$campaign/$target.log"
        [ "$worker" -gt 1 ] && log="$log.$worker"
        logs+=("$log")
        # The first worker also takes what does not divide evenly.
        local share=$(( owed / workers + (worker == 1 ? owed % workers : 0) ))
        "$build/fuzz/$target" -runs="$share" -timeout="$timeout" -max_len="$max_len" -print_final_stats=1 \
            -artifact_prefix="$campaign/$target-" "${corpora[@]}" > "$log" 2>&1 &
        log_of[$!]=$log
    done
    while [ "${#log_of[@]}" -gt 0 ]; do
        status=0
        wait -n -p pid "${!log_of[@]}" || status=$?
        [ -n "${pid:-}" ] || continue
        if [ "$status" -eq 72 ]; then
            interrupted=1
        elif [ "$status" -ne 0 ] && [ -z "$failed_log" ]; then
            failed_log=${log_of[$pid]}
            failed_status=$status
            unset "log_of[$pid]"
            [ "${#log_of[@]}" -gt 0 ] && kill -INT "${!log_of[@]}" 2>/dev/null || true
            continue
        fi
        unset "log_of[$pid]"
    done
    local seconds=$(( $(date +%s) - started ))
    local now=0 total coverage
    for log in "${logs[@]}"; do
        now=$(( now + $(runs_in_log "$log") ))
    done
    total=$(( earlier + now ))
    # The widest coverage any worker reached in its last status line.
    coverage=$(for log in "$campaign/$target.log.old" "${logs[@]}"; do
                   grep -hoE 'cov: [0-9]+ ft: [0-9]+' "$log" 2>/dev/null | tail -n 1
               done | sort -k2,2n -k4,4n | tail -n 1 || true)
    local verdict=clean
    if [ -n "$failed_log" ]; then
        verdict="FAILED (exit $failed_status; $(grep -m1 -oE '(ERROR|ALARM|==[0-9]+==ERROR): .*' "$failed_log" | cut -c1-120 || true); log $failed_log, artifact in $campaign)"
    elif [ "$interrupted" -eq 1 ]; then
        verdict="interrupted ($total of $runs runs; run again to go on)"
    elif [ "$total" -lt "$runs" ]; then
        verdict="short ($total of $runs runs)"
    fi
    local sitting=""
    [ "$earlier" -gt 0 ] && sitting=" ($earlier before its last start)"
    [ "${#logs[@]}" -gt 1 ] && sitting="$sitting on ${#logs[@]} workers"
    printf '%-18s %12s runs, this sitting %6s s (%6s/s)%s, %-20s %s\n' "$target" "$total" "$seconds" \
        "$(( now / (seconds > 0 ? seconds : 1) ))" "$sitting" "${coverage:-no coverage line}," "$verdict" > "$result"
    cat "$result"
}

# Ctrl-C reaches every process of the campaign: the libFuzzer workers stop (exit 72) and write
# their counts, and the campaign waits for every target to record them before its summary.
stopping=0
trap 'stopping=1; echo "fuzz-campaign: interrupted; waiting for the targets to record their counts" >&2' INT

queue=()
for target in "$@"; do
    finished "$target" && cat "$campaign/$target.result" || queue+=("$target")
done
echo "fuzz-campaign: ${#queue[@]} of $# targets to run, $runs runs each, on $jobs cores; logs in $campaign"
# The queued targets share the free cores (one worker each while there are more targets than
# cores). Once nothing is queued, a core that a finished target frees goes to the running
# target with the fewest workers: it is stopped (its count recorded) and started again on
# more workers for what it still owes.
declare -A target_of=() workers_of=() regrowing=()
free=$jobs
while :; do
    while [ "$stopping" -eq 0 ] && [ "${#queue[@]}" -gt 0 ] && [ "$free" -gt 0 ]; do
        workers=$(( free / ${#queue[@]} > 1 ? free / ${#queue[@]} : 1 ))
        run_target "${queue[0]}" "$workers" &
        target_of[$!]=${queue[0]}
        workers_of[$!]=$workers
        free=$(( free - workers ))
        queue=("${queue[@]:1}")
    done
    if [ "$stopping" -eq 0 ] && [ "${#queue[@]}" -eq 0 ] && [ "$free" -gt 0 ] && [ "${#regrowing[@]}" -eq 0 ]; then
        fewest=""
        for pid in "${!target_of[@]}"; do
            if [ -z "$fewest" ] || [ "${workers_of[$pid]}" -lt "${workers_of[$fewest]}" ]; then
                fewest=$pid
            fi
        done
        if [ -n "$fewest" ]; then
            regrowing[$fewest]=1
            if pkill -INT -P "$fewest"; then
                echo "fuzz-campaign: $free core(s) free: ${target_of[$fewest]} goes on with more workers"
            fi
        fi
    fi
    [ "${#target_of[@]}" -gt 0 ] || break
    pid=""
    wait -n -p pid "${!target_of[@]}" || true
    [ -n "$pid" ] && [ -n "${target_of[$pid]+set}" ] || continue
    free=$(( free + workers_of[$pid] ))
    if [ -n "${regrowing[$pid]+set}" ] && [ "$stopping" -eq 0 ] &&
       grep -q " interrupted (" "$campaign/${target_of[$pid]}.result" 2>/dev/null; then
        queue=("${target_of[$pid]}" ${queue[@]+"${queue[@]}"})
    fi
    unset "target_of[$pid]" "workers_of[$pid]" "regrowing[$pid]"
done
cat "$campaign"/*.result > "$campaign/summary.txt" 2>/dev/null || true
echo "fuzz-campaign: summary ($campaign/summary.txt):"
cat "$campaign/summary.txt"
for target in "$@"; do
    finished "$target" || exit 1
done
