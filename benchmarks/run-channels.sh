#!/usr/bin/env bash
# Thousands of forwarded connections over one SSH connection (default 10,000 through one -L tunnel, each
# echoing 4 KiB, then held open): channels per second and memory per open channel (RSS, and live heap for
# the Java peers), OpenSSH → OpenSSH, Sluice → Sluice, MINA SSHD → MINA SSHD. One markdown table, also saved under
# benchmarks/results/. A few minutes with the defaults; needs 3 file descriptors per connection (ulimit -n).
#
#   benchmarks/run-channels.sh
#   benchmarks/run-channels.sh --only sluice --connections 2000
#
# Options (see ManyChannelsBenchmark): --connections, --bytes, --concurrency, --only openssh,sluice,mina, --cipher,
# --out.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# shellcheck source=build.sh
source benchmarks/build.sh

run_benchmark dev.sluice.benchmarks.channels.ManyChannelsBenchmark channels "$@"
