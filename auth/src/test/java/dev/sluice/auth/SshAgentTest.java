package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.wire.SshReader;
import dev.sluice.transport.wire.SshWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The agent protocol's client side against a scripted agent on a Unix socket: the messages Sluice sends
 * (draft-miller-ssh-agent sections 3.2–3.6, with the RSA SHA-2 flags), and what it makes of good, refusing and
 * malformed replies. The real ssh-agent is in the interop tests.
 */
class SshAgentTest {
    private static final SshKeyPair KEY = SshKeyPair.generateEd25519("agent key");

    /** An agent that answers one request with {@code reply(request)} and hands the request to the test. */
    private static final class FakeAgent implements AutoCloseable {
        final Path dir;
        final Path socket;
        final ServerSocketChannel server;
        final CompletableFuture<byte[]> request = new CompletableFuture<>();

        FakeAgent(Function<byte[], byte[]> reply) throws IOException {
            dir = Files.createTempDirectory("agent");
            socket = dir.resolve("s");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
            Thread t = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer len = ByteBuffer.allocate(4);
                    while (len.hasRemaining() && c.read(len) >= 0) {
                        continue;
                    }
                    ByteBuffer body = ByteBuffer.allocate(len.flip().getInt());
                    while (body.hasRemaining() && c.read(body) >= 0) {
                        continue;
                    }
                    request.complete(body.array());
                    c.write(ByteBuffer.wrap(reply.apply(body.array())));
                } catch (IOException e) {
                    request.completeExceptionally(e);
                }
            }, "fake-agent");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static byte[] framed(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    @Test
    void listsKeysAndSkipsTypesItCannotUse() throws Exception {
        byte[] unknown = SshWriter.heap().writeAscii("ssh-unknown@example.org").writeBytes(new byte[8]).toByteArray();
        byte[] answer = SshWriter.heap().writeByte(SshAgent.IDENTITIES_ANSWER).writeUint32(2)
                .writeBytes(unknown).writeUtf8("mystery")
                .writeBytes(KEY.publicKey().blob()).writeUtf8("agent key").toByteArray();
        try (FakeAgent fake = new FakeAgent(req -> framed(answer));
                SshAgent agent = SshAgent.connect(fake.socket)) {
            List<SshKeyPair> keys = agent.identities();
            assertThat(fake.request.get(5, TimeUnit.SECONDS)).containsExactly(SshAgent.REQUEST_IDENTITIES);
            assertThat(keys).hasSize(1);
            assertThat(keys.get(0).publicKey()).isEqualTo(KEY.publicKey());
            assertThat(keys.get(0).comment()).isEqualTo("agent key");
        }
    }

    @Test
    void signRequestCarriesKeyDataAndTheRsaSha2Flag() throws Exception {
        byte[] data = {1, 2, 3};
        for (String algorithm : new String[] {"ssh-ed25519", "rsa-sha2-256", "rsa-sha2-512"}) {
            byte[] signature = KEY.sign(data);
            byte[] response = SshWriter.heap().writeByte(SshAgent.SIGN_RESPONSE).writeBytes(signature)
                    .toByteArray();
            try (FakeAgent fake = new FakeAgent(req -> framed(response));
                    SshAgent agent = SshAgent.connect(fake.socket)) {
                assertThat(agent.sign(KEY.publicKey().blob(), algorithm, data)).isEqualTo(signature);
                SshReader r = SshReader.of(fake.request.get(5, TimeUnit.SECONDS));
                assertThat(r.readByte()).isEqualTo((byte) SshAgent.SIGN_REQUEST);
                assertThat(r.readBytes()).isEqualTo(KEY.publicKey().blob());
                assertThat(r.readBytes()).isEqualTo(data);
                int expectedFlags = switch (algorithm) {
                    case "rsa-sha2-256" -> SshAgent.RSA_SHA2_256;
                    case "rsa-sha2-512" -> SshAgent.RSA_SHA2_512;
                    default -> 0;
                };
                assertThat(r.readUint32()).as(algorithm).isEqualTo(expectedFlags);
                r.ensureEnd("sign request");
            }
        }
    }

    @Test
    void aRefusalIsAnError() throws Exception {
        try (FakeAgent fake = new FakeAgent(req -> framed(new byte[] {SshAgent.FAILURE}));
                SshAgent agent = SshAgent.connect(fake.socket)) {
            assertThatThrownBy(() -> agent.sign(KEY.publicKey().blob(), "ssh-ed25519", new byte[1]))
                    .isInstanceOf(IOException.class).hasMessage("agent refused operation");
        }
    }

    @Test
    void anOversizedReplyIsRefusedBeforeReadingIt() throws Exception {
        byte[] huge = ByteBuffer.allocate(4).putInt(SshAgent.MAX_MESSAGE + 1).array();
        try (FakeAgent fake = new FakeAgent(req -> huge);
                SshAgent agent = SshAgent.connect(fake.socket)) {
            assertThatThrownBy(agent::identities).isInstanceOf(IOException.class).hasMessageContaining("bad length");
        }
    }

    @Property(tries = 100)
    void malformedIdentityRepliesAreIoErrorsOnly(@ForAll @Size(max = 40) byte[] body) throws Exception {
        byte[] reply = new byte[body.length + 1];
        reply[0] = SshAgent.IDENTITIES_ANSWER;
        System.arraycopy(body, 0, reply, 1, body.length);
        try (FakeAgent fake = new FakeAgent(req -> framed(reply));
                SshAgent agent = SshAgent.connect(fake.socket)) {
            try {
                assertThat(agent.identities()).isNotNull();
            } catch (IOException expected) {
                assertThat(expected.getMessage()).isNotEmpty();
            }
        }
    }
}
