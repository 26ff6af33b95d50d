package dev.sluice.transport.key;

import dev.sluice.transport.wire.SshWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Builds an armoured SSHSIG signature (OpenSSH's PROTOCOL.sshsig) from a key's ordinary signature, so that
 * {@code ssh-keygen -Y verify} can judge our signature encoding.
 */
final class SshSig {
    private static final byte[] MAGIC = "SSHSIG".getBytes(StandardCharsets.US_ASCII);

    private SshSig() {
    }

    static String armour(SshKeyPair key, String namespace, byte[] message) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-512").digest(message);
        byte[] signedData = SshWriter.heap().writeRaw(MAGIC).writeAscii(namespace).writeAscii("")
                .writeAscii("sha512").writeBytes(digest).toByteArray();
        byte[] blob = SshWriter.heap().writeRaw(MAGIC).writeUint32(1).writeBytes(key.publicKey().blob())
                .writeAscii(namespace).writeAscii("").writeAscii("sha512").writeBytes(key.sign(signedData))
                .toByteArray();
        String b64 = Base64.getEncoder().encodeToString(blob);
        StringBuilder sb = new StringBuilder("-----BEGIN SSH SIGNATURE-----\n");
        for (int i = 0; i < b64.length(); i += 76) {
            sb.append(b64, i, Math.min(b64.length(), i + 76)).append('\n');
        }
        return sb.append("-----END SSH SIGNATURE-----\n").toString();
    }
}
