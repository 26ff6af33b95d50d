package dev.sluice.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.auth.KeyRestrictions;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** sshd_config's forwarding keywords: parsing with sshd's errors, matching as sshd matches, and their order. */
class ForwardingPolicyTest {
    private static final ForwardingUser ALICE = new ForwardingUser("alice", false, ForwardingRestrictions.UNRESTRICTED);
    private static final ForwardingUser ROOT = new ForwardingUser("root", true, ForwardingRestrictions.UNRESTRICTED);

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:80, 127.0.0.1, 80, true",
        "127.0.0.1:80, 127.0.0.1, 81, false",
        "127.0.0.1:80, localhost, 80, false",
        "*:80, anything.example, 80, true",
        "*:80, anything.example, 443, false",
        "db:*, db, 5432, true",
        "db:*, DB, 5432, false",
        "*:*, x, 1, true",
        "[::1]:22, ::1, 22, true",
        "'web:80 db:5432', db, 5432, true",
        "'web:80 db:5432', db, 80, false",
        "10.0.0.*:80, 10.0.0.1, 80, false",
    })
    void permitOpenMatchesHostsExactlyOrByStarOnly(String list, String host, int port, boolean permitted) {
        assertThat(PermitList.parseOpen(list).permitsOpen(host, port)).isEqualTo(permitted);
    }

    @ParameterizedTest
    @CsvSource({
        "8080, localhost, 8080, true",
        "8080, '', 8080, true",
        "8080, localhost, 8081, false",
        "localhost:8080, localhost, 8080, true",
        "localhost:8080, LocalHost, 8080, true",
        "127.0.0.1:8080, localhost, 8080, false",
        "localhost:*, localhost, 0, true",
        "local*:*, localhost, 9, true",
        "10.0.0.?:80, 10.0.0.7, 80, true",
        "10.0.0.?:80, 10.0.0.17, 80, false",
        "[::1]:8080, ::1, 8080, true",
        "'1 2 3', localhost, 2, true",
    })
    void permitListenMatchesHostPatternsAndBarePorts(String list, String host, int port, boolean permitted) {
        assertThat(PermitList.parseListen(list).permitsListen(host, port)).isEqualTo(permitted);
    }

    @Test
    void anyAndNoneMustStandAlone() {
        assertThat(PermitList.parseOpen("any").permitsOpen("x", 1)).isTrue();
        assertThat(PermitList.parseOpen("none").permitsOpen("x", 1)).isFalse();
        assertThat(PermitList.parseListen("none").permitsListen("localhost", 1)).isFalse();
        assertThatThrownBy(() -> PermitList.parseOpen("any a:1"))
                .hasMessage("any must appear alone on a PermitOpen line.");
    }

    @Test
    void malformedEntriesGetSshdsWords() {
        assertThatThrownBy(() -> PermitList.parseOpen("80")).hasMessage("PermitOpen bad port number");
        assertThatThrownBy(() -> PermitList.parseOpen("h:0")).hasMessage("PermitOpen bad port number");
        assertThatThrownBy(() -> PermitList.parseOpen("h:65536")).hasMessage("PermitOpen bad port number");
        assertThatThrownBy(() -> PermitList.parseOpen("h:http")).hasMessage("PermitOpen bad port number");
        assertThatThrownBy(() -> PermitList.parseListen("x")).hasMessage("PermitListen bad port number");
        assertThatThrownBy(() -> PermitList.parseOpen("  ")).hasMessage("PermitOpen missing argument.");
        assertThat(PermitList.parseOpen("[::1]:22 h:*").toString()).isEqualTo("[::1]:22 h:*");
        assertThat(PermitList.of(List.of(new PermitList.Entry("::1", PermitList.ANY_PORT))).toString())
                .isEqualTo("[::1]:*");
    }

    @ParameterizedTest
    @CsvSource({
        "NO, localhost, LOOPBACK", "NO, '', LOOPBACK", "NO, *, LOOPBACK", "NO, 0.0.0.0, LOOPBACK",
        "NO, 127.0.0.1, ADDRESS", "NO, ::1, ADDRESS", "NO, 192.0.2.1, LOOPBACK",
        "YES, localhost, WILDCARD", "YES, 127.0.0.1, WILDCARD", "YES, '', WILDCARD",
        "CLIENTSPECIFIED, localhost, LOOPBACK", "CLIENTSPECIFIED, '', WILDCARD", "CLIENTSPECIFIED, *, WILDCARD",
        "CLIENTSPECIFIED, 127.0.0.1, ADDRESS", "CLIENTSPECIFIED, 0.0.0.0, ADDRESS",
    })
    void gatewayPortsDecidesTheBindAddressAsSshdDoes(GatewayPorts g, String requested, GatewayPorts.Bind bind) {
        assertThat(g.bindFor(requested)).isEqualTo(bind);
    }

    @Test
    void gatewayPortsParsesSshdsValues() {
        assertThat(GatewayPorts.parse("clientspecified")).isEqualTo(GatewayPorts.CLIENTSPECIFIED);
        assertThat(GatewayPorts.parse("Yes")).isEqualTo(GatewayPorts.YES);
        assertThatThrownBy(() -> GatewayPorts.parse("maybe")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allowTcpForwardingAndDisableForwardingGateEachDirection() {
        assertThat(new ForwardingPolicy(AllowTcpForwarding.LOCAL).remoteForwardingRefusal(ALICE, 8080, true))
                .contains("AllowTcpForwarding local");
        assertThat(new ForwardingPolicy(AllowTcpForwarding.LOCAL).localForwardingRefusal(ALICE)).isEmpty();
        assertThat(new ForwardingPolicy(AllowTcpForwarding.REMOTE).localForwardingRefusal(ALICE))
                .contains("AllowTcpForwarding remote");
        assertThat(new ForwardingPolicy(AllowTcpForwarding.ALL).remoteForwardingRefusal(ALICE, 8080, true)).isEmpty();
        ForwardingPolicy disabled = ForwardingPolicy.DEFAULT.withDisableForwarding(true);
        assertThat(disabled.localForwardingRefusal(ALICE)).contains("DisableForwarding yes");
        assertThat(disabled.remoteForwardingRefusal(ROOT, 8080, true)).contains("DisableForwarding yes");
    }

    @Test
    void privilegedPortsAreForRootOnlyAndPortZeroNeedsAReply() {
        ForwardingPolicy p = ForwardingPolicy.DEFAULT;
        assertThat(p.remoteForwardingRefusal(ALICE, 1023, true))
                .contains("privileged port 1023 and user alice is not root");
        assertThat(p.remoteForwardingRefusal(ALICE, 1024, true)).isEmpty();
        assertThat(p.remoteForwardingRefusal(ALICE, 0, true)).isEmpty();
        assertThat(p.remoteForwardingRefusal(ROOT, 80, true)).isEmpty();
        assertThat(p.remoteForwardingRefusal(ALICE, 0, false)).contains("port 0 without want-reply");
    }

    @Test
    void perKeyRestrictionsNarrowTheServersPolicy() {
        ForwardingUser restricted = new ForwardingUser("bob", false, new ForwardingRestrictions(false,
                PermitList.ANY, PermitList.ANY));
        assertThat(ForwardingPolicy.DEFAULT.localForwardingRefusal(restricted)).contains("no-port-forwarding");
        assertThat(ForwardingPolicy.DEFAULT.remoteForwardingRefusal(restricted, 8080, true))
                .contains("no-port-forwarding");

        ForwardingUser keyed = new ForwardingUser("bob", false, new ForwardingRestrictions(true,
                PermitList.of(List.of(new PermitList.Entry("db", 5432), new PermitList.Entry("web", 80))),
                PermitList.of(List.of(new PermitList.Entry("localhost", 8080)))));
        ForwardingPolicy admin = ForwardingPolicy.DEFAULT.withPermitOpen(PermitList.parseOpen("db:*"));
        assertThat(admin.permitOpenRefusal(keyed, "db", 5432)).isEmpty();
        assertThat(admin.permitOpenRefusal(keyed, "web", 80)).as("the key allows it, PermitOpen does not")
                .contains("PermitOpen db:*");
        assertThat(admin.permitOpenRefusal(keyed, "db", 1)).as("PermitOpen allows it, the key does not")
                .contains("permitopen=\"db:5432 web:80\"");
        assertThat(admin.permitListenRefusal(keyed, "localhost", 8080)).isEmpty();
        assertThat(admin.permitListenRefusal(keyed, "localhost", 8081)).isEqualTo(
                Optional.of("permitlisten=\"localhost:8080\""));
        assertThat(admin.withPermitListen(PermitList.NONE).permitListenRefusal(ALICE, "localhost", 8080))
                .contains("PermitListen none");
    }

    @Test
    void authorizedKeysOptionsBecomeRestrictions() {
        ForwardingRestrictions r = ForwardingRestrictions.of(KeyRestrictions.parse(List.of(
                "permitopen=\"db:5432\"", "permitopen=\"[::1]:*\"", "permitlisten=\"8080\"",
                "permitlisten=\"local*:9000\""), ZoneId.of("UTC")));
        assertThat(r.portForwarding()).isTrue();
        assertThat(r.permitOpen().permitsOpen("db", 5432)).isTrue();
        assertThat(r.permitOpen().permitsOpen("::1", 22)).isTrue();
        assertThat(r.permitOpen().permitsOpen("db", 5433)).isFalse();
        assertThat(r.permitListen().permitsListen("anything", 8080)).as("a bare port: any listen host").isTrue();
        assertThat(r.permitListen().permitsListen("localhost", 9000)).as("listen hosts are patterns").isTrue();
        assertThat(r.permitListen().permitsListen("127.0.0.1", 9000)).isFalse();
        assertThat(ForwardingRestrictions.of(KeyRestrictions.parse(List.of("restrict"), ZoneId.of("UTC"))))
                .isEqualTo(new ForwardingRestrictions(false, PermitList.ANY, PermitList.ANY));
        assertThat(ForwardingRestrictions.of(KeyRestrictions.parse(List.of("restrict", "port-forwarding"),
                ZoneId.of("UTC")))).isEqualTo(ForwardingRestrictions.UNRESTRICTED);
        assertThat(ForwardingRestrictions.of(KeyRestrictions.NONE)).isEqualTo(ForwardingRestrictions.UNRESTRICTED);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8080:localhost:80 | | 8080 | localhost | 80 | localhost",
        "0:127.0.0.1:22 | | 0 | 127.0.0.1 | 22 | localhost",
        "*:8080:h:80 | * | 8080 | h | 80 | ''",
        "':8080:h:80' | '' | 8080 | h | 80 | ''",
        "[::1]:8080:[fe80::1]:80 | ::1 | 8080 | fe80::1 | 80 | ::1",
        "0.0.0.0:1:h:2 | 0.0.0.0 | 1 | h | 2 | 0.0.0.0",
    })
    void remoteForwardSpecsParseAsSshParsesThem(String spec, String bind, int port, String host, int hostPort,
            String wire) {
        RemoteForward f = RemoteForward.parse(spec);
        assertThat(f).isEqualTo(new RemoteForward(bind, port, host, hostPort));
        assertThat(f.requestAddress()).isEqualTo(wire);
        assertThat(RemoteForward.parse(f.toSpec())).isEqualTo(f);
    }

    @Test
    void badRemoteForwardSpecsAreRefusedWithSshsMessage() {
        for (String spec : List.of("a:b:c:d:e", "8080:h:0", "70000:h:1", "x:h:1", "[::1:1:h:1")) {
            assertThatThrownBy(() -> RemoteForward.parse(spec))
                    .hasMessage("Bad remote forwarding specification '" + spec + "'");
        }
        for (String spec : List.of("", "x", "localhost:x", "70000", "/tmp/sock", "a:8080:h:/tmp/sock", "/a:h:x")) {
            assertThatThrownBy(() -> RemoteForward.parse(spec))
                    .hasMessage("Bad remote forwarding specification '" + spec + "'");
        }
    }
}
