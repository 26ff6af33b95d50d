package dev.sluice.transport.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.transport.wire.SshWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revoked keys files against the real {@code ssh-keygen}: KRLs it makes with {@code -k} (explicit keys, SHA-1 and
 * SHA-256 hashes, serial lists, ranges and bitmaps, key IDs) must revoke exactly what {@code ssh-keygen -Q} says
 * they revoke, and a plain list of public keys revokes keys, their certificates and a CA's certificates.
 */
class RevokedKeysTest {
    @TempDir
    Path dir;
    private Path ca;
    /** Every key and certificate file checked, by name. */
    private final Map<String, Path> subjects = new LinkedHashMap<>();

    private Path key(String name) throws Exception {
        Path file = dir.resolve(name);
        SshKeygen.runOk("-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file.toString());
        return file;
    }

    /** A certificate of {@code key} by {@link #ca} with this serial and key ID, as its own file. */
    private Path cert(Path key, long serial, String id) throws Exception {
        SshKeygen.runOk("-q", "-s", ca.toString(), "-I", id, "-z", Long.toUnsignedString(serial), "-n", "alice",
                key + ".pub");
        Path cert = dir.resolve("cert-" + Long.toUnsignedString(serial) + "-" + id + ".pub");
        Files.move(Path.of(key + "-cert.pub"), cert);
        return cert;
    }

    @BeforeEach
    void makeKeys() throws Exception {
        ca = key("ca");
        for (String k : List.of("by_key", "by_sha1", "by_sha256", "kept")) {
            subjects.put(k, Path.of(key(k) + ".pub"));
        }
        Path kept = dir.resolve("kept");
        for (long serial : new long[] {5, 6, 95, 1050, 1051, 300_000, 900_001, 0}) {
            subjects.put("serial " + serial, cert(kept, serial, "id-" + serial));
        }
        subjects.put("bad id", cert(kept, 7, "bad-id"));
        subjects.put("cert of revoked key", cert(dir.resolve("by_key"), 8, "good"));
    }

    private static SshPublicKey parse(Path file) throws Exception {
        return PublicKeys.parseLine(Files.readString(file).strip());
    }

    @Test
    void aKrlFromSshKeygenShouldRevokeWhatSshKeygenQuerySaysItRevokes() throws Exception {
        List<String> spec = new ArrayList<>(List.of(
                "key: " + Files.readString(subjects.get("by_key")).strip(),
                "sha1: " + Files.readString(subjects.get("by_sha1")).strip(),
                "sha256: " + Files.readString(subjects.get("by_sha256")).strip(),
                "serial: 5", "serial: 90-110", "serial: 200000-899999", "id: bad-id"));
        for (int s = 1000; s <= 1100; s += 2) {
            spec.add("serial: " + s); // dense enough for ssh-keygen to write a bitmap
        }
        Path specFile = Files.write(dir.resolve("spec"), spec);
        Path krl = dir.resolve("krl");
        SshKeygen.runOk("-k", "-f", krl.toString(), "-s", ca + ".pub", specFile.toString());

        RevokedKeys revoked = RevokedKeys.read(krl);

        assertThat(revoked.isKrl()).isTrue();
        List<String> expectRevoked = List.of("by_key", "by_sha1", "by_sha256", "serial 5", "serial 95",
                "serial 1050", "serial 300000", "bad id", "cert of revoked key");
        for (Map.Entry<String, Path> s : subjects.entrySet()) {
            boolean sshKeygen = SshKeygen.run("-Q", "-f", krl.toString(), s.getValue().toString()).out()
                    .contains("REVOKED");
            assertThat(revoked.isRevoked(parse(s.getValue()))).as(s.getKey()).isEqualTo(sshKeygen)
                    .isEqualTo(expectRevoked.contains(s.getKey()));
        }
    }

    @Test
    void aPlainListShouldRevokeItsKeysTheirCertificatesAndACasCertificates() throws Exception {
        Path list = Files.writeString(dir.resolve("revoked_keys"), "# revoked\n"
                + Files.readString(subjects.get("by_key")) + "\n");
        RevokedKeys revoked = RevokedKeys.read(list);

        assertThat(revoked.isKrl()).isFalse();
        assertThat(revoked.isRevoked(parse(subjects.get("by_key")))).isTrue();
        assertThat(revoked.isRevoked(parse(subjects.get("cert of revoked key")))).isTrue();
        assertThat(revoked.isRevoked(parse(subjects.get("kept")))).isFalse();
        assertThat(revoked.isRevoked(parse(subjects.get("serial 5")))).isFalse();

        RevokedKeys caRevoked = RevokedKeys.read(Files.writeString(dir.resolve("revoked_ca"),
                Files.readString(Path.of(ca + ".pub"))));
        assertThat(caRevoked.isRevoked(parse(subjects.get("serial 5")))).as("signed by a listed CA").isTrue();
        assertThat(caRevoked.isRevoked(parse(subjects.get("kept")))).isFalse();
    }

    /** A KRL with the header {@code ssh-keygen} writes and the given sections after it. */
    private Path krl(byte[]... sections) throws Exception {
        SshWriter w = SshWriter.heap();
        w.writeRaw("SSHKRL\n\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).writeUint32(1)
                .writeUint64(1).writeUint64(0).writeUint64(0).writeBytes(new byte[0]).writeUtf8("");
        for (byte[] s : sections) {
            w.writeRaw(s);
        }
        return Files.write(dir.resolve("made.krl"), w.toByteArray());
    }

    private static byte[] section(int type, byte[] data) {
        return SshWriter.heap().writeByte(type).writeBytes(data).toByteArray();
    }

    @Test
    void keyIdsForAnyCaNonCriticalExtensionsAndRefusedKrls() throws Exception {
        byte[] anyCaIds = SshWriter.heap().writeBytes(new byte[0]).writeBytes(new byte[0])
                .writeRaw(section(0x23, SshWriter.heap().writeUtf8("bad-id").toByteArray())).toByteArray();
        byte[] optional = SshWriter.heap().writeUtf8("note@example.org").writeBoolean(false).writeUtf8("x")
                .toByteArray();
        RevokedKeys r = RevokedKeys.read(krl(section(1, anyCaIds), section(255, optional)));
        assertThat(r.isRevoked(parse(subjects.get("bad id")))).isTrue();
        assertThat(r.isRevoked(parse(subjects.get("serial 5")))).isFalse();

        byte[] critical = SshWriter.heap().writeUtf8("must@example.org").writeBoolean(true).writeUtf8("x")
                .toByteArray();
        assertThatThrownBy(() -> RevokedKeys.read(krl(section(255, critical))))
                .isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> RevokedKeys.read(krl(section(4, new byte[0]))))
                .as("a signature section, which OpenSSH 9.4 refuses too").isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> RevokedKeys.read(krl(new byte[] {2, 0, 0, 0, 9, 0})))
                .as("a section longer than the file").isInstanceOf(KeyFormatException.class);
    }
}
