package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** NIST SP 800-38A appendix F.5 known answers for AES-CTR, and what the algorithm tells key exchange. */
class AesCtrTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String COUNTER = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    private static final String PLAIN = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "aes128-ctr, 2b7e151628aed2a6abf7158809cf4f3c, "
                + "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
                + "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
        "aes192-ctr, 8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b, "
                + "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e94"
                + "1e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050",
        "aes256-ctr, 603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4, "
                + "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
                + "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6",
    })
    void counterModeShouldMatchNistAndCarryTheCounterAcrossCalls(String name, String key, String cipherText) {
        AesCtr alg = (AesCtr) Ciphers.byName(name).orElseThrow();
        assertThat(alg.keyLength()).isEqualTo(key.length() / 2);
        AesCtrKeys keys = new AesCtrKeys(HEX.parseHex(key), alg.keyLength(), HEX.parseHex(COUNTER));
        byte[] data = HEX.parseHex(PLAIN);
        // Two calls, as two packets: the counter must run on from the first into the second.
        keys.crypt(data, 0, 16);
        keys.crypt(data, 16, 48);
        assertThat(HEX.formatHex(data)).isEqualTo(cipherText);

        AesCtrKeys decrypt = new AesCtrKeys(HEX.parseHex(key), alg.keyLength(), HEX.parseHex(COUNTER));
        decrypt.crypt(data, 0, data.length);
        assertThat(HEX.formatHex(data)).isEqualTo(PLAIN);
        keys.destroy();
        decrypt.destroy();
        assertThat(keys.keyForTest().bytesForTest()).containsOnly(0);
    }

    @Test
    void ctrCiphersAreNotAeadAndNeedSixteenByteIvs() {
        for (String name : new String[] {"aes128-ctr", "aes192-ctr", "aes256-ctr"}) {
            CipherAlgorithm alg = Ciphers.byName(name).orElseThrow();
            assertThat(alg.isAead()).isFalse();
            assertThat(alg.ivLength()).isEqualTo(16);
            assertThat(alg.wireName()).isEqualTo(name);
        }
    }

    @Test
    void protectionShouldPairCtrWithItsMacAndIgnoreTheMacForAead() {
        PacketProtection etm = PacketProtection.of("aes256-ctr", "hmac-sha2-512-etm@openssh.com");
        assertThat(etm.keyLength()).isEqualTo(32);
        assertThat(etm.ivLength()).isEqualTo(16);
        assertThat(etm.macKeyLength()).isEqualTo(64);
        PacketSealer sealer = etm.sealer(new byte[32], new byte[16], new byte[64]);
        assertThat(sealer).returns(16, PacketCipher::blockSize).returns(64, PacketCipher::tagLength)
                .returns(4, PacketCipher::aadLength);
        sealer.destroy();
        PacketOpener opener = PacketProtection.of("aes128-ctr", "hmac-sha1")
                .opener(new byte[16], new byte[16], new byte[20]);
        assertThat(opener).returns(20, PacketCipher::tagLength).returns(0, PacketCipher::aadLength)
                .returns(16, PacketOpener::lengthFieldSize);
        opener.destroy();

        PacketProtection gcm = PacketProtection.of("aes128-gcm@openssh.com", "hmac-sha2-256");
        assertThat(gcm.mac()).isEmpty();
        assertThat(gcm.macKeyLength()).isZero();
        assertThat(PacketProtection.of("chacha20-poly1305@openssh.com", "")).hasToString(
                "chacha20-poly1305@openssh.com");
        assertThatThrownBy(() -> PacketProtection.of("aes128-ctr", "umac-64@openssh.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Unsupported MAC: umac-64@openssh.com");
        assertThatThrownBy(() -> PacketProtection.of("aes128-cbc", "hmac-sha2-256"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Unsupported cipher: aes128-cbc");
    }
}
