package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_SERVICE_ACCEPT, RFC 4253 section 10. */
public record ServiceAccept(String serviceName) implements SshMessage {
    public static final int ID = TransportMessages.SERVICE_ACCEPT;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeAscii(serviceName);
    }

    public static ServiceAccept decode(SshReader r) {
        ServiceAccept m = new ServiceAccept(r.readAscii());
        r.ensureEnd("SERVICE_ACCEPT");
        return m;
    }
}
