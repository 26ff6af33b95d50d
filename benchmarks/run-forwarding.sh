#!/usr/bin/env bash
# End-to-end -L forwarding benchmark: OpenSSH and Sluice in every client→server pairing, MINA SSHD → MINA SSHD,
# per cipher, plus plain loopback TCP as the ceiling. Prints one markdown table (also saved under benchmarks/results/).
#
#   benchmarks/run-forwarding.sh                       # everything: 1 GiB × 3 runs per row, bounded to ~10 minutes
#   benchmarks/run-forwarding.sh --only plain,openssh --size 256MiB --runs 1
#   benchmarks/run-forwarding.sh --delay 10 --ciphers aes128-gcm@openssh.com   # a 20 ms round-trip path
#
# Options (see ForwardingBenchmark): --size, --runs, --warmup, --direction up|down, --ciphers a,b,
# --only plain,openssh,sluice,sluice-openssh,openssh-sluice,mina, --budget SECONDS, --timeout SECONDS, --out FILE,
# --delay MS (every connection crosses a relay that holds each byte MS milliseconds each way).
# Run it on an otherwise idle machine: every peer competes with the others for the same cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
start=$SECONDS

# shellcheck source=build.sh
source benchmarks/build.sh

args=("$@")
if [[ " $* " != *" --budget"* ]]; then
    # Ten minutes for the whole script, build included, with a minute's margin for the last row in flight.
    args+=(--budget $((540 - (SECONDS - start))))
fi
run_benchmark dev.sluice.benchmarks.forwarding.ForwardingBenchmark forwarding "${args[@]}"
