package dev.sluice.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** sshd's MaxStartups start:rate:full, parsed and applied as sshd.c drop_connection does. */
class MaxStartupsTest {
    @Test
    void parsesBothForms() {
        assertThat(MaxStartups.parse("10:30:100")).isEqualTo(MaxStartups.DEFAULT);
        assertThat(MaxStartups.parse("5")).isEqualTo(new MaxStartups(5, 100, 5));
        for (String bad : new String[] {"", "a", "1:2", "10:30:5", "10:130:100", "0:30:100", "1:2:3:4"}) {
            assertThatThrownBy(() -> MaxStartups.parse(bad)).as(bad).hasMessage("Illegal MaxStartups spec.");
        }
    }

    @Test
    void dropsNothingBelowStartEverythingAtFull() {
        RandomGenerator random = new SplittableRandom(1);
        MaxStartups m = MaxStartups.DEFAULT;
        for (int i = 0; i < 1000; i++) {
            assertThat(m.drop(9, random)).isFalse();
            assertThat(m.drop(100, random)).isTrue();
            assertThat(m.drop(150, random)).isTrue();
        }
        MaxStartups hard = MaxStartups.parse("1");
        assertThat(hard.drop(0, random)).isFalse();
        assertThat(hard.drop(1, random)).isTrue();
    }

    @Test
    void dropRateRisesLinearlyFromRateToFull() {
        RandomGenerator random = new SplittableRandom(7);
        MaxStartups m = MaxStartups.DEFAULT;
        // At start the rate is 30%; halfway to full it is 30 + 70 * 45 / 90 = 65%.
        assertThat(dropShare(m, 10, random)).isBetween(0.27, 0.33);
        assertThat(dropShare(m, 55, random)).isBetween(0.62, 0.68);
    }

    private static double dropShare(MaxStartups m, int startups, RandomGenerator random) {
        int dropped = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            dropped += m.drop(startups, random) ? 1 : 0;
        }
        return dropped / (double) n;
    }
}
