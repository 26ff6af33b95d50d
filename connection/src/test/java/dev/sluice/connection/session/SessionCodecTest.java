package dev.sluice.connection.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.SshException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The session request encodings: round trips, exact ends, and the AcceptEnv/SendEnv pattern match. */
class SessionCodecTest {
    @Provide
    Arbitrary<PtyRequest> ptys() {
        return Combinators.combine(Arbitraries.strings().ofMaxLength(40), Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().greaterOrEqual(0),
                Arbitraries.integers().greaterOrEqual(0), Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as(PtyRequest::new);
    }

    @Property
    void ptyRequestShouldSurviveEncodeDecode(@ForAll("ptys") PtyRequest pty) {
        assertThat(PtyRequest.decode(pty.encode())).isEqualTo(pty);
    }

    @Property
    void exitStatusShouldSurviveEncodeDecode(@ForAll("statuses") ExitStatus status) {
        byte[] data = SessionRequests.exit(status);
        ExitStatus back = status.isSignal() ? SessionRequests.decodeExitSignal(data)
                : SessionRequests.decodeExitStatus(data);
        assertThat(back).isEqualTo(status);
    }

    @Provide
    Arbitrary<ExitStatus> statuses() {
        Arbitrary<ExitStatus> codes = Arbitraries.integers().between(0, 255).map(ExitStatus::exited);
        Arbitrary<ExitStatus> signals = Combinators.combine(Arbitraries.of("KILL", "TERM", "SEGV", "X@example"),
                Arbitraries.of(true, false), Arbitraries.strings().ofMaxLength(20))
                .as((n, core, msg) -> new ExitStatus(-1, n, core, msg));
        return Arbitraries.oneOf(codes, signals);
    }

    @Test
    void exitStatusShouldBeAUint32OnTheWire() {
        assertThat(SessionRequests.exit(ExitStatus.exited(3))).containsExactly(0, 0, 0, 3);
        assertThatThrownBy(() -> SessionRequests.decodeExitStatus(new byte[] {0, 0, 0, 3, 0}))
                .isInstanceOf(SshException.class);
    }

    @Test
    void javaExitValuesOfSignalledProcessesShouldBecomeSignalNames() {
        assertThat(Signals.fromJavaExitValue(137)).isEqualTo(ExitStatus.killed("KILL"));
        assertThat(Signals.fromJavaExitValue(143)).isEqualTo(ExitStatus.killed("TERM"));
        assertThat(Signals.fromJavaExitValue(3)).isEqualTo(ExitStatus.exited(3));
        assertThat(Signals.fromJavaExitValue(128 + 5)).as("TRAP has no protocol name").isEqualTo(ExitStatus.exited(133));
        assertThat(Signals.fromJavaExitValue(255)).isEqualTo(ExitStatus.exited(255));
    }

    @Test
    void patternsShouldMatchAsOpenSshMatchPattern() {
        assertThat(SessionConfig.matchesPattern("LC_*", "LC_ALL")).isTrue();
        assertThat(SessionConfig.matchesPattern("LC_*", "LC_")).isTrue();
        assertThat(SessionConfig.matchesPattern("LC_*", "XLC_ALL")).isFalse();
        assertThat(SessionConfig.matchesPattern("LAN?", "LANG")).isTrue();
        assertThat(SessionConfig.matchesPattern("LAN?", "LANGUAGE")).isFalse();
        assertThat(SessionConfig.matchesPattern("*", "")).isTrue();
        assertThat(SessionConfig.matchesPattern("a*b*c", "aXXbYYc")).isTrue();
        assertThat(SessionConfig.matchesPattern("a*b*c", "aXXbYY")).isFalse();
    }

    @Test
    void aHostilePatternShouldNotTakeExponentialTime() {
        String name = "a".repeat(30_000);
        long start = System.nanoTime();
        assertThat(SessionConfig.matchesPattern("*a*a*a*a*a*a*b", name)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
    }
}
