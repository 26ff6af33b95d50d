package dev.sluice.auth.message;

import static dev.sluice.transport.DisconnectReason.PROTOCOL_ERROR;

import dev.sluice.transport.SshException;
import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.util.ArrayList;
import java.util.List;

/** SSH_MSG_USERAUTH_INFO_REQUEST, RFC 4256 section 3.2: one round of keyboard-interactive questions. */
public record UserAuthInfoRequest(String name, String instruction, String languageTag, List<Prompt> prompts)
        implements SshMessage {
    /** OpenSSH's limit on prompts per round (sshconnect2.c and auth2-chall.c both refuse more than 100). */
    public static final int MAX_PROMPTS = 100;

    /** One question, and whether the answer may be shown while typed. */
    public record Prompt(String text, boolean echo) {
    }

    public UserAuthInfoRequest {
        prompts = List.copyOf(prompts);
    }

    @Override
    public int id() {
        return UserAuthMessages.METHOD_SPECIFIC_60;
    }

    @Override
    public void encodeBody(SshWriter w) {
        w.writeUtf8(name).writeUtf8(instruction).writeAscii(languageTag).writeUint32(prompts.size());
        for (Prompt p : prompts) {
            w.writeUtf8(p.text()).writeBoolean(p.echo());
        }
    }

    public static UserAuthInfoRequest decode(SshReader r) {
        String name = r.readUtf8();
        String instruction = r.readUtf8();
        String language = r.readAscii();
        long n = Integer.toUnsignedLong(r.readUint32());
        if (n > MAX_PROMPTS) {
            throw SshException.disconnect(PROTOCOL_ERROR, "too many keyboard-interactive prompts: %d", n);
        }
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            prompts.add(new Prompt(r.readUtf8(), r.readBoolean()));
        }
        r.ensureEnd("USERAUTH_INFO_REQUEST");
        return new UserAuthInfoRequest(name, instruction, language, prompts);
    }
}
