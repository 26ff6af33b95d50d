package dev.sluice.connection;

/**
 * The send window of one channel: the credit the peer granted (OPEN_CONFIRMATION, WINDOW_ADJUST) minus what we
 * sent, and the largest DATA payload we may send.
 *
 * <p>Credit is clamped at 2^32−1 when a peer adjusts past it, as MINA SSHD and russh do (Go fails the channel);
 * clamping can only make us send less than allowed, never more. A zero adjust changes nothing.
 *
 * <p>Not thread-safe: used only on the connection's event loop.
 */
final class RemoteWindow {
    static final long MAX = 0xFFFFFFFFL;

    private final int maxPacket;
    private long credit;

    /**
     * @param initial the peer's initial window (uint32)
     * @param peerMaxPacket the peer's maximum packet size (uint32)
     * @param ourCap the largest packet we send regardless of what the peer allows
     */
    RemoteWindow(long initial, long peerMaxPacket, int ourCap) {
        this.credit = Math.min(initial, MAX);
        this.maxPacket = (int) Math.min(peerMaxPacket, ourCap);
    }

    /** Adds {@code n} (a uint32 from WINDOW_ADJUST) to the credit, clamped at 2^32−1. */
    void expand(long n) {
        credit = Math.min(MAX, credit + n);
    }

    /** Takes the size of the next DATA packet, {@code min(credit, maxPacket, wanted)}, out of the credit. */
    int reserve(int wanted) {
        int n = (int) Math.min(Math.min(credit, maxPacket), wanted);
        credit -= n;
        return n;
    }

    long credit() {
        return credit;
    }

    int maxPacket() {
        return maxPacket;
    }
}
