package dev.sluice.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RekeyLimitTest {

    @Test
    void sizesAndTimesShouldParseAsSshConfigWritesThem() {
        assertThat(RekeyLimit.parse("1G 1h")).isEqualTo(new RekeyLimit(1L << 30, Duration.ofHours(1)));
        assertThat(RekeyLimit.parse("1M")).isEqualTo(new RekeyLimit(1L << 20, Duration.ZERO));
        assertThat(RekeyLimit.parse("512k none")).isEqualTo(new RekeyLimit(512L << 10, Duration.ZERO));
        assertThat(RekeyLimit.parse("default 1h30m")).isEqualTo(new RekeyLimit(0, Duration.ofMinutes(90)));
        assertThat(RekeyLimit.parse("100000 600")).isEqualTo(new RekeyLimit(100000, Duration.ofSeconds(600)));
        assertThat(RekeyLimit.parse("default 1w2d3s").interval()).hasSeconds(604800 + 2 * 86400 + 3);
    }

    @Test
    void badValuesShouldBeRefused() {
        assertThatThrownBy(() -> RekeyLimit.parse("lots")).hasMessage("Bad number 'lots'");
        assertThatThrownBy(() -> RekeyLimit.parse("1X")).hasMessage("Bad number '1X'");
        assertThatThrownBy(() -> RekeyLimit.parse("8")).hasMessage("RekeyLimit too small");
        assertThatThrownBy(() -> RekeyLimit.parse("1G soon")).hasMessage("Invalid time value 'soon'");
        assertThatThrownBy(() -> RekeyLimit.parse("1G 1h 2")).hasMessage("Invalid RekeyLimit: 1G 1h 2");
    }

    @Test
    void theVolumeShouldNeverExceedTheCipherDefaultOfRfc4344() {
        assertThat(RekeyLimit.DEFAULT.bytesFor(16)).isEqualTo(1L << 36);
        assertThat(RekeyLimit.DEFAULT.bytesFor(8)).isEqualTo(1L << 30);
        assertThat(RekeyLimit.parse("4G").bytesFor(8)).isEqualTo(1L << 30);
        assertThat(RekeyLimit.parse("4G").bytesFor(16)).isEqualTo(4L << 30);
        assertThat(RekeyLimit.parse("1M").bytesFor(8)).isEqualTo(1L << 20);
    }
}
