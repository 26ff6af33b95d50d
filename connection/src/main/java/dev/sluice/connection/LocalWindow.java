package dev.sluice.connection;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.SshException;

/**
 * The receive window of one channel: how much the peer may still send us, and how much of what it sent has been
 * consumed but not yet credited back with WINDOW_ADJUST.
 *
 * <p>Bytes count as consumed only when the application says so ({@link #consume}); in forwarding that is when the
 * destination socket's write has completed. So a slow destination stops crediting and the peer stops sending,
 * and at most {@code max} (plus the grace below) bytes of a channel are ever buffered here. {@code max} starts at the
 * initial window and may {@linkplain #grow grow} when the path, not the receiver, holds the peer back.
 *
 * <h3>Overrun</h3>
 * A packet larger than our maximum packet size is a protocol error. A packet beyond the window is accepted
 * within OpenSSH's grace of 10 % of the window ({@code channel_input_data} in channels.c), so a peer with a
 * slightly wrong count keeps working as it does with OpenSSH; the excess is never credited back, which keeps
 * {@code 0 ≤ window ≤ max} and bounds the buffered bytes by {@code max + max/10}. A larger overrun is a
 * PROTOCOL_ERROR ("peer ignored channel window", as OpenSSH says).
 *
 * <p>Not thread-safe: used only on the connection's event loop.
 */
final class LocalWindow {
    private long max;
    private final int maxPacket;
    /** Every data byte received, for measuring the rate. */
    private long received;
    /** What the peer may still send. */
    private long window;
    /** Received and not yet consumed. */
    private long unconsumed;
    /** Consumed and not yet credited back. */
    private long consumed;
    /**
     * Bytes received beyond the window not yet paid for by consumption: never credited. While it is open,
     * {@code consumed} is 0. Never more than {@code unconsumed}.
     */
    private long debt;
    /** The overrun since the last packet that fitted, for the grace limit. */
    private long exceeded;

    LocalWindow(long max, int maxPacket) {
        this.max = max;
        this.maxPacket = maxPacket;
        this.window = max;
    }

    /**
     * Accounts for {@code n} received data bytes on channel {@code channelId}.
     *
     * @throws SshException PROTOCOL_ERROR for a packet over the maximum packet size or an overrun past the grace
     */
    void receive(int channelId, int n) {
        if (n > maxPacket) {
            throw SshException.disconnect(PROTOCOL_ERROR, "channel %d: rcvd big packet %d, maxpack %d",
                    channelId, n, maxPacket);
        }
        if (n > window) {
            long excess = n - window;
            exceeded += excess;
            if (exceeded > max / 10) {
                throw SshException.disconnect(PROTOCOL_ERROR,
                        "channel %d: peer ignored channel window (rcvd %d, win %d/%d, excess %d)",
                        channelId, n, window, max, exceeded);
            }
            // The excess is paid first from bytes consumed and not yet credited, the rest from later consumption.
            // So nothing is credited while a debt is open, the window cannot reopen, no packet can fit and reset
            // the grace, and the debt stays within it: buffered bytes stay within max + max/10.
            long paidNow = Math.min(consumed, excess);
            consumed -= paidNow;
            debt += excess - paidNow;
            window = 0;
        } else {
            window -= n;
            exceeded = 0;
        }
        unconsumed += n;
        received += n;
    }

    /**
     * Raises the window's maximum by {@code extra} bytes and grants them to the peer at once: the caller announces them
     * in a WINDOW_ADJUST.
     */
    void grow(long extra) {
        if (extra <= 0 || max + extra > ConnectionConfig.MAX_WINDOW) {
            throw new IllegalArgumentException("cannot grow a window of " + max + " by " + extra);
        }
        max += extra;
        window += extra;
    }

    /** Marks {@code n} received bytes as consumed: delivered, or dropped because they can no longer be. */
    void consume(long n) {
        if (n < 0 || n > unconsumed) {
            throw new IllegalArgumentException("consumed " + n + " bytes but only " + unconsumed + " are unconsumed");
        }
        unconsumed -= n;
        long repaid = Math.min(debt, n);
        debt -= repaid;
        consumed += n - repaid;
    }

    /**
     * The bytes to announce in a WINDOW_ADJUST now, added to the window, or 0 if none is due. Due when something was
     * consumed and {@code max − window > 3·maxPacket || window < max/2}: OpenSSH's {@code channel_check_window} rule,
     * which batches adjusts to about one per 3 packets at the default sizes instead of one per packet.
     */
    long takeAdjustment() {
        if (consumed > 0 && (max - window > 3L * maxPacket || window < max / 2)) {
            long credit = consumed;
            window += credit;
            consumed = 0;
            return credit;
        }
        return 0;
    }

    long window() {
        return window;
    }

    long max() {
        return max;
    }

    long unconsumed() {
        return unconsumed;
    }

    long received() {
        return received;
    }
}
