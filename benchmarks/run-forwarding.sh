#!/usr/bin/env bash
# End-to-end -L forwarding benchmark: OpenSSH and Sluice in every client→server pairing, per cipher, plus plain
# loopback TCP as the ceiling. Prints one markdown table (also saved under benchmarks/results/).
#
#   benchmarks/run-forwarding.sh                       # everything: 1 GiB × 3 runs per row, bounded to ~10 minutes
#   benchmarks/run-forwarding.sh --only plain,openssh --size 256MiB --runs 1
#
# Options (see ForwardingBenchmark): --size, --runs, --warmup, --direction up|down, --ciphers a,b,
# --only plain,openssh,sluice,sluice-openssh,openssh-sluice, --budget SECONDS, --timeout SECONDS, --out FILE.
# Run it on an otherwise idle machine: every peer competes with the others for the same cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
start=$SECONDS

# Build the launcher's jar and the benchmark classes in one reactor run (offline first, as the launcher does), so
# that no measured process starts by building.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "building…" >&2
if ! mvn -B -q -o package -DskipTests -pl benchmarks -am >"$log" 2>&1; then
    if grep -qiE 'offline|Cannot access|could not resolve|Could not find artifact' "$log"; then
        mvn -B -q package -DskipTests -pl benchmarks -am >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    else
        cat "$log" >&2
        exit 1
    fi
fi

# The driver runs on the JDK the launcher uses for Sluice, and it needs only the JDK: plain class path.
java=$(SLUICE_WHICH_JAVA=1 ./sluice)

args=("$@")
if [[ " $* " != *" --budget"* ]]; then
    # Ten minutes for the whole script, build included, with a minute's margin for the last row in flight.
    args+=(--budget $((540 - (SECONDS - start))))
fi
if [[ " $* " != *" --out"* ]]; then
    args+=(--out "benchmarks/results/forwarding-$(date +%Y%m%d-%H%M%S).md")
fi

exec "$java" -Xms256m -cp benchmarks/target/classes dev.sluice.benchmarks.forwarding.ForwardingBenchmark \
    --repo "$repo" "${args[@]}"
