package dev.sluice.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Asks the person at the terminal, as ssh does; without a terminal the answer is "no" (like BatchMode), unless
 * ssh's askpass rules say to run the {@code SSH_ASKPASS} program: always with {@code SSH_ASKPASS_REQUIRE=force},
 * and without a terminal when {@code DISPLAY} is set or {@code SSH_ASKPASS_REQUIRE=prefer} (readpass.c).
 */
final class Prompts {
    private Prompts() {
    }

    /** A passphrase read without echo, or null when nobody can be asked. */
    static char[] passphrase(String prompt) {
        return ask(prompt, false);
    }

    /** A line of text, or null when there is no terminal. */
    static String line(String prompt) {
        Console console = terminal();
        return console == null ? null : console.readLine("%s", prompt);
    }

    /** An answer, echoed or not, from the terminal or the askpass program; null when nobody can be asked. */
    static char[] ask(String prompt, boolean echo) {
        Map<String, String> env = System.getenv();
        String askpass = env.get("SSH_ASKPASS");
        String require = env.getOrDefault("SSH_ASKPASS_REQUIRE", "");
        Console console = terminal();
        boolean allowAskpass = askpass != null && !require.equals("never")
                && (env.containsKey("DISPLAY") || env.containsKey("WAYLAND_DISPLAY") || !require.isEmpty());
        if (askpass != null && (require.equals("force") || (require.equals("prefer") && allowAskpass))) {
            return askpass(askpass, prompt);
        }
        if (console != null) {
            if (!echo) {
                return console.readPassword("%s", prompt);
            }
            String line = console.readLine("%s", prompt);
            return line == null ? null : line.toCharArray();
        }
        return allowAskpass ? askpass(askpass, prompt) : null;
    }

    /**
     * The console if it is a terminal. From JDK 22 System.console() exists even with redirected streams and says so
     * through isTerminal(), which Java 17 lacks, hence the reflection.
     */
    private static Console terminal() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(terminal) ? console : null;
        } catch (ReflectiveOperationException e) {
            return console;
        }
    }

    /** Runs the askpass program with the prompt as its argument; its output less the line end is the answer. */
    private static char[] askpass(String program, String prompt) {
        byte[] out = null;
        try {
            Process p = new ProcessBuilder(program, prompt).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            p.getOutputStream().close();
            out = readAll(p.getInputStream());
            if (p.waitFor() != 0) {
                return null;
            }
            int n = out.length;
            while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) {
                n--;
            }
            CharBuffer c = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(out, 0, n));
            char[] answer = new char[c.remaining()];
            c.get(answer);
            Arrays.fill(c.array(), '\0');
            return answer;
        } catch (IOException e) {
            System.err.println("ssh_askpass: exec(" + program + "): " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (out != null) {
                Arrays.fill(out, (byte) 0);
            }
        }
    }

    /** Reads the answer into one array that the caller zeroes; like ssh, answers past 1 KiB are cut. */
    private static byte[] readAll(InputStream in) throws IOException {
        byte[] buf = new byte[1024];
        int len = 0;
        int n;
        while (len < buf.length && (n = in.read(buf, len, buf.length - len)) > 0) {
            len += n;
        }
        in.transferTo(OutputStream.nullOutputStream());
        byte[] out = Arrays.copyOf(buf, len);
        Arrays.fill(buf, (byte) 0);
        return out;
    }
}
