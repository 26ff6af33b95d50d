package dev.sluice.transport.kex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.DisconnectReason;
import dev.sluice.transport.SshException;
import dev.sluice.transport.wire.SshReader;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key agreements and group choices under the key exchange methods, checked against their RFCs. */
class KexMethodsTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** RFC 7748 section 6.1: Alice's and Bob's X25519 keys and their shared secret. */
    private static final byte[] ALICE = Hex.decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] BOB_PUBLIC =
            Hex.decode("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] ALICE_PUBLIC =
            Hex.decode("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] SHARED = Hex.decode("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    /**
     * Each fixed group against the formula its RFC gives (RFC 2409 section 6.2, RFC 3526 sections 3 to 7):
     * {@code p = 2^N - 2^(N-64) - 1 + 2^64 * (floor(2^(N-130) * pi) + c)}.
     */
    @ParameterizedTest
    @CsvSource({"1024,129093", "2048,124476", "3072,1690314", "4096,240904", "6144,929484", "8192,4743158"})
    void groupPrimesShouldMatchTheirRfcFormula(int bits, long c) {
        BigInteger p = List.of(DhGroups.GROUP1, DhGroups.GROUP14, DhGroups.GROUP15, DhGroups.GROUP16,
                DhGroups.GROUP17, DhGroups.GROUP18).stream().filter(g -> g.bitLength() == bits).findFirst()
                .orElseThrow();
        BigInteger expected = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE.shiftLeft(bits - 64))
                .subtract(BigInteger.ONE)
                .add(piTimesPowerOfTwo(bits - 130).add(BigInteger.valueOf(c)).shiftLeft(64));
        assertThat(p).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"2048,3072,8192,3072", "2048,8192,8192,8192", "2048,7680,8192,8192", "2048,2048,2048,2048",
        "3000,3000,3000,", "2048,7000,6500,6144", "4096,4096,8192,4096"})
    void groupExchangeShouldOfferTheSmallestGroupOfAtLeastNBitsWithinTheBounds(int min, int n, int max,
            Integer expectedBits) {
        BigInteger p = DhGroupExchange.choose(min, n, max);
        if (expectedBits == null) {
            assertThat(p).isNull();
        } else {
            assertThat(p.bitLength()).isEqualTo(expectedBits);
        }
    }

    @Test
    void curve25519SecretShouldBeRfc7748sOutputAsAnMpint() {
        X25519Agreement alice = new X25519Agreement(fixed(ALICE), null);
        assertThat(alice.clientValue()).isEqualTo(ALICE_PUBLIC);
        byte[] k = alice.clientSecret(BOB_PUBLIC);
        // RFC 8731 section 3.1: the 32 bytes read as an unsigned big-endian number; 0x4a has no high bit, no pad.
        assertThat(k).isEqualTo(concat(Hex.decode("00000020"), SHARED));
    }

    @Test
    void curve25519ShouldRefuseALowOrderPeerPoint() {
        X25519Agreement a = new X25519Agreement(RANDOM, null);
        a.clientValue();
        assertThatThrownBy(() -> a.clientSecret(new byte[32])).isInstanceOf(SshException.class)
                .hasMessageContaining("shared secret is zero")
                .matches(e -> ((SshException) e).reason() == DisconnectReason.KEY_EXCHANGE_FAILED);
    }

    @ParameterizedTest
    @CsvSource({"secp256r1,65", "secp384r1,97", "secp521r1,133"})
    void ecdhShouldAgreeOnAnMpintXCoordinateAndRefuseAPointOffTheCurve(String curve, int pointLength) {
        EcdhAgreement client = new EcdhAgreement(curve, RANDOM);
        byte[] q = client.clientValue();
        assertThat(q).hasSize(pointLength);
        assertThat(q[0]).isEqualTo((byte) 4);
        Agreement.Response response = new EcdhAgreement(curve, RANDOM).serverRespond(q);
        byte[] k = client.clientSecret(response.serverValue());
        assertThat(k).isEqualTo(response.sharedSecret());
        assertMinimalPositiveMpint(k);

        byte[] off = q.clone();
        off[pointLength - 1] ^= 1;
        assertThatThrownBy(() -> new EcdhAgreement(curve, RANDOM).serverRespond(off))
                .isInstanceOf(SshException.class).hasMessageContaining("not on the curve");
    }

    @Property(tries = 20)
    void dhShouldAgreeOnAMinimalMpint(@ForAll @IntRange(min = 0, max = 1) int which) {
        BigInteger p = which == 0 ? DhGroups.GROUP14 : DhGroups.GROUP1;
        DhAgreement client = new DhAgreement(p, DhGroups.GENERATOR, RANDOM);
        byte[] e = client.clientValue();
        Agreement.Response response = new DhAgreement(p, DhGroups.GENERATOR, RANDOM).serverRespond(e);
        byte[] k = client.clientSecret(response.serverValue());
        assertThat(k).isEqualTo(response.sharedSecret());
        assertMinimalPositiveMpint(k);
        assertThat(new BigInteger(Arrays.copyOfRange(k, 4, k.length))).isLessThan(p);
    }

    @Test
    void dhShouldRefuseTrivialAndBadlyEncodedPublicValues() {
        BigInteger p = DhGroups.GROUP14;
        for (BigInteger bad : List.of(BigInteger.ONE, p.subtract(BigInteger.ONE), p)) {
            assertThatThrownBy(() -> new DhAgreement(p, DhGroups.GENERATOR, RANDOM).serverRespond(bad.toByteArray()))
                    .isInstanceOf(SshException.class).hasMessageContaining("invalid public DH value");
        }
        byte[] padded = concat(new byte[] {0}, BigInteger.valueOf(5).toByteArray());
        assertThatThrownBy(() -> new DhAgreement(p, DhGroups.GENERATOR, RANDOM).serverRespond(padded))
                .isInstanceOf(SshException.class).hasMessageContaining("bad mpint encoding");
        assertThatThrownBy(() -> new DhAgreement(p, DhGroups.GENERATOR, RANDOM).serverRespond(new byte[] {-1}))
                .isInstanceOf(SshException.class).hasMessageContaining("bad mpint encoding");
    }

    /** draft-ietf-sshm-mlkem-hybrid-kex section 2.4 and OpenSSH's sntrup761x25519: K = string HASH(K_PQ || K_CL). */
    @ParameterizedTest
    @CsvSource({"MLKEM768,SHA-256,1216,1120", "SNTRUP761,SHA-512,1190,1071"})
    void hybridSecretShouldBeAStringOfTheHashAndValuesShouldHaveTheirFixedLengths(HybridKemAgreement.Kem kem,
            String hash, int clientLength, int serverLength) throws Exception {
        HybridKemAgreement client = new HybridKemAgreement(kem, hash, RANDOM);
        byte[] cInit = client.clientValue();
        assertThat(cInit).hasSize(clientLength);
        Agreement.Response response = new HybridKemAgreement(kem, hash, RANDOM).serverRespond(cInit);
        assertThat(response.serverValue()).hasSize(serverLength);
        byte[] k = client.clientSecret(response.serverValue());
        assertThat(k).isEqualTo(response.sharedSecret());
        int digestLength = MessageDigest.getInstance(hash).getDigestLength();
        SshReader r = SshReader.of(k);
        assertThat(r.readBytes()).hasSize(digestLength);
        assertThat(r.remaining()).isZero();

        assertThatThrownBy(() -> new HybridKemAgreement(kem, hash, RANDOM)
                .serverRespond(Arrays.copyOf(cInit, clientLength - 1)))
                .isInstanceOf(SshException.class)
                .matches(e -> ((SshException) e).reason() == DisconnectReason.KEY_EXCHANGE_FAILED);
    }

    @Test
    void registryShouldKnowEveryDefaultAndTheLegacyMethodsButNotOfferTheLegacyOnes() {
        assertThat(KexMethods.defaultNames()).containsExactly("mlkem768x25519-sha256", "sntrup761x25519-sha512",
                "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org",
                "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
                "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
                "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256");
        assertThat(KexMethods.supportedNames()).containsAll(KexMethods.defaultNames())
                .contains("diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1",
                        "diffie-hellman-group-exchange-sha1");
        for (String name : KexMethods.supportedNames()) {
            assertThat(KexMethods.byName(name).orElseThrow().name()).isEqualTo(name);
        }
        assertThat(KexMethods.byName("ecdh-sha2-nistp384").orElseThrow().hash()).isEqualTo("SHA-384");
    }

    private static void assertMinimalPositiveMpint(byte[] k) {
        SshReader r = SshReader.of(k);
        byte[] magnitude = r.readBytes();
        assertThat(r.remaining()).isZero();
        assertThat(magnitude[0]).as("sign bit clear").isGreaterThanOrEqualTo((byte) 0);
        if (magnitude[0] == 0) {
            assertThat(magnitude[1] & 0x80).as("a zero byte only before a high bit").isNotZero();
        }
    }

    /** floor(pi * 2^shift), from Machin's formula with 64 guard bits. */
    private static BigInteger piTimesPowerOfTwo(int shift) {
        int precision = shift + 64;
        BigInteger one = BigInteger.ONE.shiftLeft(precision);
        BigInteger pi = arctanInverse(5, one).multiply(BigInteger.valueOf(16))
                .subtract(arctanInverse(239, one).multiply(BigInteger.valueOf(4)));
        return pi.shiftRight(64);
    }

    private static BigInteger arctanInverse(int x, BigInteger one) {
        BigInteger x2 = BigInteger.valueOf((long) x * x);
        BigInteger term = one.divide(BigInteger.valueOf(x));
        BigInteger sum = term;
        for (int n = 3, sign = -1; term.signum() != 0; n += 2, sign = -sign) {
            term = term.divide(x2);
            BigInteger t = term.divide(BigInteger.valueOf(n));
            sum = sign < 0 ? sum.subtract(t) : sum.add(t);
        }
        return sum;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A "random" source that returns {@code bytes}, to replay a published private key. */
    private static SecureRandom fixed(byte[] bytes) {
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] out) {
                System.arraycopy(bytes, 0, out, 0, out.length);
            }
        };
    }
}
