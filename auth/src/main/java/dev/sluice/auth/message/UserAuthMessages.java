package dev.sluice.auth.message;

/** Message numbers of the authentication protocol, RFC 4252 section 6 and RFC 4250 section 4.1.2. */
public final class UserAuthMessages {
    public static final int REQUEST = 50;
    public static final int FAILURE = 51;
    public static final int SUCCESS = 52;
    public static final int BANNER = 53;
    /**
     * SSH_MSG_USERAUTH_PK_OK for publickey, PASSWD_CHANGEREQ for password, INFO_REQUEST for keyboard-interactive: the
     * method in progress decodes it.
     */
    public static final int METHOD_SPECIFIC_60 = 60;
    /** SSH_MSG_USERAUTH_INFO_RESPONSE, RFC 4256 section 5. */
    public static final int INFO_RESPONSE = 61;

    private UserAuthMessages() {
    }
}
