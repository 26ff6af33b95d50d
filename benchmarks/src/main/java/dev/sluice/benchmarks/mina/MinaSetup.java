package dev.sluice.benchmarks.mina;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.helpers.AbstractFactoryManager;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * What the MINA SSHD benchmark mains share: the settings that make MINA comparable with the other peers (TCP_NODELAY,
 * one named cipher, curve25519-sha256 first) and reading OpenSSH key files.
 */
public final class MinaSetup {
    private MinaSetup() {
    }

    /** TCP_NODELAY on, as Sluice and OpenSSH set it; MINA's default leaves Nagle on and waits for delayed ACKs. */
    public static void noDelay(AbstractFactoryManager manager) {
        CoreModuleProperties.TCP_NODELAY.set(manager, true);
    }

    /** Offers only {@code cipherName} (an OpenSSH name, e.g. aes128-gcm@openssh.com). */
    public static void cipher(AbstractFactoryManager manager, String cipherName) {
        BuiltinCiphers cipher = BuiltinCiphers.fromFactoryName(cipherName);
        if (cipher == null || !cipher.isSupported()) {
            throw new IllegalArgumentException("MINA SSHD does not support cipher " + cipherName);
        }
        List<NamedFactory<Cipher>> ciphers = List.of(cipher);
        manager.setCipherFactories(ciphers);
    }

    /** curve25519-sha256 only, the method every peer of the connection-setup benchmark uses. */
    public static void curve25519(AbstractFactoryManager manager, Function<DHFactory, KeyExchangeFactory> dh2kex) {
        List<KeyExchangeFactory> kex = NamedFactory.setUpTransformedFactories(false,
                List.of(BuiltinDHFactories.curve25519), dh2kex);
        manager.setKeyExchangeFactories(kex);
    }

    /** The first key pair in an OpenSSH private key file (unencrypted). */
    public static KeyPair loadKeyPair(Path file) throws IOException {
        Iterator<KeyPair> keys = new FileKeyPairProvider(file).loadKeys(null).iterator();
        if (!keys.hasNext()) {
            throw new IOException("no key in " + file);
        }
        return keys.next();
    }

    /** Reads {@code --name value} pairs; every option is required. */
    static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name);
    }
}
