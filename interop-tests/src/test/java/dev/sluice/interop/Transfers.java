package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DataPump;
import dev.sluice.interop.harness.TcpTargets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;

/**
 * Moves seeded data both ways at once through a tunnel to a {@link TcpTargets.SinkSource} and checks, by byte count
 * and SHA-256 in each direction, that every byte arrived unchanged and in order. Large transfers also report their
 * rate, on standard output and in {@code target/interop-throughput.txt}.
 */
final class Transfers {
    /** Seeds of the two directions: client to target, and target to client (the target's own seed). */
    static final long UP_SEED = 11;

    private static final Path REPORT = Path.of("target", "interop-throughput.txt");

    private Transfers() {
    }

    /**
     * Connects to the tunnel's local port, exchanges {@code size} bytes each way with the target (which must send
     * {@code size} bytes of {@code downSeed}'s stream), and asserts both directions.
     *
     * @param connection which of the target's connections this is (0-based, in accept order)
     * @return the rate, in MB/s (10^6 bytes per second) each way, including the cost of hashing
     */
    static double assertIntact(int tunnelPort, TcpTargets.SinkSource target, int connection, long size,
            long downSeed, Duration timeout) throws IOException {
        long start = System.nanoTime();
        DataPump.Result client = DataPump.exchange(tunnelPort, size, UP_SEED, timeout);
        DataPump.Result server = target.awaitConnection(connection, timeout);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(server.received()).as("bytes that reached the target").isEqualTo(size);
        assertThat(server.receivedSha256()).as("SHA-256 of what reached the target")
                .isEqualTo(client.sentSha256()).isEqualTo(DataPump.sha256Of(size, UP_SEED));
        assertThat(client.received()).as("bytes that came back through the tunnel").isEqualTo(size);
        assertThat(client.receivedSha256()).as("SHA-256 of what came back")
                .isEqualTo(server.sentSha256()).isEqualTo(DataPump.sha256Of(size, downSeed));
        return size / seconds / 1e6;
    }

    /** Prints and records one measured rate. */
    static void report(String pairing, TunnelCipher cipher, long size, double mbPerSecond) {
        String line = String.format(Locale.ROOT, "%-44s %-30s %4d MiB each way at once: %7.1f MB/s each way"
                + " (java %s)%n", pairing, cipher.wireName, size >> 20, mbPerSecond,
                System.getProperty("java.specification.version"));
        System.out.print("[throughput] " + line);
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(REPORT, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
