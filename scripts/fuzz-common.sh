# Sourced by scripts/fuzz-campaign.sh and scripts/fuzz-merge.sh: the checks both make of what
# they are given. Each stops its script (exit 2) with a line that names the bad value.

# fuzz_whole_numbers PROGRAM NAME=VALUE...: every VALUE is a positive whole number.
fuzz_whole_numbers() {
    local program=$1 pair
    shift
    for pair in "$@"; do
        [[ ${pair#*=} =~ ^[1-9][0-9]*$ ]] || {
            echo "$program: ${pair%%=*} takes a positive whole number, not '${pair#*=}'" >&2
            exit 2
        }
    done
}

# fuzz_targets PROGRAM BUILD_DIR [TARGET...]: sets fuzz_targets to the targets named, each
# checked to be built in BUILD_DIR/fuzz, or, when none is named, to every target built there.
fuzz_targets() {
    local program=$1 build=$2 target
    shift 2
    if [ $# -eq 0 ]; then
        set -- $(cd "$build/fuzz" && for file in *; do [ -f "$file" ] && [ -x "$file" ] && echo "$file"; done)
    fi
    for target in "$@"; do
        [ -x "$build/fuzz/$target" ] || { echo "$program: no fuzz target $build/fuzz/$target" >&2; exit 2; }
    done
    fuzz_targets=("$@")
}
