package dev.sluice.forwarding;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;

/**
 * The server half of a SOCKS handshake as a state machine over bytes, independent of where they come from: a local
 * socket ({@code ssh -D}, see {@link SocksServerHandler}) or an SSH channel (reverse dynamic forwarding, where the
 * SOCKS server runs at the other end of a {@code forwarded-tcpip} channel).
 *
 * <p>Speaks SOCKS4 ({@code socks4.protocol.txt}), SOCKS4a ({@code socks4a.protocol.txt}) and SOCKS5 (RFC 1928) with
 * the "no authentication required" method only, and only CONNECT, as OpenSSH's ssh does. Unlike ssh, which answers
 * success before the SSH channel is open, the caller answers once it knows: {@link #writeReply} with the outcome, so
 * a refused target reaches the SOCKS client as "connection refused" rather than as a closed connection.
 *
 * <h3>Bounds</h3>
 * Every field is capped: a SOCKS5 domain name by its length byte (255), the SOCKS4 USERID and SOCKS4a host name at
 * {@link #MAX_NAME} bytes before their NUL. So {@link #decode} decides (request, reply or refusal) once at most
 * {@link #MAX_HANDSHAKE_BYTES} bytes have arrived, and a caller that accumulates input never holds more than that
 * plus one read. The handshake holds no buffers itself.
 */
final class SocksServerHandshake {
    /** The longest SOCKS4 USERID or SOCKS4a host name accepted, without its NUL (SOCKS5 names have the same limit). */
    static final int MAX_NAME = 255;
    /** More than any complete handshake: SOCKS5 2 + 255 + 4 + 1 + 255 + 2 = 519, SOCKS4a 8 + 256 + 256 = 520. */
    static final int MAX_HANDSHAKE_BYTES = 1024;

    private static final byte[] NOTHING = new byte[0];
    private static final int SOCKS4_GRANTED = 0x5A;
    private static final int SOCKS4_REJECTED = 0x5B;
    private static final int CONNECT = 1;
    private static final int NO_AUTHENTICATION = 0x00;
    private static final int NO_ACCEPTABLE_METHODS = 0xFF;

    private enum State {
        START, SOCKS5_REQUEST, DONE
    }

    private State state = State.START;
    private int version;

    /**
     * Consumes the complete messages at the start of {@code in} and appends the replies they call for to {@code out}
     * (the SOCKS5 method selection). Bytes of an incomplete message stay in {@code in} for the next call, and bytes
     * after the request (data the client sent ahead of the reply) stay there too, for the channel.
     *
     * @return the request once the handshake is complete, or null while more bytes are needed
     * @throws SocksException when the client asks for something not supported or sends a malformed message; its
     *         reply goes to the client before the connection closes
     * @throws IllegalStateException when called again after the request was returned
     */
    SocksRequest decode(ByteBuf in, ByteBuf out) throws SocksException {
        while (true) {
            switch (state) {
                case START -> {
                    if (!in.isReadable()) {
                        return null;
                    }
                    int v = in.getUnsignedByte(in.readerIndex());
                    if (v == 4) {
                        return done(decodeSocks4(in));
                    }
                    if (v != 5) {
                        throw new SocksException("unknown SOCKS version " + v, NOTHING);
                    }
                    if (!decodeGreeting(in, out)) {
                        return null;
                    }
                    state = State.SOCKS5_REQUEST;
                }
                case SOCKS5_REQUEST -> {
                    return done(decodeSocks5Request(in));
                }
                default -> throw new IllegalStateException("the SOCKS handshake is already complete");
            }
        }
    }

    /** Appends the reply to the request returned by {@link #decode}: success, or why it failed. */
    void writeReply(SocksReply reply, ByteBuf out) {
        if (state != State.DONE) {
            throw new IllegalStateException("no request to reply to");
        }
        out.writeBytes(version == 4 ? socks4Reply(reply == SocksReply.SUCCEEDED) : socks5Reply(reply));
    }

    private SocksRequest done(SocksRequest request) {
        if (request != null) {
            state = State.DONE;
            version = request.version();
        }
        return request;
    }

    /** VN CD DSTPORT DSTIP USERID NUL [HOST NUL], HOST when DSTIP is 0.0.0.x with x nonzero (SOCKS4a). */
    private static SocksRequest decodeSocks4(ByteBuf in) throws SocksException {
        int start = in.readerIndex();
        if (in.readableBytes() < 2) {
            return null;
        }
        int command = in.getUnsignedByte(start + 1);
        if (command != CONNECT) {
            throw new SocksException("SOCKS4 command " + command + " not supported", socks4Reply(false));
        }
        if (in.readableBytes() < 8) {
            return null;
        }
        int port = in.getUnsignedShort(start + 2);
        int ip = in.getInt(start + 4);
        int userEnd = nul(in, start + 8, "SOCKS4 user id");
        if (userEnd < 0) {
            return null;
        }
        String user = in.toString(start + 8, userEnd - start - 8, StandardCharsets.ISO_8859_1);
        int end = userEnd + 1;
        SocksRequest request;
        if ((ip & 0xFFFFFF00) == 0 && ip != 0) {
            int hostEnd = nul(in, end, "SOCKS4a host name");
            if (hostEnd < 0) {
                return null;
            }
            String host = hostName(in, end, hostEnd - end, socks4Reply(false));
            request = new SocksRequest(4, SocksRequest.AddressType.DOMAIN, host, port, user);
            end = hostEnd + 1;
        } else {
            request = new SocksRequest(4, SocksRequest.AddressType.IPV4, NetUtil.intToIpAddress(ip), port, user);
        }
        in.readerIndex(end);
        return request;
    }

    /** The index of the NUL ending a field that starts at {@code from}, or -1 while it has not arrived. */
    private static int nul(ByteBuf in, int from, String what) throws SocksException {
        int limit = Math.min(in.writerIndex(), from + MAX_NAME + 1);
        int at = in.indexOf(from, limit, (byte) 0);
        if (at < 0 && limit == from + MAX_NAME + 1) {
            throw new SocksException(what + " longer than " + MAX_NAME + " bytes", socks4Reply(false));
        }
        return at;
    }

    /** VER NMETHODS METHODS: choose "no authentication required" if offered, else refuse (X'FF'). */
    private static boolean decodeGreeting(ByteBuf in, ByteBuf out) throws SocksException {
        int start = in.readerIndex();
        if (in.readableBytes() < 2) {
            return false;
        }
        int methods = in.getUnsignedByte(start + 1);
        if (in.readableBytes() < 2 + methods) {
            return false;
        }
        boolean noAuthentication = in.indexOf(start + 2, start + 2 + methods, (byte) NO_AUTHENTICATION) >= 0;
        in.skipBytes(2 + methods);
        if (!noAuthentication) {
            throw new SocksException("SOCKS5 client offers no supported authentication method",
                    new byte[] {5, (byte) NO_ACCEPTABLE_METHODS});
        }
        out.writeByte(5).writeByte(NO_AUTHENTICATION);
        return true;
    }

    /** VER CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 section 4). */
    private static SocksRequest decodeSocks5Request(ByteBuf in) throws SocksException {
        int start = in.readerIndex();
        if (in.readableBytes() < 4) {
            return null;
        }
        int v = in.getUnsignedByte(start);
        if (v != 5) {
            throw new SocksException("SOCKS5 request with version " + v, socks5Reply(SocksReply.GENERAL_FAILURE));
        }
        int command = in.getUnsignedByte(start + 1);
        if (command != CONNECT) {
            throw new SocksException("SOCKS5 command " + command + " not supported",
                    socks5Reply(SocksReply.COMMAND_NOT_SUPPORTED));
        }
        int type = in.getUnsignedByte(start + 3);
        int addressLength;
        SocksRequest.AddressType addressType;
        switch (type) {
            case 1 -> {
                addressLength = 4;
                addressType = SocksRequest.AddressType.IPV4;
            }
            case 3 -> {
                if (in.readableBytes() < 5) {
                    return null;
                }
                addressLength = 1 + in.getUnsignedByte(start + 4);
                addressType = SocksRequest.AddressType.DOMAIN;
            }
            case 4 -> {
                addressLength = 16;
                addressType = SocksRequest.AddressType.IPV6;
            }
            default -> throw new SocksException("SOCKS5 address type " + type + " not supported",
                    socks5Reply(SocksReply.ADDRESS_TYPE_NOT_SUPPORTED));
        }
        int length = 4 + addressLength + 2;
        if (in.readableBytes() < length) {
            return null;
        }
        String host;
        if (addressType == SocksRequest.AddressType.DOMAIN) {
            host = hostName(in, start + 5, addressLength - 1, socks5Reply(SocksReply.GENERAL_FAILURE));
        } else {
            byte[] address = new byte[addressLength];
            in.getBytes(start + 4, address);
            host = NetUtil.bytesToIpAddress(address);
        }
        int port = in.getUnsignedShort(start + length - 2);
        in.readerIndex(start + length);
        return new SocksRequest(5, addressType, host, port, "");
    }

    /** A host name of printable ASCII without spaces (what DNS and IDNA's punycode allow, and address literals). */
    private static String hostName(ByteBuf in, int from, int length, byte[] refusal) throws SocksException {
        if (length == 0) {
            throw new SocksException("empty host name", refusal);
        }
        for (int i = from; i < from + length; i++) {
            byte b = in.getByte(i);
            if (b <= ' ' || b > '~') {
                throw new SocksException("host name with byte " + (b & 0xFF), refusal);
            }
        }
        return in.toString(from, length, StandardCharsets.US_ASCII);
    }

    /** VN=0 CD DSTPORT DSTIP; the address fields are ignored by clients of a CONNECT. */
    private static byte[] socks4Reply(boolean granted) {
        return new byte[] {0, (byte) (granted ? SOCKS4_GRANTED : SOCKS4_REJECTED), 0, 0, 0, 0, 0, 0};
    }

    /** VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0, as OpenSSH's ssh sends (the bound address is not ours). */
    private static byte[] socks5Reply(SocksReply reply) {
        return new byte[] {5, (byte) reply.code(), 0, 1, 0, 0, 0, 0, 0, 0};
    }
}
