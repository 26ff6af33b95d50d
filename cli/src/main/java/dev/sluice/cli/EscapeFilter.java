package dev.sluice.cli;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * ssh's escape character on the way from standard input to a session with a pseudo-terminal (clientloop.c's
 * process_escapes): right after a newline, the escape character ({@code ~} by default, EscapeChar, {@code -e}) and
 * the next character are a command instead of input. {@code ~.} disconnects, {@code ~B} sends a BREAK, {@code ~R}
 * rekeys, {@code ~V}/{@code ~v} lower or raise the LogLevel, {@code ~#} lists the open channels, {@code ~?} prints
 * the help, {@code ~C} says that the command line is disabled (ssh 9.2's default), {@code ~~} sends one escape
 * character, and any other character is sent after the escape character. The messages go to standard error with
 * CR LF, as ssh writes them. {@code ~&} and {@code ~^Z} (background and suspend) need fork and job control, which a
 * JVM does not have: they are not offered, and are sent on like any other character.
 *
 * <p>Read by one thread (the session's stdin copier); the actions run on it.
 */
final class EscapeFilter extends FilterInputStream {
    /** What the escapes do to the connection. */
    interface Actions {
        /** {@code ~.}: end the connection now. */
        void disconnect();

        /** {@code ~B}: send a BREAK of 1000 ms on the session channel. */
        void sendBreak();

        /** {@code ~R}: start a key exchange. */
        void rekey();

        /** {@code ~#}: ssh's "The following connections are open:" text, CR LF line ends. */
        String openChannels();
    }

    private final int escape;
    private final PrintStream stderr;
    private final boolean logOnStderr;
    private final Actions actions;
    /** Bytes produced for the session that did not fit in the caller's array yet. */
    private final ByteArrayOutputStream carry = new ByteArrayOutputStream();
    private boolean lastWasNewline = true;
    private boolean pending;
    private boolean ended;

    /**
     * @param escape the escape character (a byte value)
     * @param stderr where the escapes' messages go
     * @param logOnStderr whether the log goes to standard error (not with {@code -E}), which {@code ~v} reports
     */
    EscapeFilter(InputStream in, int escape, PrintStream stderr, boolean logOnStderr, Actions actions) {
        super(in);
        this.escape = escape;
        this.stderr = stderr;
        this.logOnStderr = logOnStderr;
        this.actions = actions;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        byte[] raw = new byte[Math.max(1, len)];
        while (carry.size() == 0) {
            if (ended) {
                return -1;
            }
            int n = in.read(raw, 0, raw.length);
            if (n < 0) {
                return -1;
            }
            for (int i = 0; i < n && !ended; i++) {
                process(raw[i] & 0xff);
            }
        }
        byte[] out = carry.toByteArray();
        int n = Math.min(len, out.length);
        System.arraycopy(out, 0, b, off, n);
        carry.reset();
        carry.write(out, n, out.length - n);
        return n;
    }

    private void process(int ch) {
        if (pending) {
            pending = false;
            if (command(ch)) {
                return;
            }
            if (ch != escape) {
                carry.write(escape);
            }
        } else if (lastWasNewline && ch == escape) {
            pending = true;
            return;
        }
        lastWasNewline = ch == '\r' || ch == '\n';
        carry.write(ch);
    }

    /** Runs the escape command {@code ch}; false when it is none and {@code ch} is input after all. */
    private boolean command(int ch) {
        String e = String.valueOf((char) escape);
        switch (ch) {
            case '.' -> {
                // ssh queues "~." on the session's stderr buffer and quits before writing it, so what users see
                // is only "Connection to HOST closed."; so here.
                ended = true;
                actions.disconnect();
            }
            case 'B' -> {
                say(e + "B\r\n");
                actions.sendBreak();
            }
            case 'R' -> actions.rekey();
            case 'V', 'v' -> {
                if (!logOnStderr) {
                    say(e + (char) ch + " [Logging to syslog]\r\n");
                } else {
                    SshLog.Level now = SshLog.level();
                    int next = now.ordinal() + (ch == 'v' ? 1 : -1);
                    SshLog.Level[] all = SshLog.Level.values();
                    SshLog.Level level = all[Math.max(0, Math.min(all.length - 1, next))];
                    SshLog.configure(level, true, SshLog.sink());
                    say(e + (char) ch + " [LogLevel " + (level == SshLog.Level.DEBUG1 ? "DEBUG" : level.name())
                            + "]\r\n");
                }
            }
            case 'C' -> say("commandline disabled\r\n");
            case '?' -> say(help(e));
            case '#' -> say(e + "#\r\n" + actions.openChannels());
            default -> {
                return false;
            }
        }
        return true;
    }

    /** ssh 9.2's help, less what a JVM cannot do (suspend, background) and the disabled command line. */
    static String help(String e) {
        StringBuilder b = new StringBuilder(e + "?\r\nSupported escape sequences:\r\n");
        String[][] lines = {
            {".", "terminate connection (and any multiplexed sessions)"},
            {"B", "send a BREAK to the remote system"},
            {"R", "request rekey"},
            {"V/v", "decrease/increase verbosity (LogLevel)"},
            {"#", "list forwarded connections"},
            {"?", "this message"},
        };
        for (String[] line : lines) {
            b.append(String.format(" %s%-3s - %s\r\n", e, line[0], line[1]));
        }
        b.append(" ").append(e).append(e).append("   - send the escape character by typing it twice\r\n")
                .append("(Note that escapes are only recognized immediately after newline.)\r\n");
        return b.toString();
    }

    private void say(String text) {
        stderr.print(text);
        stderr.flush();
    }

    /**
     * ssh's escape character syntax for {@code -e} and EscapeChar: one character, {@code ^X} for a control character,
     * or {@code none} (-1).
     *
     * @throws IllegalArgumentException for anything else
     */
    static int parse(String value) {
        if (value.length() == 2 && value.charAt(0) == '^' && value.charAt(1) >= 64 && value.charAt(1) < 128) {
            return value.charAt(1) & 31;
        }
        if (value.length() == 1) {
            return value.charAt(0);
        }
        if (value.equals("none")) {
            return -1;
        }
        throw new IllegalArgumentException("Bad escape character '" + value + "'.");
    }
}
