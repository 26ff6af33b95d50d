package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Reads OpenSSH client configuration files (ssh_config(5)) into {@link SshCommand.SshOptions}: lines split as
 * OpenSSH's {@code argv_split} splits them (quotes, backslash escapes, {@code #} comments, {@code keyword=value}),
 * {@code Host} and {@code Match} blocks, and {@code Include}. Every line is checked, active or not, as ssh does; the
 * options object keeps the first value of each keyword. Errors are collected in ssh's words and thrown together at
 * the end of the file ("FILE: terminating, N bad configuration options").
 */
final class SshConfigFile {
    /** ssh's limit on nested Include directives. */
    private static final int MAX_INCLUDE_DEPTH = 16;

    private final SshCommand.SshOptions options;
    private final boolean finalPass;
    private final List<String> errors = new ArrayList<>();
    private boolean wantFinalPass;

    private SshConfigFile(SshCommand.SshOptions options, boolean finalPass) {
        this.options = options;
        this.finalPass = finalPass;
    }

    /**
     * Reads {@code file} into {@code options}.
     *
     * @param userConfig whether it is a user file (relative Includes start at ~/.ssh) or the system one (/etc/ssh)
     * @param finalPass whether this is the second pass that {@code Match final} asked for
     * @return whether a {@code Match final} line asks for a second pass
     * @throws IllegalArgumentException with ssh's messages, one per line, when the file has bad lines
     */
    static boolean read(Path file, SshCommand.SshOptions options, boolean userConfig, boolean finalPass)
            throws IOException {
        SshConfigFile reader = new SshConfigFile(options, finalPass);
        reader.readFile(file, userConfig, true, 0);
        if (!reader.errors.isEmpty()) {
            reader.errors.add(file + ": terminating, " + reader.errors.size() + " bad configuration options");
            throw new IllegalArgumentException(String.join("\n", reader.errors));
        }
        return reader.wantFinalPass;
    }

    private void readFile(Path file, boolean userConfig, boolean canMatch, int depth) throws IOException {
        SshLog.debug1("Reading configuration data " + file);
        boolean active = canMatch;
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            n++;
            String where = file.toString();
            try {
                active = line(line, where, n, active, canMatch, userConfig, depth);
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
    }

    /** One line; returns whether the lines after it apply (Host and Match change that, nothing else does). */
    private boolean line(String raw, String where, int n, boolean active, boolean canMatch, boolean userConfig,
            int depth) throws IOException {
        String s = raw.stripTrailing();
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < s.length() && !isSpace(s.charAt(i)) && s.charAt(i) != '=') {
            i++;
        }
        String keyword = s.substring(start, i).toLowerCase(Locale.ROOT);
        if (keyword.isEmpty() || keyword.startsWith("#")) {
            return active;
        }
        // OpenSSH's strdelim: whitespace, at most one '=', whitespace.
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '=') {
            i++;
        }
        List<String> args = restOfLine(keyword, s.substring(i), where, n);
        switch (keyword) {
            case "host" -> {
                return canMatch && hostMatches(args, where, n);
            }
            case "match" -> {
                return match(args, where, n) && canMatch;
            }
            case "include" -> {
                include(args, where, n, active, userConfig, depth);
                return active;
            }
            default -> {
                options.set(keyword, args, where, n, active);
                return active;
            }
        }
    }

    /**
     * The arguments of a line: words as ssh's argv_split makes them, except for ProxyCommand, whose value is the rest
     * of the line as written (ssh's parse_command), quotes and all, for the shell to read.
     */
    static List<String> restOfLine(String keyword, String rest, String where, int n) {
        if (keyword.equals("proxycommand") && !rest.isBlank()) {
            return List.of(rest.strip());
        }
        return split(rest, where, n);
    }

    private boolean hostMatches(List<String> patterns, String where, int n) {
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException(where + " line " + n + ": no argument after keyword \"host\"");
        }
        String first = null;
        for (String p : patterns) {
            boolean negated = p.startsWith("!");
            // ssh matches Host lines against the name as given, and on the final pass against the resolved host.
            String name = finalPass ? options.matchHost(true) : options.originalHost();
            if (Patterns.matches(name, negated ? p.substring(1) : p)) {
                if (negated) {
                    SshLog.debug1(where + " line " + n + ": Skipping Host block because of negated match for "
                            + p.substring(1));
                    return false;
                }
                first = first == null ? p : first;
            }
        }
        if (first != null) {
            SshLog.debug1(where + " line " + n + ": Applying options for " + first);
        }
        return first != null;
    }

    /** ssh's match_cfg_line for 9.2: all, canonical, final, exec, host, originalhost, user, localuser. */
    private boolean match(List<String> args, String where, int n) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(where + " line " + n + ": no argument after keyword \"match\"");
        }
        boolean result = true;
        int i = 0;
        while (i < args.size()) {
            String attribute = args.get(i++).toLowerCase(Locale.ROOT);
            boolean negate = attribute.startsWith("!");
            if (negate) {
                attribute = attribute.substring(1);
            }
            switch (attribute) {
                case "all" -> {
                    boolean alone = i == args.size() && (i == 1 || (i == 2 && isCanonicalOrFinal(args.get(0))));
                    if (!alone) {
                        throw badMatch(where, n, where + " line " + n + ": '" + args.get(i - 1)
                                + "' cannot be combined with other Match attributes");
                    }
                    return result && !negate;
                }
                case "canonical", "final" -> {
                    if (attribute.equals("final") && !negate) {
                        wantFinalPass = true;
                    }
                    result &= finalPass != negate;
                    continue;
                }
                case "exec", "host", "originalhost", "user", "localuser" -> {
                    // Criteria follow below.
                }
                default -> throw badMatch(where, n, "Unsupported Match attribute " + attribute);
            }
            if (i >= args.size() || args.get(i).isEmpty()) {
                throw badMatch(where, n, "Missing Match criteria for " + attribute);
            }
            String criteria = args.get(i++);
            if (!result) {
                continue; // as ssh: no command is run once the line has failed
            }
            boolean hit = switch (attribute) {
                // ssh's match_hostname: host names match case-insensitively here (Host lines do not).
                case "host" -> Patterns.matchesList(lower(options.matchHost(finalPass)), lower(criteria));
                case "originalhost" -> Patterns.matchesList(lower(options.originalHost()), lower(criteria));
                case "user" -> Patterns.matchesList(options.effectiveUser(), criteria);
                case "localuser" -> Patterns.matchesList(SshCommand.SshOptions.localUser(), criteria);
                default -> exec(options.expandTokens(criteria, options.matchHost(finalPass), true));
            };
            result &= hit != negate;
        }
        return result;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean isCanonicalOrFinal(String a) {
        return a.equalsIgnoreCase("canonical") || a.equalsIgnoreCase("final");
    }

    private static IllegalArgumentException badMatch(String where, int n, String why) {
        return new IllegalArgumentException(why + "\n" + where + " line " + n + ": Bad Match condition");
    }

    /** {@code Match exec}: the command's exit status under /bin/sh, 0 meaning a match. */
    private static boolean exec(String command) {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void include(List<String> args, String where, int n, boolean active, boolean userConfig, int depth)
            throws IOException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(where + " line " + n + ": no argument after keyword \"include\"");
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
            throw new IllegalArgumentException(where + " line " + n + ": Include nested too deep");
        }
        for (String arg : args) {
            String pattern = options.expandTokens(SshCommand.SshOptions.tildeExpand(arg), options.originalHost(),
                    false);
            Path p = Path.of(pattern);
            if (!p.isAbsolute()) {
                p = (userConfig ? SshCommand.SshOptions.home().resolve(".ssh") : Path.of("/etc/ssh")).resolve(p);
            }
            List<Path> files = glob(p);
            if (files.isEmpty()) {
                SshLog.debug1(where + " line " + n + ": include " + p + " matched no files");
            }
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    // An included file starts as active as the line that included it; its own Host and Match lines
                    // cannot switch on what the including block switched off.
                    readFile(file, userConfig, active, depth + 1);
                }
            }
        }
    }

    /** The files a pattern names, in lexical order; a pattern that names nothing is no error, as with glob(3). */
    private static List<Path> glob(Path pattern) throws IOException {
        Path dir = pattern.getParent();
        String name = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
        List<Path> dirs = new ArrayList<>();
        if (dir == null || !hasGlob(dir.toString())) {
            dirs.add(dir == null ? Path.of("/") : dir);
        } else {
            for (Path d : glob(dir)) {
                if (Files.isDirectory(d)) {
                    dirs.add(d);
                }
            }
        }
        List<Path> found = new ArrayList<>();
        for (Path d : dirs) {
            if (!hasGlob(name)) {
                Path f = d.resolve(name);
                if (Files.exists(f)) {
                    found.add(f);
                }
                continue;
            }
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(d, name)) {
                for (Path e : entries) {
                    if (!e.getFileName().toString().startsWith(".") || name.startsWith(".")) {
                        found.add(e);
                    }
                }
            }
        }
        found.sort(null);
        return found;
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    }

    /**
     * Splits arguments as OpenSSH's argv_split with comments on: whitespace separates, single or double quotes group,
     * a backslash escapes a quote, a backslash or (outside quotes) a space, and a {@code #} starting a word ends the
     * line.
     */
    static List<String> split(String s, String where, int n) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            if (c == '#') {
                break;
            }
            StringBuilder arg = new StringBuilder();
            char quote = 0;
            for (; i < s.length(); i++) {
                c = s.charAt(i);
                char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
                if (c == '\\') {
                    if (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' ')) {
                        i++;
                        arg.append(next);
                    } else {
                        arg.append(c);
                    }
                } else if (quote == 0 && (c == ' ' || c == '\t')) {
                    break;
                } else if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                } else if (quote != 0 && c == quote) {
                    quote = 0;
                } else {
                    arg.append(c);
                }
            }
            if (quote != 0) {
                throw new IllegalArgumentException(where + " line " + n + ": invalid quotes");
            }
            out.add(arg.toString());
        }
        return out;
    }
}
