package dev.sluice.benchmarks.cipher;

import java.util.Arrays;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The SSH packet constructions Sluice ships, rebuilt on Bouncy Castle's lightweight API, as the other side of the
 * provider comparison in {@link PacketProtectionBenchmark}: AES-CTR with HMAC-SHA2 (RFC 4253 and encrypt-then-MAC),
 * AES-GCM (RFC 5647) and OpenSSH's ChaCha20-Poly1305. Each seals a packet in place in an array and opens it again;
 * only for measuring, so the keys are not wiped.
 */
final class BouncyCastlePackets {
    private BouncyCastlePackets() {
    }

    /** Seals {@code a[0, len)} (length, padding length, payload, padding) with sequence number {@code seq}. */
    interface Packets {
        /** Appends the tag at {@code a[len]}; returns the sealed length. */
        int seal(int seq, byte[] a, int len);

        /** Verifies and decrypts a sealed packet of {@code total} bytes in place. */
        void open(int seq, byte[] a, int total);
    }

    /** The construction for {@code suite} (a cipher name, then a MAC name for AES-CTR). */
    static Packets forSuite(String suite, byte[] key, byte[] iv, byte[] macKey) {
        String[] names = suite.split(" ");
        if (names[0].endsWith("-ctr")) {
            boolean sha512 = names[1].startsWith("hmac-sha2-512");
            return new CtrHmac(key, iv, macKey, sha512, names[1].endsWith("-etm@openssh.com"));
        }
        if (names[0].contains("gcm")) {
            return new Gcm(key, iv);
        }
        return new ChaChaPoly(key);
    }

    private static void seqBytes(int seq, byte[] out) {
        out[0] = (byte) (seq >>> 24);
        out[1] = (byte) (seq >>> 16);
        out[2] = (byte) (seq >>> 8);
        out[3] = (byte) seq;
    }

    /** AES-CTR (SIC) with HMAC; the two directions' streams run in step, as in a seal-then-open loop. */
    private static final class CtrHmac implements Packets {
        private final SICBlockCipher enc = new SICBlockCipher(AESEngine.newInstance());
        private final SICBlockCipher dec = new SICBlockCipher(AESEngine.newInstance());
        private final HMac mac;
        private final boolean etm;
        private final byte[] seq = new byte[4];
        private final byte[] expected;

        CtrHmac(byte[] key, byte[] iv, byte[] macKey, boolean sha512, boolean etm) {
            enc.init(true, new ParametersWithIV(new KeyParameter(key), iv));
            dec.init(false, new ParametersWithIV(new KeyParameter(key), iv));
            Digest digest = sha512 ? new SHA512Digest() : new SHA256Digest();
            mac = new HMac(digest);
            mac.init(new KeyParameter(macKey));
            this.etm = etm;
            expected = new byte[mac.getMacSize()];
        }

        @Override
        public int seal(int s, byte[] a, int len) {
            seqBytes(s, seq);
            mac.update(seq, 0, 4);
            if (etm) {
                enc.processBytes(a, 4, len - 4, a, 4);
                mac.update(a, 0, len);
            } else {
                mac.update(a, 0, len);
                enc.processBytes(a, 0, len, a, 0);
            }
            return len + mac.doFinal(a, len);
        }

        @Override
        public void open(int s, byte[] a, int total) {
            int len = total - expected.length;
            seqBytes(s, seq);
            mac.update(seq, 0, 4);
            if (etm) {
                mac.update(a, 0, len);
                mac.doFinal(expected, 0);
                check(a, len);
                dec.processBytes(a, 4, len - 4, a, 4);
            } else {
                dec.processBytes(a, 0, len, a, 0);
                mac.update(a, 0, len);
                mac.doFinal(expected, 0);
                check(a, len);
            }
        }

        private void check(byte[] a, int at) {
            if (!Arrays.equals(expected, 0, expected.length, a, at, at + expected.length)) {
                throw new IllegalStateException("MAC mismatch");
            }
        }
    }

    /** AES-GCM with the 4-byte length as AAD and RFC 5647's invocation counter. */
    private static final class Gcm implements Packets {
        private final GCMBlockCipher gcm = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
        private final KeyParameter key;
        private final byte[] sealNonce;
        private final byte[] openNonce;

        Gcm(byte[] key, byte[] iv) {
            this.key = new KeyParameter(key);
            sealNonce = Arrays.copyOf(iv, 12);
            openNonce = Arrays.copyOf(iv, 12);
        }

        @Override
        public int seal(int s, byte[] a, int len) {
            return 4 + crypt(true, sealNonce, a, len - 4);
        }

        @Override
        public void open(int s, byte[] a, int total) {
            crypt(false, openNonce, a, total - 4);
        }

        private int crypt(boolean encrypt, byte[] nonce, byte[] a, int len) {
            gcm.init(encrypt, new AEADParameters(key, 128, nonce.clone(), null));
            gcm.processAADBytes(a, 0, 4);
            int n = gcm.processBytes(a, 4, len, a, 4);
            try {
                n += gcm.doFinal(a, 4 + n);
            } catch (InvalidCipherTextException e) {
                throw new IllegalStateException(e);
            }
            for (int i = 11; i >= 4 && ++nonce[i] == 0; i--) {
                // The invocation counter carries into the next byte.
            }
            return n;
        }
    }

    /** OpenSSH's chacha20-poly1305: original ChaCha20 (64-bit nonce = sequence number), Poly1305 over length+body. */
    private static final class ChaChaPoly implements Packets {
        private final ChaChaEngine main = new ChaChaEngine();
        private final ChaChaEngine header = new ChaChaEngine();
        private final Poly1305 poly = new Poly1305();
        private final KeyParameter mainKey;
        private final KeyParameter headerKey;
        private final byte[] nonce = new byte[8];
        private final byte[] polyKey = new byte[64];
        private final byte[] tag = new byte[16];

        ChaChaPoly(byte[] key) {
            mainKey = new KeyParameter(key, 0, 32);
            headerKey = new KeyParameter(key, 32, 32);
        }

        private void start(int s) {
            seqBytes(s, nonce);
            System.arraycopy(nonce, 0, nonce, 4, 4);
            Arrays.fill(nonce, 0, 4, (byte) 0);
            main.init(true, new ParametersWithIV(mainKey, nonce));
            Arrays.fill(polyKey, (byte) 0);
            main.processBytes(polyKey, 0, 64, polyKey, 0);
            poly.init(new KeyParameter(polyKey, 0, 32));
            header.init(true, new ParametersWithIV(headerKey, nonce));
        }

        @Override
        public int seal(int s, byte[] a, int len) {
            start(s);
            header.processBytes(a, 0, 4, a, 0);
            main.processBytes(a, 4, len - 4, a, 4);
            poly.update(a, 0, len);
            poly.doFinal(a, len);
            return len + 16;
        }

        @Override
        public void open(int s, byte[] a, int total) {
            int len = total - 16;
            start(s);
            poly.update(a, 0, len);
            poly.doFinal(tag, 0);
            if (!Arrays.equals(tag, 0, 16, a, len, len + 16)) {
                throw new IllegalStateException("MAC mismatch");
            }
            header.processBytes(a, 0, 4, a, 0);
            main.processBytes(a, 4, len - 4, a, 4);
        }
    }
}
