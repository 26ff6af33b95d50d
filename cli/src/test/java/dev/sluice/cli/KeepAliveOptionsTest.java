package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connection.ConnectionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ServerAliveInterval/ServerAliveCountMax for {@code sluice ssh}, ClientAliveInterval/CountMax for the server. */
class KeepAliveOptionsTest {
    @Test
    void serverAliveOptionsTakeSshsTimeFormatAndDefaultToOffWithThree() throws Exception {
        SshCommand.SshOptions o = new SshCommand.SshOptions();
        assertThat(o.serverAliveIntervalSeconds).isZero();
        assertThat(o.serverAliveCountMax).isEqualTo(3);
        for (Getopt.Option opt : new Getopt("o:", List.of(), new String[] {"-o", "ServerAliveInterval=2m",
            "-o", "ServerAliveCountMax 5", "host"}).options()) {
            o.apply(opt);
        }
        assertThat(o.serverAliveIntervalSeconds).isEqualTo(120);
        assertThat(o.serverAliveCountMax).isEqualTo(5);
    }

    @Test
    void clientAliveKeywordsReachTheConnectionConfig(@TempDir Path dir) throws Exception {
        ServerCommand.SshdConfig c = new ServerCommand.SshdConfig();
        assertThat(c.connectionConfig()).isEqualTo(ConnectionConfig.DEFAULT);
        c.readFile(Files.writeString(dir.resolve("sshd_config"), "ClientAliveInterval 15\nClientAliveCountMax 0\n"));
        assertThat(c.connectionConfig()).isEqualTo(ConnectionConfig.DEFAULT.withKeepAlive(Duration.ofSeconds(15), 0));
        c.setOption("ClientAliveInterval=1m");
        assertThat(c.connectionConfig().keepAliveInterval()).isEqualTo(Duration.ofMinutes(1));
    }
}
