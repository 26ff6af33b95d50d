package dev.sluice.cli;

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
}
