package dev.sluice.transport.message;

import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;

/** SSH_MSG_SERVICE_REQUEST, RFC 4253 section 10. */
public record ServiceRequest(String serviceName) implements SshMessage {
    public static final int ID = TransportMessages.SERVICE_REQUEST;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeAscii(serviceName);
    }

    public static ServiceRequest decode(SshReader r) {
        ServiceRequest m = new ServiceRequest(r.readAscii());
        r.ensureEnd("SERVICE_REQUEST");
        return m;
    }
}
