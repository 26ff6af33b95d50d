package dev.sluice.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sets the level of slf4j-simple before the first logger exists, from OpenSSH's LogLevel words: the commands log to
 * standard error as ssh and sshd do, quietly by default for {@code ssh} and at INFO for {@code server}.
 */
final class Logging {
    private Logging() {
    }

    static void configure(String opensshLevel) {
        String level = switch (opensshLevel.toUpperCase(java.util.Locale.ROOT)) {
            case "QUIET", "FATAL", "ERROR" -> "error";
            case "INFO", "VERBOSE" -> "info";
            case "DEBUG", "DEBUG1" -> "debug";
            case "DEBUG2", "DEBUG3" -> "trace";
            default -> "warn";
        };
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
        // Netty's own chatter stays at warnings unless tracing.
        if (!level.equals("trace")) {
            System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
        }
    }

    /**
     * The server's logging, as sshd's: LogLevel (QUIET logs nothing), lines carrying only the level and sshd's words
     * (no class names), and with {@code -E} appended to {@code logFile} instead of standard error.
     */
    static void configureServer(String opensshLevel, Path logFile) throws IOException {
        configure(opensshLevel);
        if (opensshLevel.equalsIgnoreCase("QUIET")) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
        }
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        if (logFile != null) {
            // slf4j-simple's own logFile truncates; sshd -E appends. Every line is flushed as it is written.
            System.setErr(new PrintStream(new FileOutputStream(logFile.toFile(), true), true, StandardCharsets.UTF_8));
        }
    }
}
