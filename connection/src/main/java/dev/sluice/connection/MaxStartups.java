package dev.sluice.connection;

import java.util.random.RandomGenerator;

/**
 * sshd's MaxStartups {@code start:rate:full}: once {@code start} connections are waiting to authenticate, a new one
 * is dropped with probability {@code rate}%, rising linearly to 100% at {@code full}. A single number {@code n}
 * means {@code n:100:n} (drop everything past n).
 *
 * @param start unauthenticated connections accepted without dropping
 * @param rate the drop probability, in percent, at {@code start}
 * @param full the number at and beyond which every new connection is dropped
 */
public record MaxStartups(int start, int rate, int full) {
    /** sshd's default, 10:30:100. */
    public static final MaxStartups DEFAULT = new MaxStartups(10, 30, 100);

    public MaxStartups {
        if (start < 1 || rate < 0 || rate > 100 || full < start) {
            throw new IllegalArgumentException("Illegal MaxStartups spec.");
        }
    }

    /** Parses {@code start:rate:full} or a single number, as sshd_config writes it. */
    public static MaxStartups parse(String value) {
        String[] p = value.strip().split(":", -1);
        try {
            if (p.length == 1) {
                int n = Integer.parseInt(p[0]);
                return new MaxStartups(n, 100, n);
            }
            if (p.length == 3) {
                return new MaxStartups(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Illegal MaxStartups spec.", e);
        }
        throw new IllegalArgumentException("Illegal MaxStartups spec.");
    }

    /**
     * Whether to drop a new connection when {@code startups} (this one not counted) are already waiting to
     * authenticate (sshd.c drop_connection).
     */
    public boolean drop(int startups, RandomGenerator random) {
        if (startups >= full) {
            return true;
        }
        if (startups < start) {
            return false;
        }
        int p = rate + (100 - rate) * (startups - start) / (full - start);
        return random.nextInt(100) < p;
    }
}
