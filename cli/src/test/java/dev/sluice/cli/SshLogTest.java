package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.Level;

class SshLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream sink = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @AfterEach
    void reset() {
        SshLog.configure(SshLog.Level.INFO, false, System.err);
    }

    private String logged() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void logAll() {
        SshLog.fatal("f");
        SshLog.error("e");
        SshLog.info("i");
        SshLog.verbose("v");
        SshLog.debug1("d1");
        SshLog.debug2("d2");
        SshLog.debug3("d3");
    }

    @Test
    void eachLevelShouldShowItselfAndTheLevelsAboveWithSshPrefixesAndCrLf() {
        SshLog.configure(SshLog.Level.DEBUG2, true, sink);
        logAll();
        assertThat(logged()).isEqualTo("f\r\ne\r\ni\r\nv\r\ndebug1: d1\r\ndebug2: d2\r\n");
    }

    @Test
    void quietShouldShowNothingNotEvenFatalErrors() {
        SshLog.configure(SshLog.Level.QUIET, true, sink);
        logAll();
        assertThat(logged()).isEmpty();
    }

    @Test
    void infoShouldHideVerboseAndDebug() {
        SshLog.configure(SshLog.Level.INFO, true, sink);
        logAll();
        assertThat(logged()).isEqualTo("f\r\ne\r\ni\r\n");
    }

    @Test
    void debugShouldMeanDebug1AndUnknownWordsShouldBeRefused() {
        assertThat(SshLog.Level.parse("debug")).isEqualTo(SshLog.Level.DEBUG1);
        assertThat(SshLog.Level.parse("Verbose")).isEqualTo(SshLog.Level.VERBOSE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SshLog.Level.parse("LOUD"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMessageOfSeveralLinesShouldPrefixEachLine() {
        SshLog.configure(SshLog.Level.DEBUG1, true, sink);
        SshLog.debug1("one\ntwo");
        assertThat(logged()).isEqualTo("debug1: one\r\ndebug1: two\r\n");
    }

    @Test
    void libraryInfoShouldStayHiddenUntilLogLevelIsGivenButErrorsShow() {
        SshLog.configure(SshLog.Level.INFO, false, sink);
        assertThat(SshLog.libraryEnabled(SshLog.Level.INFO)).isFalse();
        assertThat(SshLog.libraryEnabled(SshLog.Level.ERROR)).isTrue();
        assertThat(SshLog.enabled(SshLog.Level.INFO)).isTrue();
        SshLog.configure(SshLog.Level.INFO, true, sink);
        assertThat(SshLog.libraryEnabled(SshLog.Level.INFO)).isTrue();
    }

    @Test
    void slf4jLevelsAndMarkersShouldMapToSshLevels() {
        assertThat(CliLogProvider.level(Level.DEBUG, null)).isEqualTo(SshLog.Level.DEBUG1);
        assertThat(CliLogProvider.level(Level.TRACE, null)).isEqualTo(SshLog.Level.DEBUG2);
        assertThat(CliLogProvider.level(Level.TRACE, MarkerFactory.getMarker("DEBUG3")))
                .isEqualTo(SshLog.Level.DEBUG3);
        assertThat(CliLogProvider.level(Level.INFO, MarkerFactory.getMarker("VERBOSE")))
                .isEqualTo(SshLog.Level.VERBOSE);
        assertThat(CliLogProvider.level(Level.INFO, null)).isEqualTo(SshLog.Level.INFO);
        assertThat(CliLogProvider.level(Level.WARN, null)).isEqualTo(SshLog.Level.INFO);
        assertThat(CliLogProvider.level(Level.ERROR, null)).isEqualTo(SshLog.Level.ERROR);
    }

    @Test
    void providerLoggersShouldFormatArgumentsAndFollowTheLevel() {
        SshLog.configure(SshLog.Level.DEBUG1, true, sink);
        org.slf4j.Logger netty = new CliLogProvider().getLoggerFactory().getLogger("io.netty.Foo");
        org.slf4j.Logger mine = new CliLogProvider().getLoggerFactory().getLogger("dev.sluice.Foo");
        mine.debug("kex: algorithm: {}", "curve25519-sha256");
        mine.trace("not at DEBUG1");
        netty.debug("Netty's chatter needs DEBUG3");
        netty.warn("but its warnings show");
        assertThat(logged()).isEqualTo("debug1: kex: algorithm: curve25519-sha256\r\nbut its warnings show\r\n");
    }
}
