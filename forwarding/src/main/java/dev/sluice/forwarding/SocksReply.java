package dev.sluice.forwarding;

import dev.sluice.connection.message.OpenFailureReason;
import java.util.Locale;

/**
 * The reply codes of a SOCKS5 server (RFC 1928 section 6, field REP), and how a refused SSH channel maps onto them.
 * SOCKS4 has one failure code for all of them (91, "request rejected or failed").
 */
enum SocksReply {
    SUCCEEDED(0x00),
    GENERAL_FAILURE(0x01),
    NOT_ALLOWED_BY_RULESET(0x02),
    NETWORK_UNREACHABLE(0x03),
    HOST_UNREACHABLE(0x04),
    CONNECTION_REFUSED(0x05),
    COMMAND_NOT_SUPPORTED(0x07),
    ADDRESS_TYPE_NOT_SUPPORTED(0x08);

    private final int code;

    SocksReply(int code) {
        this.code = code;
    }

    /** The REP byte. */
    int code() {
        return code;
    }

    /**
     * The reply for a CHANNEL_OPEN_FAILURE: a policy refusal is "not allowed by ruleset"; a failed connect is told
     * apart by the system's words the server sent (OpenSSH's sshd and Sluice's send strerror or gai_strerror text,
     * e.g. "Connection refused", "Name or service not known"); anything else is a general failure.
     */
    static SocksReply forOpenFailure(int reasonCode, String description) {
        if (reasonCode == OpenFailureReason.ADMINISTRATIVELY_PROHIBITED.code()) {
            return NOT_ALLOWED_BY_RULESET;
        }
        if (reasonCode != OpenFailureReason.CONNECT_FAILED.code()) {
            return GENERAL_FAILURE;
        }
        String why = description.toLowerCase(Locale.ROOT);
        if (why.contains("refused")) {
            return CONNECTION_REFUSED;
        }
        if (why.contains("network is unreachable")) {
            return NETWORK_UNREACHABLE;
        }
        if (why.contains("no route") || why.contains("unreachable") || why.contains("timed out")
                || why.contains("not known") || why.contains("name") || why.contains("resolve")) {
            return HOST_UNREACHABLE;
        }
        return GENERAL_FAILURE;
    }
}
