package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** authorized_keys options as sshd(8) describes them, and sshd's from= address matching. */
class KeyRestrictionsTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static KeyRestrictions parse(String... options) {
        return KeyRestrictions.parse(List.of(options), UTC);
    }

    @Test
    void noOptionsAllowEverything() {
        KeyRestrictions r = parse();
        assertThat(r.portForwardingAllowed()).isTrue();
        assertThat(r.ptyAllowed()).isTrue();
        assertThat(r.agentForwardingAllowed()).isTrue();
        assertThat(r.x11ForwardingAllowed()).isTrue();
        assertThat(r.userRcAllowed()).isTrue();
        assertThat(r.forcedCommand()).isEmpty();
        assertThat(r.permitOpen()).isEmpty();
        assertThat(r.permitsSource("192.0.2.1")).isTrue();
        assertThat(r.expiredAt(Instant.MAX)).isFalse();
    }

    @Test
    void restrictTurnsEverythingOffAndLaterOptionsTurnThingsOn() {
        KeyRestrictions r = parse("restrict", "PTY", "port-forwarding");
        assertThat(r.ptyAllowed()).isTrue();
        assertThat(r.portForwardingAllowed()).isTrue();
        assertThat(r.agentForwardingAllowed()).isFalse();
        assertThat(r.x11ForwardingAllowed()).isFalse();
        assertThat(r.userRcAllowed()).isFalse();
        KeyRestrictions no = parse("no-port-forwarding", "no-pty", "no-agent-forwarding", "no-X11-forwarding");
        assertThat(no.portForwardingAllowed() || no.ptyAllowed() || no.agentForwardingAllowed()
                || no.x11ForwardingAllowed()).isFalse();
        assertThat(no.userRcAllowed()).isTrue();
    }

    @Test
    void quotedValuesAreUnescaped() {
        KeyRestrictions r = parse("command=\"echo \\\"a, b\\\"\"", "environment=\"LANG=C\"",
                "environment=\"LANG=fr\"", "environment=\"X=1=2\"", "permitopen=\"127.0.0.1:80\"",
                "permitopen=\"[::1]:*\"", "permitlisten=\"8080\"", "permitlisten=\"localhost:9000\"",
                "principals=\"alice,bob\"", "cert-authority");
        assertThat(r.forcedCommand()).contains("echo \"a, b\"");
        assertThat(r.environment()).containsExactly(java.util.Map.entry("LANG", "C"), java.util.Map.entry("X", "1=2"));
        assertThat(r.permitOpen()).containsExactly("127.0.0.1:80", "[::1]:*");
        assertThat(r.permitListen()).containsExactly("8080", "localhost:9000");
        assertThat(r.principals()).containsExactly("alice", "bob");
        assertThat(r.certAuthority()).isTrue();
    }

    @Test
    void permitOpenAndPermitListenMatchAsSshdMatches() {
        KeyRestrictions open = parse("permitopen=\"127.0.0.1:80\"", "permitopen=\"[::1]:*\"",
                "permitopen=\"*:8443\"");
        assertThat(open.permitsOpen("127.0.0.1", 80)).isTrue();
        assertThat(open.permitsOpen("127.0.0.1", 81)).isFalse();
        assertThat(open.permitsOpen("localhost", 80)).isFalse();
        assertThat(open.permitsOpen("::1", 22)).isTrue();
        assertThat(open.permitsOpen("example.org", 8443)).isTrue();
        assertThat(parse().permitsOpen("anywhere", 1)).isTrue();
        assertThat(parse("no-port-forwarding", "permitopen=\"127.0.0.1:80\"").permitsOpen("127.0.0.1", 80))
                .isFalse();
        assertThat(parse("restrict").permitsOpen("127.0.0.1", 80)).isFalse();

        KeyRestrictions listen = parse("permitlisten=\"8080\"", "permitlisten=\"localhost:9000\"");
        assertThat(listen.permitsListen("0.0.0.0", 8080)).isTrue();
        assertThat(listen.permitsListen("localhost", 9000)).isTrue();
        assertThat(listen.permitsListen("0.0.0.0", 9000)).isFalse();
        assertThat(listen.permitsListen("localhost", 9001)).isFalse();
        assertThat(parse("restrict", "port-forwarding").permitsListen("localhost", 1)).isTrue();
    }

    @Test
    void expiryTimeIsLocalOrUtcAndTheEarliestWins() {
        KeyRestrictions day = parse("expiry-time=\"20300102\"");
        assertThat(day.expiryTime()).contains(Instant.parse("2030-01-02T00:00:00Z"));
        assertThat(day.expiredAt(Instant.parse("2030-01-01T23:59:59Z"))).isFalse();
        assertThat(day.expiredAt(Instant.parse("2030-01-02T00:00:01Z"))).isTrue();
        KeyRestrictions zoned = KeyRestrictions.parse(List.of("expiry-time=\"203001021530\""), ZoneOffset.ofHours(2));
        assertThat(zoned.expiryTime()).contains(Instant.parse("2030-01-02T13:30:00Z"));
        KeyRestrictions utc = KeyRestrictions.parse(List.of("expiry-time=\"20300102153045Z\"",
                "expiry-time=\"20350101\""), ZoneOffset.ofHours(2));
        assertThat(utc.expiryTime()).contains(Instant.parse("2030-01-02T15:30:45Z"));
    }

    @Test
    void badOptionsAreRefusedAsSshdRefusesTheLine() {
        assertThatThrownBy(() -> parse("no-such-option")).hasMessageContaining("unsupported option");
        assertThatThrownBy(() -> parse("command=unquoted")).hasMessageContaining("missing start quote");
        assertThatThrownBy(() -> parse("permitopen=\"nohostport\"")).hasMessageContaining("permitopen");
        assertThatThrownBy(() -> parse("permitopen=\"host:99999\"")).hasMessageContaining("permitopen");
        assertThatThrownBy(() -> parse("expiry-time=\"2030\"")).hasMessageContaining("expiry");
        assertThatThrownBy(() -> parse("expiry-time=\"20301340\"")).hasMessageContaining("expiry");
        assertThatThrownBy(() -> parse("environment=\"=x\"")).hasMessageContaining("environment");
    }

    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource(delimiter = ';', value = {
        "192.168.1.7; 192.168.0.0/16; true",
        "192.169.1.7; 192.168.0.0/16; false",
        "10.1.2.3; 10.0.0.0/8,!10.1.2.3; false",
        "10.1.2.4; 10.0.0.0/8,!10.1.2.3; true",
        "10.1.2.4; !10.1.2.3; false",
        "127.0.0.1; 127.0.0.*; true",
        "127.0.0.1; 127.0.0.?; true",
        "127.0.0.12; 127.0.0.?; false",
        "127.0.0.1; 127.0.0.1; true",
        "127.0.0.1; 0.0.0.0/0; true",
        "127.0.0.1; 10.0.0.1/8; false",
        "127.0.0.1; 127.0.0.1/8,127.0.0.1; false",
        "2001:db8::1; 2001:db8::/32; true",
        "2001:db9::1; 2001:db8::/32; false",
        "::1; ::1/128; true",
        "127.0.0.1; ::/0; false",
        "127.0.0.1; *.example.com; false",
    })
    void fromPatternsMatchAsSshdMatches(String address, String patterns, boolean expected) {
        assertThat(SourcePatterns.matches(address, patterns)).isEqualTo(expected);
    }

    @Test
    void literalsAreNeverLookedUp() {
        assertThat(SourcePatterns.literal("localhost")).isNull();
        assertThat(SourcePatterns.literal("1.2.3")).isNull();
        assertThat(SourcePatterns.literal("256.1.1.1")).isNull();
        assertThat(SourcePatterns.literal("10.0.0.1")).containsExactly(10, 0, 0, 1);
        assertThat(SourcePatterns.literal("::1")).hasSize(16);
    }
}
