package dev.sluice.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DynamicForwardTest {
    @Test
    void aPortAloneListensWhereGatewayPortsSays() {
        assertThat(DynamicForward.parse("1080")).isEqualTo(new DynamicForward(null, 1080));
    }

    @Test
    void anAddressGoesBeforeThePort() {
        assertThat(DynamicForward.parse("127.0.0.2:1080")).isEqualTo(new DynamicForward("127.0.0.2", 1080));
        assertThat(DynamicForward.parse("*:1080")).isEqualTo(new DynamicForward("*", 1080));
        assertThat(DynamicForward.parse(":1080")).isEqualTo(new DynamicForward("", 1080));
        assertThat(DynamicForward.parse("[::1]:1080")).isEqualTo(new DynamicForward("::1", 1080));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "65536", "x", "1080:", "a:b:1080", "::1:1080", "[::1]1080", "[::1:1080",
        "-1", "+1080"})
    void badSpecificationsAreRefusedWithSshsMessage(String spec) {
        assertThatThrownBy(() -> DynamicForward.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Bad dynamic forwarding specification '" + spec + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1080", "127.0.0.1:1", "[::1]:1080", ":9", "localhost:65535"})
    void toSpecParsesBack(String spec) {
        DynamicForward f = DynamicForward.parse(spec);
        assertThat(DynamicForward.parse(f.toSpec())).isEqualTo(f);
    }
}
