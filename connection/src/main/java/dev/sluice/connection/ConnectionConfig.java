package dev.sluice.connection;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of the connection layer, one record for both roles.
 *
 * @param maxPacket the largest CHANNEL_DATA payload we accept and send (our announced maximum packet size; outgoing
 *        packets are also capped by the peer's). 32 KiB like OpenSSH's {@code CHAN_TCP_PACKET_DEFAULT}.
 * @param initialWindow the receive window each channel grants the peer when it opens, in bytes. 2 MiB = 64 ×
 *        maxPacket, OpenSSH's and Go's default, enough for loopback and LAN links.
 * @param maxWindow how far a channel's receive window may grow ({@link WindowTuner}) while a measured
 *        bandwidth-delay product says the window, not the path, limits the peer; also the most a channel buffers on
 *        our side. Equal to {@code initialWindow}: windows stay fixed, as OpenSSH's do.
 * @param maxChannels how many channels (open, opening or being accepted) one connection may hold at once; a peer
 *        that opens more gets OPEN_FAILURE RESOURCE_SHORTAGE.
 * @param keepAliveInterval after this long without a byte from the peer, send it a {@code keepalive@openssh.com}
 *        global request that wants a reply: ssh_config's ServerAliveInterval on a client, sshd_config's
 *        ClientAliveInterval on a server. {@link Duration#ZERO} (the default, as OpenSSH's) sends none.
 * @param keepAliveCountMax how many of those may go unanswered: one more interval of silence after that ends the
 *        connection (ServerAliveCountMax / ClientAliveCountMax, default 3). At 0 a client gives up after the first
 *        silent interval, as ssh does, while a server never gives up (it keeps probing), as sshd does.
 */
public record ConnectionConfig(int maxPacket, long initialWindow, long maxWindow, int maxChannels,
        Duration keepAliveInterval, int keepAliveCountMax) {
    /**
     * maxPacket 32 KiB, initialWindow 2 MiB growing up to {@link #DEFAULT_MAX_WINDOW}, maxChannels 16384 (OpenSSH's
     * CHANNELS_MAX_CHANNELS: thousands of forwarded connections share one SSH connection; the table grows only as
     * channels open), no keepalives (count max 3 once turned on).
     */
    public static final ConnectionConfig DEFAULT = new ConnectionConfig(32 * 1024, 2 * 1024 * 1024, 16 * 1024)
            .withMaxWindow(ConnectionConfig.DEFAULT_MAX_WINDOW);

    /**
     * 16 MiB: enough for a channel to run at 800 MB/s over a 20 ms path (or 1 Gbit/s over 130 ms), while a
     * channel whose destination stalls holds at most this much.
     */
    public static final long DEFAULT_MAX_WINDOW = 16L * 1024 * 1024;

    /** The protocol's upper limit for a window (a uint32). */
    public static final long MAX_WINDOW = 0xFFFFFFFFL;

    /** OpenSSH's default for ServerAliveCountMax and ClientAliveCountMax. */
    public static final int DEFAULT_KEEPALIVE_COUNT_MAX = 3;

    public ConnectionConfig {
        // 256 KiB is the transport's packet limit; leave room for the packet header, padding and MAC.
        if (maxPacket < 512 || maxPacket > 256 * 1024 - 1024) {
            throw new IllegalArgumentException("maxPacket out of range [512, 261120]: " + maxPacket);
        }
        if (initialWindow < maxPacket || initialWindow > MAX_WINDOW) {
            throw new IllegalArgumentException("initialWindow must be in [maxPacket, 2^32-1]: " + initialWindow);
        }
        if (maxWindow < initialWindow || maxWindow > MAX_WINDOW) {
            throw new IllegalArgumentException("maxWindow must be in [initialWindow, 2^32-1]: " + maxWindow);
        }
        if (maxChannels < 1 || maxChannels > 1 << 20) {
            throw new IllegalArgumentException("maxChannels out of range [1, 2^20]: " + maxChannels);
        }
        Objects.requireNonNull(keepAliveInterval);
        if (keepAliveInterval.isNegative()) {
            throw new IllegalArgumentException("negative keepalive interval: " + keepAliveInterval);
        }
        if (keepAliveCountMax < 0) {
            throw new IllegalArgumentException("negative keepalive count max: " + keepAliveCountMax);
        }
    }

    /** Fixed windows, without keepalives. */
    public ConnectionConfig(int maxPacket, long initialWindow, int maxChannels) {
        this(maxPacket, initialWindow, initialWindow, maxChannels, Duration.ZERO, DEFAULT_KEEPALIVE_COUNT_MAX);
    }

    public ConnectionConfig withMaxPacket(int value) {
        return new ConnectionConfig(value, initialWindow, maxWindow, maxChannels, keepAliveInterval,
                keepAliveCountMax);
    }

    /** The same settings with this initial window; the growth limit rises to it if it was lower. */
    public ConnectionConfig withInitialWindow(long value) {
        return new ConnectionConfig(maxPacket, value, Math.max(value, maxWindow), maxChannels, keepAliveInterval,
                keepAliveCountMax);
    }

    /** The same settings with windows growing up to {@code value} ({@code initialWindow()}: fixed windows). */
    public ConnectionConfig withMaxWindow(long value) {
        return new ConnectionConfig(maxPacket, initialWindow, value, maxChannels, keepAliveInterval,
                keepAliveCountMax);
    }

    public ConnectionConfig withMaxChannels(int value) {
        return new ConnectionConfig(maxPacket, initialWindow, maxWindow, value, keepAliveInterval, keepAliveCountMax);
    }

    /** Whether channel windows may grow beyond {@link #initialWindow()}. */
    public boolean windowsGrow() {
        return maxWindow > initialWindow;
    }

    /**
     * The same settings with a keepalive after every {@code interval} of silence ({@code ZERO}: none), at most
     * {@code countMax} of them unanswered.
     */
    public ConnectionConfig withKeepAlive(Duration interval, int countMax) {
        return new ConnectionConfig(maxPacket, initialWindow, maxWindow, maxChannels, interval, countMax);
    }
}
