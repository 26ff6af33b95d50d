package dev.sluice.benchmarks.cipher;

import dev.sluice.transport.cipher.CipherAlgorithm;
import dev.sluice.transport.cipher.Ciphers;
import dev.sluice.transport.cipher.PacketOpener;
import dev.sluice.transport.cipher.PacketSealer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
 * Throughput of the packet ciphers on one thread: one 32 KiB-payload packet (OpenSSH's usual channel packet size)
 * sealed, or sealed and then opened, in place in a pooled direct or heap buffer, the way the packet codec uses them.
 *
 * <p>Scores are packets per second; times {@link #payloadSize} gives payload bytes per second (for
 * {@code sealOpen}, each byte is both encrypted and decrypted). {@code open} includes copying the ciphertext into the
 * buffer before each packet. Run e.g.
 * {@code java -cp ... org.openjdk.jmh.Main CipherBenchmark -f 1 -wi 2 -i 3 -r 1}; JMH prints the JDK it ran on.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CipherBenchmark {
    @Param({"chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"})
    public String cipher;

    @Param({"direct", "heap"})
    public String buffer;

    @Param("32768")
    public int payloadSize;

    private PacketSealer sealer;
    private PacketOpener opener;
    private ByteBuf packet;
    private int plainLength;
    private int seq;
    /** Two packets sealed with sequence numbers 0 and 1, for {@link #open}. */
    private final byte[][] sealed = new byte[2][];

    @Setup
    public void setUp() {
        CipherAlgorithm alg = Ciphers.byName(cipher).orElseThrow(() -> new IllegalArgumentException(cipher));
        SplittableRandom random = new SplittableRandom(1);
        byte[] key = bytes(random, alg.keyLength());
        byte[] iv = bytes(random, alg.ivLength());
        sealer = alg.sealer(key, iv);
        opener = alg.opener(key, iv);

        // packet_length, padding_length, payload, padding: the part after the length aligned to the block size.
        int block = sealer.blockSize();
        int padding = block - (1 + payloadSize) % block;
        if (padding < 4) {
            padding += block;
        }
        plainLength = 4 + 1 + payloadSize + padding;
        int capacity = plainLength + sealer.tagLength();
        packet = "direct".equals(buffer)
                ? PooledByteBufAllocator.DEFAULT.directBuffer(capacity, capacity)
                : PooledByteBufAllocator.DEFAULT.heapBuffer(capacity, capacity);
        packet.writeInt(plainLength - 4);
        packet.writeByte(padding);
        packet.writeBytes(bytes(random, payloadSize + padding));

        // Two sealed packets, so that opening never repeats the previous sequence number.
        PacketSealer templateSealer = alg.sealer(key, iv);
        for (int s = 0; s < 2; s++) {
            ByteBuf copy = packet.copy();
            templateSealer.seal(s, copy);
            sealed[s] = new byte[copy.readableBytes()];
            copy.readBytes(sealed[s]);
            copy.release();
        }
        templateSealer.destroy();
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    /** Seals a packet and opens it again, leaving the plaintext in place for the next invocation. */
    @Benchmark
    public int sealOpen() {
        packet.writerIndex(plainLength);
        int s = seq++;
        sealer.seal(s, packet);
        int length = opener.packetLength(s, packet);
        opener.open(s, packet);
        return length;
    }

    /** Seals only (each invocation encrypts the previous ciphertext, which costs the same). */
    @Benchmark
    public ByteBuf seal() {
        packet.writerIndex(plainLength);
        sealer.seal(seq++, packet);
        return packet;
    }

    /**
     * Opens a sealed packet: restores its ciphertext (a 32 KiB copy into the buffer, as a socket read would make)
     * then decrypts the length and verifies and decrypts the packet, as the decoder does.
     */
    @Benchmark
    public int open() {
        int s = seq++ & 1;
        packet.setBytes(0, sealed[s]);
        packet.writerIndex(sealed[s].length);
        int length = opener.packetLength(s, packet);
        opener.open(s, packet);
        return length;
    }

    @TearDown
    public void tearDown() {
        packet.release();
        sealer.destroy();
        opener.destroy();
    }
}
