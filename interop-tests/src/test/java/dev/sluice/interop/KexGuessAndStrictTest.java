package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.kex.KexMethods;
import dev.sluice.transport.key.SshKeyPair;
import dev.sluice.transport.message.Ignore;
import dev.sluice.transport.message.KexEcdhInit;
import dev.sluice.transport.message.KexEcdhReply;
import dev.sluice.transport.message.KexInit;
import dev.sluice.transport.message.NewKeys;
import dev.sluice.transport.message.SshMessage;
import dev.sluice.transport.wire.SshReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hand-driven client on a raw socket against a Sluice server: the guessed first key exchange packet of RFC 4253
 * section 7 (used when the guess is right, ignored when it is wrong), and strict KEX (the Terrapin countermeasure,
 * CVE-2023-48795): any message other than key exchange before the first NEWKEYS ends the connection, for every
 * method.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class KexGuessAndStrictTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String STRICT_C = "kex-strict-c-v00@openssh.com";
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    @Test
    void rightGuessShouldBeAnsweredWithoutResending() throws Exception {
        try (EmbeddedSluiceServer server = server(List.of(KexMethods.CURVE25519_SHA256));
                RawSshSocket raw = open(server)) {
            raw.writePlainPacket(kexInit(List.of(KexMethods.CURVE25519_SHA256), true));
            raw.writePlainPacket(payload(new KexEcdhInit(x25519Public())));

            raw.readPlainPacket(RawSshSocket.KEXINIT);
            KexEcdhReply reply = KexEcdhReply.decode(SshReader.of(body(raw.readPlainPacket(KexEcdhReply.ID))));
            assertThat(reply.serverPublic()).hasSize(32);
        }
    }

    @Test
    void wrongGuessShouldBeIgnoredAndTheResentPacketAnswered() throws Exception {
        try (EmbeddedSluiceServer server = server(
                        List.of(KexMethods.CURVE25519_SHA256, KexMethods.CURVE25519_SHA256_LIBSSH));
                RawSshSocket raw = open(server)) {
            // Our first choice is not the server's, so the guess is wrong (RFC 4253 section 7) even though the
            // method negotiated is ours. The guessed packet is malformed: processing it would end the exchange.
            raw.writePlainPacket(kexInit(
                    List.of(KexMethods.CURVE25519_SHA256_LIBSSH, KexMethods.CURVE25519_SHA256), true));
            raw.writePlainPacket(payload(new KexEcdhInit(new byte[5])));
            raw.readPlainPacket(RawSshSocket.KEXINIT);
            raw.writePlainPacket(payload(new KexEcdhInit(x25519Public())));

            byte[] reply = raw.readPlainPacket();
            assertThat(reply[0] & 0xff).as("message after our resent INIT").isEqualTo(KexEcdhReply.ID);
        }
    }

    @Test
    void guessWithoutTheFlagShouldBeTakenAsTheRealPacket() throws Exception {
        try (EmbeddedSluiceServer server = server(
                        List.of(KexMethods.CURVE25519_SHA256, KexMethods.CURVE25519_SHA256_LIBSSH));
                RawSshSocket raw = open(server)) {
            long mark = LogCapture.mark();
            raw.writePlainPacket(kexInit(
                    List.of(KexMethods.CURVE25519_SHA256_LIBSSH, KexMethods.CURVE25519_SHA256), false));
            raw.writePlainPacket(payload(new KexEcdhInit(new byte[5])));

            Optional<RawSshSocket.Disconnect> d = raw.readDisconnect();
            assertThat(d).hasValueSatisfying(v -> assertThat(v.reasonCode())
                    .isEqualTo(DisconnectReason.KEY_EXCHANGE_FAILED.code()));
            assertThat(LogCapture.await(mark, "peer key has 5 bytes", TIMEOUT)).contains("curve25519");
        }
    }

    static List<String> methods() {
        return KexMethods.supportedNames();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void ignoreBeforeTheFirstNewKeysShouldEndAStrictKexConnection(String kex) throws Exception {
        try (EmbeddedSluiceServer server = server(List.of(kex)); RawSshSocket raw = open(server)) {
            long mark = LogCapture.mark();
            raw.writePlainPacket(kexInit(List.of(kex, STRICT_C), false));
            raw.writePlainPacket(payload(new Ignore(new byte[4])));

            Optional<RawSshSocket.Disconnect> d = raw.readDisconnect();
            assertThat(d).hasValueSatisfying(v -> {
                assertThat(v.reasonCode()).isEqualTo(DisconnectReason.PROTOCOL_ERROR.code());
                assertThat(v.description()).startsWith("strict KEX violation: unexpected packet type 2");
            });
            assertThat(LogCapture.await(mark, "strict KEX violation", TIMEOUT)).contains("PROTOCOL_ERROR");
        }
    }

    @Test
    void ignoreBetweenReplyAndNewKeysShouldEndAStrictKexConnection() throws Exception {
        try (EmbeddedSluiceServer server = server(List.of(KexMethods.CURVE25519_SHA256));
                RawSshSocket raw = open(server)) {
            long mark = LogCapture.mark();
            raw.writePlainPacket(kexInit(List.of(KexMethods.CURVE25519_SHA256, STRICT_C), false));
            raw.writePlainPacket(payload(new KexEcdhInit(x25519Public())));
            raw.readPlainPacket(KexEcdhReply.ID);
            raw.readPlainPacket(NewKeys.ID);
            // Exactly where the Terrapin attacker injects: after the exchange, before our NEWKEYS.
            raw.writePlainPacket(payload(new Ignore(new byte[4])));

            raw.readUntilClosed();
            assertThat(LogCapture.await(mark, "strict KEX violation", TIMEOUT))
                    .contains("unexpected packet type 2");
        }
    }

    @Test
    void ignoreBeforeNewKeysShouldPassWithoutStrictKex() throws Exception {
        try (EmbeddedSluiceServer server = server(List.of(KexMethods.CURVE25519_SHA256));
                RawSshSocket raw = open(server)) {
            raw.writePlainPacket(kexInit(List.of(KexMethods.CURVE25519_SHA256), false));
            raw.writePlainPacket(payload(new Ignore(new byte[4])));
            raw.writePlainPacket(payload(new KexEcdhInit(x25519Public())));

            assertThat(raw.readPlainPacket(KexEcdhReply.ID)[0]).isEqualTo((byte) KexEcdhReply.ID);
        }
    }

    private EmbeddedSluiceServer server(List<String> kex) throws Exception {
        return EmbeddedSluiceServer.start(dir, List.of(), List.of(SshKeyPair.generateEd25519("host")),
                t -> t.withKexAlgorithms(kex));
    }

    private static RawSshSocket open(EmbeddedSluiceServer server) throws Exception {
        RawSshSocket raw = RawSshSocket.connect(server.port(), TIMEOUT);
        raw.write("SSH-2.0-RawGuess_1.0\r\n");
        raw.readVersionLine();
        return raw;
    }

    private static byte[] kexInit(List<String> kex, boolean firstKexPacketFollows) {
        byte[] cookie = new byte[16];
        RANDOM.nextBytes(cookie);
        List<String> ciphers = List.of("aes128-gcm@openssh.com");
        List<String> none = List.of("none");
        return payload(new KexInit(cookie, new ArrayList<>(kex), List.of("ssh-ed25519"), ciphers, ciphers,
                List.of(), List.of(), none, none, List.of(), List.of(), firstKexPacketFollows, 0));
    }

    private static byte[] x25519Public() {
        byte[] privateKey = new byte[X25519.SCALAR_SIZE];
        X25519.generatePrivateKey(RANDOM, privateKey);
        byte[] publicKey = new byte[X25519.POINT_SIZE];
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
        return publicKey;
    }

    private static byte[] payload(SshMessage m) {
        ByteBuf b = m.toPayload(UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static byte[] body(byte[] payload) {
        return Arrays.copyOfRange(payload, 1, payload.length);
    }
}
