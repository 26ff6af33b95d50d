package dev.sluice.transport.cipher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CiphersTest {

    @Test
    void defaultsShouldFollowOpenSshPreferenceOrder() {
        assertThat(Ciphers.defaultNames()).containsExactly(
                "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
                "aes128-ctr", "aes192-ctr", "aes256-ctr");
        assertThatThrownBy(() -> Ciphers.defaultNames().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everyDefaultShouldResolveToAnAlgorithmOfThatName() {
        for (String name : Ciphers.defaultNames()) {
            CipherAlgorithm alg = Ciphers.byName(name).orElseThrow();
            assertThat(alg.wireName()).isEqualTo(name);
            assertThat(alg.isAead()).isEqualTo(!name.endsWith("-ctr"));
        }
    }

    @Test
    void keyAndIvLengthsShouldBeWhatKeyExchangeMustDerive() {
        assertThat(Ciphers.byName("aes128-gcm@openssh.com").orElseThrow())
                .returns(16, CipherAlgorithm::keyLength).returns(12, CipherAlgorithm::ivLength);
        assertThat(Ciphers.byName("aes256-gcm@openssh.com").orElseThrow())
                .returns(32, CipherAlgorithm::keyLength).returns(12, CipherAlgorithm::ivLength);
        assertThat(Ciphers.byName("chacha20-poly1305@openssh.com").orElseThrow())
                .returns(64, CipherAlgorithm::keyLength).returns(0, CipherAlgorithm::ivLength);
    }

    @Test
    void unknownNullAndNoneShouldNotResolve() {
        assertThat(Ciphers.byName("aes128-cbc")).isEmpty();
        assertThat(Ciphers.byName("3des-cbc")).isEmpty();
        assertThat(Ciphers.byName(null)).isEmpty();
        assertThat(Ciphers.byName("none")).isEmpty();
        assertThat(Ciphers.byName("AES128-GCM@OPENSSH.COM")).isEmpty();
    }

    @Test
    void framingParametersShouldMatchOpenSsh() {
        PacketOpener none = Ciphers.none().opener(new byte[0], new byte[0]);
        assertThat(none).returns(8, PacketCipher::blockSize).returns(0, PacketCipher::tagLength)
                .returns(0, PacketCipher::aadLength).returns(4, PacketOpener::lengthFieldSize);
        assertThat(Ciphers.none().wireName()).isEqualTo("none");
        assertThat(Ciphers.none().isAead()).isFalse();

        PacketOpener gcm = Ciphers.byName("aes256-gcm@openssh.com").orElseThrow()
                .opener(new byte[32], new byte[12]);
        assertThat(gcm).returns(16, PacketCipher::blockSize).returns(16, PacketCipher::tagLength)
                .returns(4, PacketCipher::aadLength).returns(4, PacketOpener::lengthFieldSize);
        gcm.destroy();

        PacketSealer chacha = Ciphers.byName("chacha20-poly1305@openssh.com").orElseThrow()
                .sealer(new byte[64], new byte[0]);
        assertThat(chacha).returns(8, PacketCipher::blockSize).returns(16, PacketCipher::tagLength)
                .returns(4, PacketCipher::aadLength);
        chacha.destroy();
    }
}
