package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.PasswordAuthenticator.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shadow-file check with crypt(3) known answers: the SHA-512 one is the example of Drepper's SHA-crypt
 * specification, and all were confirmed with {@code openssl passwd -6/-5/-1 -salt …}.
 */
class ShadowPasswordAuthenticatorTest {
    private static final String SHA512 = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4"
            + "OTLiBFdcbYEdFCoEOfaS35inz1";
    private static final String SHA256 = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
    private static final String MD5 = "$1$saltstri$YMyguxXMBpd2TEZ.vS/3q1";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-10T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private ShadowPasswordAuthenticator shadow(String... lines) throws Exception {
        return new ShadowPasswordAuthenticator(Files.write(dir.resolve("shadow"), java.util.List.of(lines)), CLOCK);
    }

    private static Outcome check(PasswordAuthenticator a, String user, String password) {
        return a.authenticate(user, password.toCharArray()).outcome();
    }

    @Test
    void knownCryptHashesVerify() throws Exception {
        PasswordAuthenticator a = shadow("six:" + SHA512 + ":20000:0:99999:7:::", "five:" + SHA256 + ":20000::::::",
                "one:" + MD5 + ":20000::::::");
        for (String user : new String[] {"six", "five", "one"}) {
            assertThat(check(a, user, "Hello world!")).as(user).isEqualTo(Outcome.SUCCESS);
            assertThat(check(a, user, "Hello world?")).as(user).isEqualTo(Outcome.FAILURE);
            assertThat(check(a, user, "")).as(user).isEqualTo(Outcome.FAILURE);
        }
    }

    @Test
    void unknownLockedExpiredAndUnsupportedAccountsFail() throws Exception {
        long yesterday = LocalDate.now(CLOCK).toEpochDay() - 1;
        long tomorrow = yesterday + 2;
        PasswordAuthenticator a = shadow(
                "locked:!" + SHA512 + ":20000::::::",
                "star:*:20000::::::",
                "expired:" + SHA512 + ":20000:0:99999:7::" + yesterday + ":",
                "current:" + SHA512 + ":20000:0:99999:7::" + tomorrow + ":",
                "yes:$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7:20000::::::",
                "empty::20000::::::");
        assertThat(check(a, "nobody", "Hello world!")).isEqualTo(Outcome.FAILURE);
        assertThat(check(a, "locked", "Hello world!")).isEqualTo(Outcome.FAILURE);
        assertThat(check(a, "star", "*")).isEqualTo(Outcome.FAILURE);
        assertThat(check(a, "expired", "Hello world!")).isEqualTo(Outcome.FAILURE);
        assertThat(check(a, "current", "Hello world!")).isEqualTo(Outcome.SUCCESS);
        assertThat(check(a, "yes", "anything")).isEqualTo(Outcome.FAILURE);
        // An empty hash takes only the empty password; whether that may be tried is PermitEmptyPasswords' call.
        assertThat(check(a, "empty", "")).isEqualTo(Outcome.SUCCESS);
        assertThat(check(a, "empty", "x")).isEqualTo(Outcome.FAILURE);
    }

    @Test
    void anUnreadableFileRefusesEveryone() {
        PasswordAuthenticator a = new ShadowPasswordAuthenticator(dir.resolve("missing"), CLOCK);
        assertThat(check(a, "root", "")).isEqualTo(Outcome.FAILURE);
    }

    @Test
    void anUnknownUserCostsAsMuchAsAWrongPassword() throws Exception {
        PasswordAuthenticator a = shadow("six:" + SHA512 + ":20000::::::");
        for (int i = 0; i < 5; i++) {
            check(a, "six", "warm-up");
            check(a, "nobody", "warm-up");
        }
        long known = medianNanos(() -> check(a, "six", "wrong"));
        long unknown = medianNanos(() -> check(a, "nobody", "wrong"));
        // Without the dummy hash an unknown user would answer in microseconds, hundreds of times faster.
        // The bounds are wide so that a loaded CI machine cannot trip them.
        assertThat((double) unknown / known).isBetween(0.1, 10.0);
    }

    private static long medianNanos(Runnable r) {
        long[] t = new long[9];
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            r.run();
            t[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }
}
