package dev.sluice.auth;

import dev.sluice.transport.SshException;
import dev.sluice.transport.key.OpenSshCertificate;
import dev.sluice.transport.key.PublicKeys;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.key.SshPublicKey;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of ssh-agent (draft-miller-ssh-agent, OpenSSH's PROTOCOL.agent) over its Unix socket: lists the keys the
 * agent holds and has it sign with them. The keys come back as {@link SshKeyPair}s whose private half stays in the
 * agent, so they go wherever a key file's key goes.
 *
 * <p>Blocking I/O on one socket; requests are serialised, so an instance may be shared by threads. It must not be
 * used on an event loop (the authentication handler signs on its own thread).
 */
public final class SshAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshAgent.class);
    static final int FAILURE = 5;
    static final int REQUEST_IDENTITIES = 11;
    static final int IDENTITIES_ANSWER = 12;
    static final int SIGN_REQUEST = 13;
    static final int SIGN_RESPONSE = 14;
    /** Sign-request flags asking an RSA key for RFC 8332 signatures. */
    static final int RSA_SHA2_256 = 2;
    static final int RSA_SHA2_512 = 4;
    /** OpenSSH's AGENT_MAX_LEN: a longer reply is a broken agent, not a big one. */
    static final int MAX_MESSAGE = 256 * 1024;

    private final SocketChannel socket;
    private final Path path;

    private SshAgent(SocketChannel socket, Path path) {
        this.socket = socket;
        this.path = path;
    }

    /** Connects to the agent listening at {@code socketPath} (what SSH_AUTH_SOCK names). */
    public static SshAgent connect(Path socketPath) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new SshAgent(ch, socketPath);
    }

    /**
     * The keys the agent holds, in its order. Keys of types Sluice cannot verify are left out (with a debug line):
     * they could not be offered anyway.
     */
    public List<SshKeyPair> identities() throws IOException {
        SshReader r = SshReader.of(request(new byte[] {REQUEST_IDENTITIES}));
        int type = r.readByte() & 0xff;
        if (type != IDENTITIES_ANSWER) {
            throw new IOException("agent refused to list identities (reply " + type + ")");
        }
        try {
            long n = Integer.toUnsignedLong(r.readUint32());
            List<SshKeyPair> keys = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                byte[] blob = r.readBytes();
                String comment = r.readUtf8();
                try {
                    keys.add(new AgentKey(this, PublicKeys.fromBlob(blob), comment));
                } catch (SshException e) {
                    LOG.debug("agent key {} skipped: {}", comment, e.getMessage());
                }
            }
            r.ensureEnd("agent identities answer");
            return keys;
        } catch (SshException e) {
            throw new IOException("malformed agent reply: " + e.getMessage(), e);
        }
    }

    /** The agent's signature blob over {@code data} with the key {@code blob} and {@code algorithm}. */
    byte[] sign(byte[] blob, String algorithm, byte[] data) throws IOException {
        // A certificate held by the agent signs with its plain algorithm (PROTOCOL.certkeys).
        int flags = switch (OpenSshCertificate.plainAlgorithm(algorithm)) {
            case "rsa-sha2-256" -> RSA_SHA2_256;
            case "rsa-sha2-512" -> RSA_SHA2_512;
            default -> 0;
        };
        byte[] req = SshWriter.heap().writeByte(SIGN_REQUEST).writeBytes(blob).writeBytes(data).writeUint32(flags)
                .toByteArray();
        SshReader r = SshReader.of(request(req));
        int type = r.readByte() & 0xff;
        if (type != SIGN_RESPONSE) {
            throw new IOException("agent refused operation");
        }
        try {
            byte[] signature = r.readBytes();
            r.ensureEnd("agent sign response");
            return signature;
        } catch (SshException e) {
            throw new IOException("malformed agent reply: " + e.getMessage(), e);
        }
    }

    private synchronized byte[] request(byte[] message) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(4 + message.length);
        out.putInt(message.length).put(message).flip();
        while (out.hasRemaining()) {
            socket.write(out);
        }
        ByteBuffer len = ByteBuffer.allocate(4);
        readFully(len);
        int n = len.flip().getInt();
        if (n <= 0 || n > MAX_MESSAGE) {
            throw new IOException("agent reply of bad length " + Integer.toUnsignedString(n));
        }
        ByteBuffer body = ByteBuffer.allocate(n);
        readFully(body);
        return body.array();
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (socket.read(b) < 0) {
                throw new EOFException("agent closed the connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "agent " + path;
    }

    /** A key held by the agent: signing asks the agent; there is no secret here to destroy. */
    private static final class AgentKey implements SshKeyPair {
        private final SshAgent agent;
        private final SshPublicKey key;
        private final String comment;

        AgentKey(SshAgent agent, SshPublicKey key, String comment) {
            this.agent = agent;
            this.key = key;
            this.comment = comment;
        }

        @Override
        public SshPublicKey publicKey() {
            return key;
        }

        @Override
        public String comment() {
            return comment;
        }

        /**
         * Asks the agent; blocks on its socket.
         *
         * @throws IllegalStateException when the agent refuses or fails
         */
        @Override
        public byte[] sign(String signatureAlgorithm, byte[] data) {
            if (!key.signatureAlgorithms().contains(signatureAlgorithm)) {
                throw new IllegalArgumentException(key.keyType() + " cannot sign with " + signatureAlgorithm);
            }
            try {
                byte[] signature = agent.sign(key.blob(), signatureAlgorithm, data);
                if (!OpenSshCertificate.plainAlgorithm(signatureAlgorithm).equals(algorithmOf(signature))) {
                    throw new IllegalStateException("agent signed with another algorithm");
                }
                return signature;
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        private static String algorithmOf(byte[] signature) {
            try {
                return SshReader.of(signature).readAscii();
            } catch (SshException e) {
                return null;
            }
        }

        @Override
        public void destroy() {
            // The secret never left the agent; nothing to zero.
        }

        @Override
        public boolean isDestroyed() {
            return false;
        }

        @Override
        public String toString() {
            return key.keyType() + " " + key.fingerprint() + " " + comment + " (agent)";
        }
    }
}
