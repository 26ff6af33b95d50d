package dev.sluice.connection;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of the connection layer, one record for both roles.
 *
 * @param maxPacket the largest CHANNEL_DATA payload we accept and send (our announced maximum packet size; outgoing
 *        packets are also capped by the peer's). 32 KiB like OpenSSH's {@code CHAN_TCP_PACKET_DEFAULT}.
 * @param initialWindow the receive window each channel grants the peer, in bytes; also the most a channel buffers
 *        on our side. 2 MiB = 64 × maxPacket, OpenSSH's and Go's default, enough for loopback and LAN links.
 * @param maxChannels how many channels (open, opening or being accepted) one connection may hold at once; a peer
 *        that opens more gets OPEN_FAILURE RESOURCE_SHORTAGE.
 * @param keepAliveInterval after this long without a byte from the peer, send it a {@code keepalive@openssh.com}
 *        global request that wants a reply: ssh_config's ServerAliveInterval on a client, sshd_config's
 *        ClientAliveInterval on a server. {@link Duration#ZERO} (the default, as OpenSSH's) sends none.
 * @param keepAliveCountMax how many of those may go unanswered: one more interval of silence after that ends the
 *        connection (ServerAliveCountMax / ClientAliveCountMax, default 3). At 0 a client gives up after the first
 *        silent interval, as ssh does, while a server never gives up (it keeps probing), as sshd does.
 */
public record ConnectionConfig(int maxPacket, long initialWindow, int maxChannels, Duration keepAliveInterval,
        int keepAliveCountMax) {
    /**
     * maxPacket 32 KiB, initialWindow 2 MiB, maxChannels 16384 (OpenSSH's CHANNELS_MAX_CHANNELS: thousands of
     * forwarded connections share one SSH connection; the table grows only as channels open), no keepalives (count
     * max 3 once turned on).
     */
    public static final ConnectionConfig DEFAULT = new ConnectionConfig(32 * 1024, 2 * 1024 * 1024, 16 * 1024);

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

    /** Without keepalives. */
    public ConnectionConfig(int maxPacket, long initialWindow, int maxChannels) {
        this(maxPacket, initialWindow, maxChannels, Duration.ZERO, DEFAULT_KEEPALIVE_COUNT_MAX);
    }

    public ConnectionConfig withMaxPacket(int value) {
        return new ConnectionConfig(value, initialWindow, maxChannels, keepAliveInterval, keepAliveCountMax);
    }

    public ConnectionConfig withInitialWindow(long value) {
        return new ConnectionConfig(maxPacket, value, maxChannels, keepAliveInterval, keepAliveCountMax);
    }

    public ConnectionConfig withMaxChannels(int value) {
        return new ConnectionConfig(maxPacket, initialWindow, value, keepAliveInterval, keepAliveCountMax);
    }

    /**
     * The same settings with a keepalive after every {@code interval} of silence ({@code ZERO}: none), at most
     * {@code countMax} of them unanswered.
     */
    public ConnectionConfig withKeepAlive(Duration interval, int countMax) {
        return new ConnectionConfig(maxPacket, initialWindow, maxChannels, interval, countMax);
    }
}
