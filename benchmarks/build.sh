# Sourced by the run-*.sh scripts: builds the launcher's jar and the benchmark classes in one reactor run (offline
# first, as the launcher does), so that no measured process starts by building, and sets
#   java       the JDK the launcher uses for Sluice (every Java peer runs on it)
#   classpath  the benchmark classes and their dependencies (Sluice modules from this reactor, MINA SSHD, JMH)
#   run_benchmark CLASS NAME ARGS…  runs a driver class with the peers' settings, saving its table under
#                                   benchmarks/results/NAME-<date>.md unless --out is given
# Expects $repo (the repository root) to be set and to be the current directory.

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "building…" >&2
# dependency:build-classpath in the same reactor run resolves the Sluice modules to this checkout's jars, not to
# whatever an earlier `mvn install` left in ~/.m2.
build=(package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -DskipTests -pl benchmarks -am)
if ! mvn -B -q -o "${build[@]}" >"$log" 2>&1; then
    if grep -qiE 'offline|Cannot access|could not resolve|Could not find artifact' "$log"; then
        mvn -B -q "${build[@]}" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    else
        cat "$log" >&2
        exit 1
    fi
fi

java=$(SLUICE_WHICH_JAVA=1 ./sluice)
classpath="$repo/benchmarks/target/classes:$(cat "$repo/benchmarks/target/classpath.txt")"

run_benchmark() {
    local main=$1 name=$2
    shift 2
    local args=("$@")
    if [[ " $* " != *" --out"* ]]; then
        args+=(--out "benchmarks/results/$name-$(date +%Y%m%d-%H%M%S).md")
    fi
    exec "$java" -Xms256m -cp "$classpath" "$main" --repo "$repo" --java "$java" --classpath "$classpath" "${args[@]}"
}
