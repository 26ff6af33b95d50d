package dev.sluice.auth.message;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.SshException;
import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SSH_MSG_USERAUTH_INFO_RESPONSE, RFC 4256 section 3.4: the answers, in prompt order. Answers are often passwords:
 * they are UTF-8 arrays that {@link #destroy()} zeroes, and the accessor hands out the arrays themselves.
 */
public record UserAuthInfoResponse(List<byte[]> responses) implements SshMessage {
    public UserAuthInfoResponse {
        responses = List.copyOf(responses);
    }

    @Override
    public int id() {
        return UserAuthMessages.INFO_RESPONSE;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUint32(responses.size());
        for (byte[] r : responses) {
            w.writeBytes(r);
        }
    }

    public static UserAuthInfoResponse decode(SshReader r) {
        long n = Integer.toUnsignedLong(r.readUint32());
        if (n > UserAuthInfoRequest.MAX_PROMPTS) {
            throw SshException.disconnect(PROTOCOL_ERROR, "too many keyboard-interactive responses: %d", n);
        }
        List<byte[]> responses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            responses.add(r.readBytes());
        }
        r.ensureEnd("USERAUTH_INFO_RESPONSE");
        return new UserAuthInfoResponse(responses);
    }

    /** Zeroes every answer. */
    public void destroy() {
        for (byte[] r : responses) {
            Arrays.fill(r, (byte) 0);
        }
    }
}
