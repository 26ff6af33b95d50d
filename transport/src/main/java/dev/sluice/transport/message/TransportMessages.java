package dev.sluice.transport.message;

/** Message numbers of the transport layer, RFC 4250 section 4.1.2, plus the key exchange ranges. */
public final class TransportMessages {
    public static final int DISCONNECT = 1;
    public static final int IGNORE = 2;
    public static final int UNIMPLEMENTED = 3;
    public static final int DEBUG = 4;
    public static final int SERVICE_REQUEST = 5;
    public static final int SERVICE_ACCEPT = 6;
    public static final int EXT_INFO = 7;
    public static final int KEXINIT = 20;
    public static final int NEWKEYS = 21;
    /** First number whose meaning depends on the negotiated key exchange method (RFC 4250: 30 to 49). */
    public static final int KEX_METHOD_FIRST = 30;
    public static final int KEX_METHOD_LAST = 49;
    /** First user authentication message (RFC 4250: 50 to 79). */
    public static final int USERAUTH_FIRST = 50;
    public static final int USERAUTH_LAST = 79;
    /** Last number of the connection protocol (RFC 4250: 80 to 127 are its, 80 to 100 assigned). */
    public static final int CONNECTION_LAST = 100;

    private TransportMessages() {
    }

    /** Whether a message belongs to key exchange: the only ones allowed while strict KEX runs its initial exchange. */
    public static boolean isKex(int id) {
        return id == KEXINIT || id == NEWKEYS || (id >= KEX_METHOD_FIRST && id <= KEX_METHOD_LAST);
    }

    /** Messages that may pass at any time, even while a key exchange holds back the rest (RFC 4253 section 7.1). */
    public static boolean isTransportGeneric(int id) {
        return id >= DISCONNECT && id <= DEBUG;
    }
}
