package dev.sluice.auth.message;

/** Message numbers of the authentication protocol, RFC 4252 section 6 and RFC 4250 section 4.1.2. */
public final class UserAuthMessages {
    public static final int REQUEST = 50;
    public static final int FAILURE = 51;
    public static final int SUCCESS = 52;
    public static final int BANNER = 53;
    /** SSH_MSG_USERAUTH_PK_OK for publickey; other methods give 60 other meanings, so the method decodes it. */
    public static final int METHOD_SPECIFIC_60 = 60;

    private UserAuthMessages() {
    }
}
