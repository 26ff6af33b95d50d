package dev.sluice.transport;

import java.time.Duration;
import java.util.Locale;

/**
 * When a connection renews its keys on its own, as OpenSSH's {@code RekeyLimit bytes [time]} says: after
 * {@code bytes} sent or received under one set of keys, and after {@code interval} since the last key exchange.
 * The volume is never above the cipher's own default (RFC 4344 section 3.2: 2^(L/4) blocks of L bits, so 64 GiB for
 * AES; 1 GiB for ChaCha20's 64-bit blocks, as OpenSSH does); a smaller one here wins.
 *
 * @param bytes the volume limit, or 0 for the cipher's default
 * @param interval the time limit, or {@link Duration#ZERO} for none
 */
public record RekeyLimit(long bytes, Duration interval) {
    /** OpenSSH's default: {@code RekeyLimit default none}. */
    public static final RekeyLimit DEFAULT = new RekeyLimit(0, Duration.ZERO);

    public RekeyLimit {
        if (bytes < 0 || (bytes > 0 && bytes < 16)) {
            throw new IllegalArgumentException("RekeyLimit too small");
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("Invalid rekey interval: " + interval);
        }
    }

    /**
     * Parses the value of ssh_config's and sshd_config's {@code RekeyLimit}: a size ({@code default}, or a number
     * with an optional {@code K}, {@code M} or {@code G}) and optionally a time ({@code none}, or sshd_config's time
     * format such as {@code 1h30m} or {@code 600}).
     */
    public static RekeyLimit parse(String value) {
        String[] words = value.strip().split("\\s+");
        if (words.length == 0 || words.length > 2 || words[0].isEmpty()) {
            throw new IllegalArgumentException("Invalid RekeyLimit: " + value);
        }
        long bytes = words[0].equalsIgnoreCase("default") ? 0 : parseSize(words[0]);
        Duration interval = words.length < 2 || words[1].equalsIgnoreCase("none") ? Duration.ZERO
                : Duration.ofSeconds(parseSeconds(words[1]));
        return new RekeyLimit(bytes, interval);
    }

    /** The volume limit in force for a cipher with {@code blockSize}-byte blocks. */
    public long bytesFor(int blockSize) {
        long cipherDefault = blockSize >= 16 ? 1L << 36 : 1L << 30;
        return bytes == 0 ? cipherDefault : Math.min(bytes, cipherDefault);
    }

    private static long parseSize(String s) {
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        int shift = switch (unit) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("Bad number '" + s + "'");
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Bad number '" + s + "'", e);
        }
    }

    /** sshd_config(5) TIME FORMATS: digits with an optional unit (s, m, h, d, w), repeated and summed. */
    static long parseSeconds(String s) {
        long total = 0;
        long n = -1;
        for (char c : s.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c >= '0' && c <= '9') {
                n = (n < 0 ? 0 : n * 10) + (c - '0');
                continue;
            }
            if (n < 0) {
                throw new IllegalArgumentException("Invalid time value '" + s + "'");
            }
            long unit = switch (c) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3600;
                case 'd' -> 86400;
                case 'w' -> 604800;
                default -> throw new IllegalArgumentException("Invalid time value '" + s + "'");
            };
            total += n * unit;
            n = -1;
        }
        return n < 0 ? total : total + n;
    }
}
