#!/usr/bin/env bash
# Connection-setup benchmark: full SSH connections per second (connect, curve25519-sha256, ssh-ed25519, publickey
# login, one direct-tcpip channel, disconnect) for Sluice → Sluice, OpenSSH → OpenSSH and MINA SSHD → MINA SSHD, with
# sequential and parallel client loops, median and p99 latency, and CPU ms per connection on each side. Prints one
# markdown table (also saved under benchmarks/results/). About 2 minutes with the defaults.
#
#   benchmarks/run-setup.sh
#   benchmarks/run-setup.sh --only sluice,openssh --parallel 1 --seconds 5
#
# Options (see SetupBenchmark): --seconds, --warmup, --parallel 1,4, --only sluice,openssh,mina, --cipher, --out.
# Run it on an otherwise idle machine: clients and servers compete for the same cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# shellcheck source=build.sh
source benchmarks/build.sh

run_benchmark dev.sluice.benchmarks.setup.SetupBenchmark setup "$@"
