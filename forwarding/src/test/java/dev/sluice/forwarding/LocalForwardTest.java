package dev.sluice.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LocalForwardTest {
    @Test
    void threeFieldsArePortHostHostport() {
        assertThat(LocalForward.parse("8080:example.com:80"))
                .isEqualTo(new LocalForward(null, 8080, "example.com", 80));
    }

    @Test
    void fourFieldsStartWithTheBindAddress() {
        assertThat(LocalForward.parse("127.0.0.2:8080:db:5432")).isEqualTo(new LocalForward("127.0.0.2", 8080, "db", 5432));
        assertThat(LocalForward.parse("*:8080:db:5432")).isEqualTo(new LocalForward("*", 8080, "db", 5432));
        assertThat(LocalForward.parse(":8080:db:5432")).isEqualTo(new LocalForward("", 8080, "db", 5432));
        assertThat(LocalForward.parse("localhost:8080:db:5432").bindAddress()).isEqualTo("localhost");
    }

    @Test
    void ipv6AddressesGoInBrackets() {
        assertThat(LocalForward.parse("[::1]:8080:[2001:db8::1]:443"))
                .isEqualTo(new LocalForward("::1", 8080, "2001:db8::1", 443));
        assertThat(LocalForward.parse("8080:[fe80::1%eth0]:22")).isEqualTo(new LocalForward(null, 8080, "fe80::1%eth0", 22));
    }

    @Test
    void aBackslashEscapesTheNextCharacter() {
        assertThat(LocalForward.parse("8080:a\\:b:80").host()).isEqualTo("a:b");
    }

    @Test
    void leadingSpacesAreSkippedAndATrailingColonIsIgnoredAsInOpenSsh() {
        assertThat(LocalForward.parse("  8080:h:80:")).isEqualTo(new LocalForward(null, 8080, "h", 80));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8080", "8080:host", "0:host:80", "8080:host:0", "8080:host:65536", "x:host:80",
        "8080:host:http", "1:2:3:4:5", "[::1:8080:h:80", "[::1]x:8080:h:80", "8080:host:-1", "8080:host:+80",
        "8080:host:80\\", "/tmp/sock:host", "/tmp/sock", "0:/tmp/sock", "a:b:/tmp/sock:80",
        "8080:/tmp/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void badSpecificationsAreRefusedWithSshsMessage(String spec) {
        assertThatThrownBy(() -> LocalForward.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Bad local forwarding specification '" + spec + "'");
    }

    @Test
    void unixSocketPathsListenOrConnectAsInOpenSsh() {
        assertThat(LocalForward.parse("8080:/run/app.sock"))
                .isEqualTo(new LocalForward(null, 8080, null, 0, null, "/run/app.sock"));
        assertThat(LocalForward.parse("127.0.0.1:8080:/run/app.sock"))
                .isEqualTo(new LocalForward("127.0.0.1", 8080, null, 0, null, "/run/app.sock"));
        assertThat(LocalForward.parse("/tmp/l.sock:db:5432"))
                .isEqualTo(new LocalForward(null, 0, "db", 5432, "/tmp/l.sock", null));
        assertThat(LocalForward.parse("/tmp/l.sock:/run/app.sock"))
                .isEqualTo(new LocalForward(null, 0, null, 0, "/tmp/l.sock", "/run/app.sock"));
        assertThat(LocalForward.parse("8080:/run/a\\:b.sock").connectPath()).isEqualTo("/run/a:b.sock");
        assertThat(LocalForward.parse("8080:[/not/a/path]:80").host()).as("brackets make a field a host")
                .isEqualTo("/not/a/path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8080:/run/a:b.sock", "/tmp/l.sock:db:5432", "/tmp/l.sock:/run/x", "[::1]:1:/run/s"})
    void pathSpecsParseBack(String spec) {
        String escaped = spec.equals("8080:/run/a:b.sock") ? "8080:/run/a\\:b.sock" : spec;
        LocalForward f = LocalForward.parse(escaped);
        assertThat(LocalForward.parse(f.toSpec())).isEqualTo(f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8080:example.com:80", "127.0.0.1:1:h:2", "[::1]:8080:[2001:db8::1]:443", ":9:h:9"})
    void toSpecParsesBack(String spec) {
        LocalForward f = LocalForward.parse(spec);
        assertThat(LocalForward.parse(f.toSpec())).isEqualTo(f);
    }

    @Test
    void bindAddressesFollowGatewayPortsAndTheExplicitAddressLikeSsh() throws Exception {
        LocalForward none = new LocalForward(null, 0, "h", 1);
        assertThat(LocalPortForwarder.bindAddresses(none, false)).extracting(a -> a.getAddress().getHostAddress())
                .containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(LocalPortForwarder.bindAddresses(none, true)).containsExactly(new InetSocketAddress(0));
        assertThat(LocalPortForwarder.bindAddresses(new LocalForward("*", 5, "h", 1), false))
                .containsExactly(new InetSocketAddress(5));
        assertThat(LocalPortForwarder.bindAddresses(new LocalForward("", 5, "h", 1), false))
                .containsExactly(new InetSocketAddress(5));
        assertThat(LocalPortForwarder.bindAddresses(new LocalForward("127.0.0.3", 5, "h", 1), true))
                .extracting(a -> a.getAddress().getHostAddress()).containsExactly("127.0.0.3");
    }

    @Test
    void allowTcpForwardingValuesMeanWhatSshdSays() {
        assertThat(AllowTcpForwarding.parse("yes").allowsLocal()).isTrue();
        assertThat(AllowTcpForwarding.parse("All").allowsRemote()).isTrue();
        assertThat(AllowTcpForwarding.parse("local").allowsRemote()).isFalse();
        assertThat(AllowTcpForwarding.parse("remote").allowsLocal()).isFalse();
        assertThat(AllowTcpForwarding.parse("no").allowsLocal()).isFalse();
        assertThatThrownBy(() -> AllowTcpForwarding.parse("maybe")).isInstanceOf(IllegalArgumentException.class);
    }
}
