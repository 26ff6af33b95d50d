package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The failure delay that hides whether a user exists (sshd's user_specific_delay). */
class ServerProtectionTest {
    @Test
    void delayIsFixedPerUserAndWithinSshdsBounds() {
        long alice = FailureDelay.userDelayNanos("alice");
        assertThat(FailureDelay.userDelayNanos("alice")).isEqualTo(alice);
        for (String user : new String[] {"alice", "bob", "root", "no-such-user", ""}) {
            assertThat(FailureDelay.userDelayNanos(user)).isBetween(5_000_000L, 5_000_000L + 4_294_968L);
        }
    }

    @Test
    void delayDoublesPastASlowCheck() {
        long base = FailureDelay.userDelayNanos("carol");
        assertThat(FailureDelay.remainingNanos("carol", 0)).isEqualTo(base);
        assertThat(FailureDelay.remainingNanos("carol", base - 1)).isEqualTo(1);
        assertThat(FailureDelay.remainingNanos("carol", base + 1)).isEqualTo(2 * base - base - 1);
        assertThat(FailureDelay.remainingNanos("carol", 3 * base)).isEqualTo(4 * base - 3 * base);
    }
}
