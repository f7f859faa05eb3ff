#!/bin/bash
# Brings what long fuzz runs found back into the repository (`make fuzz-merge`). `make fuzz`
# and `make fuzz-campaign` grow each target's corpus in BUILD_DIR/fuzz/corpus/TARGET (tens of
# thousands of inputs after a campaign, gone with the machine); the short pass `make check`
# runs starts from the committed corpus and the generated seeds only, and reaches a fraction of
# the code the campaign reached. For each target this copies into CORPUS_ROOT/TARGET the few
# grown inputs that reach an edge the committed inputs and the seeds do not (libFuzzer's
# -merge=1 on edge coverage alone: smallest inputs first, one kept only for an edge nothing
# before it reached). Committed inputs are kept as they are; the seeds scripts/fuzz-seeds.sh
# makes with the real tools are counted but not copied (every build makes them again). An input
# that crashes or hangs the target is a finding, not something to skip: the target fails, its
# log is named and nothing is copied for it. Prints a line per target: inputs added, and the
# edges the committed corpus and the seeds reach before and after.
#
# usage: fuzz-merge.sh BUILD_DIR CORPUS_ROOT [TARGET...]   (environment: FUZZ_TIMEOUT, FUZZ_MAX_LEN)
set -euo pipefail
source "$(dirname "$0")/fuzz-common.sh"

build=${1:?usage: fuzz-merge.sh BUILD_DIR CORPUS_ROOT [TARGET...]}
corpus_root=${2:?usage: fuzz-merge.sh BUILD_DIR CORPUS_ROOT [TARGET...]}
shift 2
timeout=${FUZZ_TIMEOUT:-20}
max_len=${FUZZ_MAX_LEN:-16384}
fuzz_whole_numbers fuzz-merge FUZZ_TIMEOUT="$timeout" FUZZ_MAX_LEN="$max_len"
[ -d "$corpus_root" ] || { echo "fuzz-merge: no corpus directory $corpus_root" >&2; exit 2; }
fuzz_targets fuzz-merge "$build" "$@"
set -- "${fuzz_targets[@]}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The edges TARGET reaches on the inputs of the given directories, as libFuzzer counts them
# once it has run all of them (its INITED line).
edges() {
    local target=$1 empty
    shift
    empty=$(mktemp -d -p "$work")
    "$build/fuzz/$target" -runs=0 -max_len="$max_len" -timeout="$timeout" "$empty" "$@" 2>&1 |
        grep -oE 'INITED cov: [0-9]+' | grep -oE '[0-9]+$' || echo "?"
}

existing_dirs() {
    local dir
    for dir in "$@"; do
        [ -d "$dir" ] && echo "$dir"
    done
    return 0
}

failed=0
for target in "$@"; do
    grown=$build/fuzz/corpus/$target
    committed=$corpus_root/$target
    seeds=$build/fuzz/seeds/$target
    if [ -z "$(ls -A "$grown" 2>/dev/null)" ]; then
        printf '%-18s nothing to merge: %s is empty or missing (make fuzz or make fuzz-campaign grow it)\n' "$target" "$grown"
        continue
    fi
    mapfile -t known < <(existing_dirs "$committed" "$seeds")
    before=$(edges "$target" "${known[@]}")

    # libFuzzer adds to the first directory the inputs of the others that bring new edges
    # (named by their SHA-1); it starts as a copy of what is known (the seeds renamed, so that
    # none hides a committed input of the same name), so what it gains is exactly what to add.
    base=$work/$target
    mkdir -p "$base"
    [ -d "$committed" ] && cp -pr "$committed"/. "$base"/
    if [ -d "$seeds" ]; then
        for seed in "$seeds"/*; do
            [ -f "$seed" ] && cp -p "$seed" "$base/generated-seed.${seed##*/}"
        done
    fi
    (cd "$base" && ls -A) | sort > "$work/$target.known"
    log=$build/fuzz/$target.merge.log
    status=0
    "$build/fuzz/$target" -merge=1 -use_counters=0 -max_len="$max_len" -timeout="$timeout" \
        -merge_control_file="$work/$target.control" -artifact_prefix="$build/fuzz/$target-merge-" \
        "$base" "$grown" > "$log" 2>&1 || status=$?
    attempts=$(grep -oE 'MERGE-OUTER: successful in [0-9]+ attempt' "$log" | grep -oE '[0-9]+' || true)
    if [ "$status" -ne 0 ] || [ "$attempts" != 1 ]; then
        reason=$(grep -m 1 -oE 'ERROR: libFuzzer: [a-z -]+|ERROR: AddressSanitizer: [a-zA-Z-]+|runtime error: .*|Timeout after [0-9]+ seconds' "$log" || true)
        inputs=$(grep -oE "^MERGE-INNER: '.*' caused a failure" "$log" | sed -E "s/^MERGE-INNER: '(.*)' caused a failure$/\1/" | paste -sd ' ' || true)
        printf '%-18s FAILED: %s crashed or hung the target (%s; log %s); nothing copied\n' \
            "$target" "${inputs:-an input of $grown}" "${reason:-exit $status}" "$log"
        failed=1
        continue
    fi
    mapfile -t added < <((cd "$base" && ls -A) | sort | comm -13 "$work/$target.known" -)
    bytes=0
    [ ${#added[@]} -eq 0 ] || mkdir -p "$committed"
    for name in "${added[@]}"; do
        cp "$base/$name" "$committed/$name"
        bytes=$((bytes + $(stat -c %s "$committed/$name")))
    done
    mapfile -t known < <(existing_dirs "$committed" "$seeds")
    after=$(edges "$target" "${known[@]}")
    printf '%-18s %4d of %6d grown inputs added to %s (%d bytes); committed corpus and seeds reach %s edges, %s before\n' \
        "$target" ${#added[@]} "$(ls -A "$grown" | wc -l)" "$committed" "$bytes" "$after" "$before"
done
exit $failed
