package dev.sluice.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

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
     * The server's logging, as sshd's: LogLevel (QUIET logs nothing) and lines carrying only the level and sshd's
     * words (no class names), written to {@code log} ({@link #openLogFile}) instead of standard error when not null.
     */
    static void configureServer(String opensshLevel, PrintStream log) {
        configure(opensshLevel);
        if (opensshLevel.equalsIgnoreCase("QUIET")) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
        }
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        if (log != null) {
            System.setErr(log);
        }
    }

    /**
     * sshd's {@code -E} file: appended to, created readable by its owner only, each line flushed as written.
     *
     * @throws IOException with sshd's words: "Couldn't open logfile FILE: No such file or directory"
     */
    static PrintStream openLogFile(Path file) throws IOException {
        try {
            return new PrintStream(Channels.newOutputStream(Files.newByteChannel(file, Set.of(
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))), true,
                    StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("Couldn't open logfile " + file + ": No such file or directory", e);
        } catch (AccessDeniedException e) {
            throw new IOException("Couldn't open logfile " + file + ": Permission denied", e);
        } catch (FileSystemException e) {
            throw new IOException("Couldn't open logfile " + file + ": " + e.getReason(), e);
        }
    }
}
