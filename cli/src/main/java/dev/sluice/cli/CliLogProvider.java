package dev.sluice.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of {@code sluice ssh}: library log calls become {@link SshLog} lines, SLF4J's DEBUG as ssh's
 * debug1, TRACE as debug2 (debug3 with the marker {@code DEBUG3}), INFO as INFO (VERBOSE with the marker
 * {@code VERBOSE}), WARN as INFO and ERROR as ERROR. Netty's own debug messages are heard only at DEBUG3.
 *
 * <p>Not registered as a service: {@code sluice ssh} names it in the {@code slf4j.provider} system property before
 * the first logger exists ({@link #select()}), so the server command and the tests keep slf4j-simple.
 */
public final class CliLogProvider implements SLF4JServiceProvider {
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private final ILoggerFactory loggers = CliLogger::new;

    /** Makes SLF4J use this provider, without its start-up notice; call before any logger is created. */
    static void select() {
        System.setProperty("slf4j.provider", CliLogProvider.class.getName());
        System.setProperty("slf4j.internal.verbosity", "WARN");
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // Nothing to set up: SshLog holds the settings.
    }

    /** SSH's level for an SLF4J call. */
    static SshLog.Level level(Level level, Marker marker) {
        return switch (level) {
            case ERROR -> SshLog.Level.ERROR;
            case WARN -> SshLog.Level.INFO;
            case INFO -> marker != null && marker.getName().equals("VERBOSE") ? SshLog.Level.VERBOSE
                    : SshLog.Level.INFO;
            case DEBUG -> SshLog.Level.DEBUG1;
            case TRACE -> marker != null && marker.getName().equals("DEBUG3") ? SshLog.Level.DEBUG3
                    : SshLog.Level.DEBUG2;
        };
    }

    /** One named logger; the level check is SshLog's, at the time of each call. */
    private static final class CliLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final boolean netty;

        CliLogger(String name) {
            this.name = name;
            this.netty = name.startsWith("io.netty");
        }

        private boolean on(SshLog.Level at) {
            return SshLog.libraryEnabled(at)
                    && (!netty || at.compareTo(SshLog.Level.INFO) <= 0 || SshLog.enabled(SshLog.Level.DEBUG3));
        }

        @Override
        public boolean isTraceEnabled() {
            return on(SshLog.Level.DEBUG2);
        }

        @Override
        public boolean isDebugEnabled() {
            return on(SshLog.Level.DEBUG1);
        }

        @Override
        public boolean isInfoEnabled() {
            return on(SshLog.Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return on(SshLog.Level.INFO);
        }

        @Override
        public boolean isErrorEnabled() {
            return on(SshLog.Level.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                Throwable thrown) {
            SshLog.Level at = CliLogProvider.level(level, marker);
            if (!on(at)) {
                return;
            }
            String text = MessageFormatter.basicArrayFormat(pattern, args);
            if (thrown != null) {
                text += ": " + thrown;
            }
            SshLog.write(at, text);
        }
    }
}
