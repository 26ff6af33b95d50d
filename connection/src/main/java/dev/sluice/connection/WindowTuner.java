package dev.sluice.connection;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grows the receive windows of one connection's channels while the window, not the path, limits how fast the peer
 * can send: DESIGN.md's "windows sized from measurement", up to {@link ConnectionConfig#maxWindow()}.
 *
 * <p>A window of W bytes lets the peer have at most W bytes in flight, so over a path with round-trip time R a
 * channel cannot go faster than W/R (OpenSSH's fixed 2 MiB over 20 ms: 105 MB/s), however fast the link. The tuner
 * measures round trips with a global request that wants a reply ({@code keepalive@openssh.com}, which every peer
 * answers, if only with REQUEST_FAILURE, because sshd sends it as ClientAlive) and counts what a busy channel
 * received meanwhile. Its estimate of the bandwidth-delay product is that delivery rate times the smallest round
 * trip seen on the connection: a single sample also contains the queue in front of the reply (the peer's socket
 * buffers, full when the CPU is the limit), the minimum does not (the same reasoning as BBR's). When the estimate
 * reaches two thirds of the channel's window the window doubles, capped, and the peer gets the new credit at once;
 * on loopback and LAN paths the estimate stays far below 2 MiB and nothing grows.
 *
 * <p>The first probe goes out when authentication succeeds, while the path is still idle, to seed the minimum.
 * After that, one probe is out at a time, started by arriving channel data; after a probe that changed nothing the
 * next waits {@link #PROBE_INTERVAL_NANOS}, so a busy connection whose windows are large enough costs about ten small
 * packets each way a second, and an idle one nothing.
 *
 * <p>Event loop only.
 */
final class WindowTuner {
    private static final Logger log = LoggerFactory.getLogger(WindowTuner.class);
    /** A request every SSH peer answers without side effects. */
    static final String PROBE_REQUEST = "keepalive@openssh.com";
    static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final byte[] NO_DATA = new byte[0];

    private final SshConnection connection;
    private final long cap;
    private final LongSupplier clock;

    private long minRttNanos = Long.MAX_VALUE;
    private boolean probing;
    /** The channel whose bytes the probe in flight counts; null for the seeding probe. */
    private MuxChannel probed;
    private long probeStartNanos;
    private long probeStartBytes;
    private long nextProbeNanos;

    /**
     * @param connection where probes are sent
     * @param cap the largest window a channel may reach
     * @param clock {@link System#nanoTime} outside tests
     */
    WindowTuner(SshConnection connection, long cap, LongSupplier clock) {
        this.connection = connection;
        this.cap = cap;
        this.clock = clock;
    }

    /** Sends the seeding probe; called once, when authentication succeeds. */
    void start() {
        probe(null);
    }

    /** Channel {@code c} has just received data (already counted in its window). */
    void dataReceived(MuxChannel c) {
        if (probing || c.receiveWindowSize() >= cap || clock.getAsLong() - nextProbeNanos < 0) {
            return;
        }
        probe(c);
    }

    private void probe(MuxChannel c) {
        probing = true;
        probed = c;
        probeStartBytes = c == null ? 0 : c.receivedBytes();
        probeStartNanos = clock.getAsLong();
        connection.sendGlobalRequest(PROBE_REQUEST, true, NO_DATA).addListener(f -> {
            if (f.isSuccess()) {
                answered();
            }
            // A failed probe means the connection is closing: nothing more to tune.
        });
    }

    /** The reply to the probe in flight arrived. */
    void answered() {
        long now = clock.getAsLong();
        long rtt = Math.max(1, now - probeStartNanos);
        minRttNanos = Math.min(minRttNanos, rtt);
        MuxChannel c = probed;
        probed = null;
        probing = false;
        if (c == null) {
            nextProbeNanos = now; // seeded: the first data may measure at once
            return;
        }
        nextProbeNanos = now + PROBE_INTERVAL_NANOS;
        if (!c.isOpen()) {
            return;
        }
        long bytes = c.receivedBytes() - probeStartBytes;
        double bdp = (double) bytes * minRttNanos / rtt;
        long window = c.receiveWindowSize();
        if (bdp * 3 >= window * 2.0 && window < cap) {
            long grown = Math.min(cap, window * 2);
            log.debug("channel {}: receive window {} -> {} ({} bytes in {} µs, min rtt {} µs)", c.localId(), window,
                    grown, bytes, rtt / 1000, minRttNanos / 1000);
            c.growReceiveWindow(grown);
            nextProbeNanos = now; // keep measuring while it grows
        }
    }
}
