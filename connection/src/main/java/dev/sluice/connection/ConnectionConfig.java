package dev.sluice.connection;

/**
 * The settings of the connection layer, one record for both roles.
 *
 * @param maxPacket the largest CHANNEL_DATA payload we accept and send (our announced maximum packet size; outgoing
 *        packets are also capped by the peer's). 32 KiB like OpenSSH's {@code CHAN_TCP_PACKET_DEFAULT}.
 * @param initialWindow the receive window each channel grants the peer, in bytes; also the most a channel buffers
 *        on our side. 2 MiB = 64 × maxPacket, OpenSSH's and Go's default, enough for loopback and LAN links.
 * @param maxChannels how many channels (open, opening or being accepted) one connection may hold at once; a peer
 *        that opens more gets OPEN_FAILURE RESOURCE_SHORTAGE.
 */
public record ConnectionConfig(int maxPacket, long initialWindow, int maxChannels) {
    /**
     * maxPacket 32 KiB, initialWindow 2 MiB, maxChannels 16384 (OpenSSH's CHANNELS_MAX_CHANNELS: thousands of
     * forwarded connections share one SSH connection; the table grows only as channels open).
     */
    public static final ConnectionConfig DEFAULT = new ConnectionConfig(32 * 1024, 2 * 1024 * 1024, 16 * 1024);

    /** The protocol's upper limit for a window (a uint32). */
    public static final long MAX_WINDOW = 0xFFFFFFFFL;

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
    }

    public ConnectionConfig withMaxPacket(int value) {
        return new ConnectionConfig(value, initialWindow, maxChannels);
    }

    public ConnectionConfig withInitialWindow(long value) {
        return new ConnectionConfig(maxPacket, value, maxChannels);
    }

    public ConnectionConfig withMaxChannels(int value) {
        return new ConnectionConfig(maxPacket, initialWindow, value);
    }
}
