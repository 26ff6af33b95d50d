package dev.sluice.connection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The channels of one connection by local channel number. Numbers are array indexes, lowest free first (as
 * OpenSSH), so a lookup per packet is an array access; the table grows by doubling up to its limit.
 *
 * <p>Not thread-safe: used only on the connection's event loop.
 */
final class ChannelTable {
    private final int limit;
    private MuxChannel[] slots = new MuxChannel[8];
    private int size;
    /** No free slot below this index. */
    private int lowestFree;

    ChannelTable(int limit) {
        this.limit = limit;
    }

    /** Stores {@code channel} under the lowest free number and returns it, or returns -1 when full. */
    int add(MuxChannel channel) {
        if (size >= limit) {
            return -1;
        }
        int i = lowestFree;
        while (i < slots.length && slots[i] != null) {
            i++;
        }
        if (i == slots.length) {
            slots = Arrays.copyOf(slots, Math.min(Math.max(slots.length * 2, 8), limit));
        }
        slots[i] = channel;
        lowestFree = i + 1;
        size++;
        return i;
    }

    /** The channel with number {@code id} (a uint32 from the wire), or null. */
    MuxChannel get(int id) {
        return id >= 0 && id < slots.length ? slots[id] : null;
    }

    /** Frees {@code id} if it still holds {@code channel}. */
    void remove(int id, MuxChannel channel) {
        if (id >= 0 && id < slots.length && slots[id] == channel) {
            slots[id] = null;
            size--;
            lowestFree = Math.min(lowestFree, id);
        }
    }

    /** The current array length: every number in use is below it. */
    int capacity() {
        return slots.length;
    }

    int size() {
        return size;
    }

    /** Empties the table and returns what it held. */
    List<MuxChannel> clear() {
        List<MuxChannel> all = new ArrayList<>(size);
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                all.add(slots[i]);
                slots[i] = null;
            }
        }
        size = 0;
        lowestFree = 0;
        return all;
    }

    /** A snapshot of the channels, for iteration that may change the table. */
    List<MuxChannel> snapshot() {
        List<MuxChannel> all = new ArrayList<>(size);
        for (MuxChannel c : slots) {
            if (c != null) {
                all.add(c);
            }
        }
        return all;
    }
}
