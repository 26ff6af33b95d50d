package dev.sluice.benchmarks.cipher;

import dev.sluice.transport.cipher.PacketOpener;
import dev.sluice.transport.cipher.PacketProtection;
import dev.sluice.transport.cipher.PacketSealer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Which provider to build each cipher (and MAC) on: one 32 KiB-payload packet sealed and opened again, in place in a
 * heap array, by Sluice's shipped implementation ({@code sluice}: the JDK's AES-CTR, AES-GCM, HMAC and ChaCha20, and
 * Sluice's Poly1305) or by the same construction on Bouncy Castle's lightweight API ({@code bouncycastle},
 * {@link BouncyCastlePackets}). Setup checks that both produce the same sealed bytes, so they do the same work.
 *
 * <p>Scores are packets per second; times {@link #payloadSize} gives payload bytes per second, each byte both
 * encrypted and decrypted. Run e.g.
 * {@code java -cp ... org.openjdk.jmh.Main PacketProtectionBenchmark -f 1 -wi 2 -i 3 -r 1}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PacketProtectionBenchmark {
    @Param({"aes128-ctr hmac-sha2-256-etm@openssh.com", "aes256-ctr hmac-sha2-512-etm@openssh.com",
        "aes128-ctr hmac-sha2-256", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com"})
    public String suite;

    @Param({"sluice", "bouncycastle"})
    public String provider;

    @Param("32768")
    public int payloadSize;

    private PacketSealer sealer;
    private PacketOpener opener;
    private BouncyCastlePackets.Packets bc;
    private ByteBuf packet;
    private byte[] array;
    private int plainLength;
    private int seq;

    @Setup
    public void setUp() {
        String[] names = suite.split(" ");
        PacketProtection protection = PacketProtection.of(names[0], names.length > 1 ? names[1] : null);
        SplittableRandom random = new SplittableRandom(1);
        byte[] key = bytes(random, protection.keyLength());
        byte[] iv = bytes(random, protection.ivLength());
        byte[] macKey = bytes(random, protection.macKeyLength());
        sealer = protection.sealer(key, iv, macKey);
        opener = protection.opener(key, iv, macKey);
        bc = BouncyCastlePackets.forSuite(suite, key, iv, macKey);

        int block = sealer.blockSize();
        int padding = block - (5 + payloadSize - sealer.aadLength()) % block;
        if (padding < 4) {
            padding += block;
        }
        plainLength = 5 + payloadSize + padding;
        array = new byte[plainLength + sealer.tagLength()];
        array[0] = (byte) ((plainLength - 4) >>> 24);
        array[1] = (byte) ((plainLength - 4) >>> 16);
        array[2] = (byte) ((plainLength - 4) >>> 8);
        array[3] = (byte) (plainLength - 4);
        array[4] = (byte) padding;
        byte[] body = bytes(random, payloadSize + padding);
        System.arraycopy(body, 0, array, 5, body.length);
        packet = Unpooled.wrappedBuffer(array).writerIndex(plainLength);
        checkSameConstruction(protection, key, iv, macKey);
    }

    /** Both providers must seal the first packet to the same bytes, or the comparison is meaningless. */
    private void checkSameConstruction(PacketProtection protection, byte[] key, byte[] iv, byte[] macKey) {
        PacketSealer reference = protection.sealer(key, iv, macKey);
        BouncyCastlePackets.Packets other = BouncyCastlePackets.forSuite(suite, key, iv, macKey);
        ByteBuf mine = Unpooled.buffer(array.length).writeBytes(array, 0, plainLength);
        byte[] theirs = array.clone();
        reference.seal(0, mine);
        int n = other.seal(0, theirs, plainLength);
        if (n != mine.readableBytes() || !Arrays.equals(theirs, 0, n, mine.array(), 0, n)) {
            throw new IllegalStateException(suite + ": Bouncy Castle and Sluice seal differently");
        }
        other.open(0, theirs, n);
        reference.destroy();
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    /** Seals the packet and opens it again, leaving the plaintext in place for the next invocation. */
    @Benchmark
    public int sealOpen() {
        int s = seq++;
        if ("sluice".equals(provider)) {
            packet.writerIndex(plainLength);
            sealer.seal(s, packet);
            int length = opener.packetLength(s, packet);
            opener.open(s, packet);
            return length;
        }
        int total = bc.seal(s, array, plainLength);
        bc.open(s, array, total);
        return total;
    }

    @TearDown
    public void tearDown() {
        sealer.destroy();
        opener.destroy();
    }
}
