package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SSH_MSG_EXT_INFO, RFC 8308 section 2.3. Extension values are kept as raw bytes, since their format depends on the
 * extension; {@link #text} reads one as a string (e.g. {@code server-sig-algs}, a name-list).
 */
public record ExtInfo(Map<String, byte[]> extensions) implements SshMessage {
    public static final int ID = TransportMessages.EXT_INFO;
    /** Bound on the number of extensions we accept, so a hostile peer cannot make us build a huge map. */
    private static final int MAX_EXTENSIONS = 64;

    public ExtInfo {
        extensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
    }

    @Override
    public int id() {
        return ID;
    }

    /** The value of extension {@code name} as text, or null when absent. */
    public String text(String name) {
        byte[] v = extensions.get(name);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(extensions.size());
        for (Map.Entry<String, byte[]> e : extensions.entrySet()) {
            w.writeAscii(e.getKey()).writeBytes(e.getValue());
        }
    }

    public static ExtInfo decode(SshReader r) {
        int n = r.readUint32();
        if (n < 0 || n > MAX_EXTENSIONS) {
            throw dev.sluice.transport.SshException.disconnect(dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR,
                    "EXT_INFO with %d extensions", Integer.toUnsignedLong(n));
        }
        Map<String, byte[]> ext = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            ext.put(r.readAscii(), r.readBytes());
        }
        r.ensureEnd("EXT_INFO");
        return new ExtInfo(ext);
    }
}
