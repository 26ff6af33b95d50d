#!/usr/bin/env bash
# 1-byte round-trip latency through a -L tunnel (p50, p99), idle and while a second channel of the same SSH
# connection pushes bulk data: OpenSSH → OpenSSH, Sluice → Sluice, MINA SSHD → MINA SSHD, and plain TCP as the
# floor. Prints one markdown table (also saved under benchmarks/results/). About 2 minutes with the defaults.
#
#   benchmarks/run-latency.sh
#   benchmarks/run-latency.sh --only openssh,sluice --rounds 5000
#
# Options (see LatencyBenchmark): --rounds, --warmup, --only plain,openssh,sluice,mina, --cipher, --out.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# shellcheck source=build.sh
source benchmarks/build.sh

run_benchmark dev.sluice.benchmarks.latency.LatencyBenchmark latency "$@"
