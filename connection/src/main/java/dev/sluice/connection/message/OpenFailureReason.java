package dev.sluice.connection.message;

/**
 * The reason codes of SSH_MSG_CHANNEL_OPEN_FAILURE, RFC 4254 section 5.1, with the words OpenSSH prints for them
 * ({@code ssh2_open_reason} in OpenSSH's channels.c).
 */
public enum OpenFailureReason {
    ADMINISTRATIVELY_PROHIBITED(1, "administratively prohibited"),
    CONNECT_FAILED(2, "connect failed"),
    UNKNOWN_CHANNEL_TYPE(3, "unknown channel type"),
    RESOURCE_SHORTAGE(4, "resource shortage");

    private final int code;
    private final String text;

    OpenFailureReason(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The wire value. */
    public int code() {
        return code;
    }

    /** What OpenSSH prints for this reason, e.g. "connect failed". */
    public String text() {
        return text;
    }

    /** The words for any wire value, as OpenSSH prints them ("unknown reason" outside 1 to 4). */
    public static String textOf(int code) {
        for (OpenFailureReason r : values()) {
            if (r.code == code) {
                return r.text;
            }
        }
        return "unknown reason";
    }
}
