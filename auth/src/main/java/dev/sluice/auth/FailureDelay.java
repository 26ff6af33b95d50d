package dev.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * sshd's minimum time before a failed authentication is answered (auth2.c user_specific_delay and
 * ensure_minimum_time_since): 5 ms plus 0–4.2 ms derived from the user name and a secret chosen at start, doubled
 * until it exceeds the time the check took. A user name always gets the same delay, known or not, so timing reveals
 * neither existence nor how far a check got.
 */
final class FailureDelay {
    private static final long MIN_NANOS = 5_000_000L;
    private static final byte[] SECRET = new byte[32];

    static {
        new SecureRandom().nextBytes(SECRET);
    }

    private FailureDelay() {
    }

    /** How much longer to wait, given that {@code elapsedNanos} have passed since the request arrived. */
    static long remainingNanos(String user, long elapsedNanos) {
        long delay = userDelayNanos(user);
        while (delay < elapsedNanos) {
            delay *= 2;
        }
        return delay - elapsedNanos;
    }

    static long userDelayNanos(String user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA512"));
            byte[] h = mac.doFinal(String.valueOf(user).getBytes(StandardCharsets.UTF_8));
            long u32 = ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
            // As sshd: the 32-bit value read as picoseconds, 0 to 4.29 ms.
            return MIN_NANOS + u32 / 1000;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is missing from the JDK", e);
        }
    }
}
