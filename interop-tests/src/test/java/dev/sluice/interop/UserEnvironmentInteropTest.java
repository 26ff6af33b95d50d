package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.session.SessionConfig;
import dev.sluice.interop.harness.DumpProcessLogsOnFailure;
import dev.sluice.interop.harness.OpenSshClient;
import dev.sluice.interop.harness.OpenSshKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * authorized_keys {@code environment="NAME=value"} with OpenSSH's ssh against a Sluice server: ignored under sshd's
 * default {@code PermitUserEnvironment no}, applied with {@code yes}, and filtered by a pattern list.
 */
@ExtendWith(DumpProcessLogsOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UserEnvironmentInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String SHOW = "echo \"color=${SLUICE_COLOR:-unset} shape=${SLUICE_SHAPE:-unset}\"";

    @TempDir
    Path dir;

    private String run(List<String> permitUserEnvironment) throws Exception {
        OpenSshKeys.KeyPairFiles key = OpenSshKeys.ed25519(dir, "key_" + permitUserEnvironment.size());
        String line = "environment=\"SLUICE_COLOR=blue\",environment=\"SLUICE_SHAPE=round\" " + key.publicKeyLine();
        try (EmbeddedSluiceServer server = EmbeddedSluiceServer.start(dir, List.of(line), null,
                SessionConfig.defaults().withPermitUserEnvironment(permitUserEnvironment))) {
            SshRun run = SshRun.run(dir, OpenSshClient.to(server.port()).identity(key.privateKey())
                    .logLevel("ERROR").command(SHOW).commandLine(), null, TIMEOUT);
            assertThat(run.status()).as(run.stderr()).isZero();
            return run.output();
        }
    }

    @Test
    void environmentOptionsShouldApplyOnlyAsPermitUserEnvironmentAllows() throws Exception {
        assertThat(run(List.of())).as("PermitUserEnvironment no").isEqualTo("color=unset shape=unset\n");
        assertThat(run(List.of("*"))).as("PermitUserEnvironment yes").isEqualTo("color=blue shape=round\n");
        assertThat(run(List.of("SLUICE_*", "!SLUICE_SHAPE"))).as("PermitUserEnvironment SLUICE_*,!SLUICE_SHAPE")
                .isEqualTo("color=blue shape=unset\n");
    }
}
