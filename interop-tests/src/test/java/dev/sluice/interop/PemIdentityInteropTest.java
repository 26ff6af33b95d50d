package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.ManagedProcess;
import dev.sluice.interop.harness.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code sluice ssh -i} with PEM key files written by {@code ssh-keygen -m PEM} and {@code -m PKCS8}, against sshd. */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PemIdentityInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"rsa,3072,PEM", "ecdsa,256,PEM", "ecdsa,384,PKCS8", "rsa,2048,PKCS8"})
    void sluiceSshShouldLogInWithAPemKey(String type, int bits, String format) throws Exception {
        Path key = dir.resolve("id_" + type + "_" + format);
        try (ManagedProcess keygen = ManagedProcess.start("ssh-keygen -m " + format, List.of("ssh-keygen", "-q",
                "-t", type, "-b", Integer.toString(bits), "-m", format, "-N", "", "-f", key.toString()))) {
            assertThat(keygen.awaitExit(TIMEOUT)).as(keygen.stderr()).isZero();
        }
        assertThat(Files.readString(key)).doesNotContain("OPENSSH PRIVATE KEY");
        try (OpenSshServer sshd = OpenSshServer.builder().authorizedKey(Files.readString(Path.of(key + ".pub")).strip())
                .start()) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
            SshRun run = SshRun.run(dir, SluiceSshCommand.to(sshd.port()).identity(key).knownHosts(knownHosts)
                    .command("echo", "pem-ok").commandLine(), null, TIMEOUT);

            assertThat(run.status()).as(run.stderr()).isZero();
            assertThat(run.output()).isEqualTo("pem-ok\n");
        }
    }
}
