package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * POSIX getopt as OpenSSH's commands use it: single-letter options that may be clustered ({@code -Nv}), arguments
 * attached or separate ({@code -p2222}, {@code -p 2222}), {@code --} ends options, and options stop at the first
 * operand. A few long options ({@code --bind}) are accepted as their own words.
 */
final class Getopt {
    /** One parsed option: its letter (or long name) and argument, null for a flag. */
    record Option(String name, String argument) {
    }

    /** Thrown with getopt's own wording, e.g. {@code unknown option -- x}. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final String spec;
    private final List<String> longWithArgument;
    private final List<Option> options = new ArrayList<>();
    private final List<String> operands = new ArrayList<>();

    /**
     * @param spec getopt's option string: letters, each followed by ':' when it takes an argument
     * @param longWithArgument long option names (without "--") that take an argument
     */
    Getopt(String spec, List<String> longWithArgument, String[] args) throws UsageException {
        this.spec = spec;
        this.longWithArgument = longWithArgument;
        parse(args);
    }

    List<Option> options() {
        return options;
    }

    List<String> operands() {
        return operands;
    }

    private void parse(String[] args) throws UsageException {
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (!longWithArgument.contains(name)) {
                    throw new UsageException("unrecognized option '--" + name + "'");
                }
                if (value == null) {
                    if (++i >= args.length) {
                        throw new UsageException("option requires an argument -- " + name);
                    }
                    value = args[i];
                }
                options.add(new Option(name, value));
                i++;
                continue;
            }
            if (!a.startsWith("-") || a.length() == 1) {
                break;
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                int at = spec.indexOf(c);
                if (at < 0 || c == ':') {
                    throw new UsageException("unknown option -- " + c);
                }
                boolean takesArgument = at + 1 < spec.length() && spec.charAt(at + 1) == ':';
                if (!takesArgument) {
                    options.add(new Option(String.valueOf(c), null));
                    continue;
                }
                String value;
                if (j + 1 < a.length()) {
                    value = a.substring(j + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException("option requires an argument -- " + c);
                }
                options.add(new Option(String.valueOf(c), value));
                break;
            }
            i++;
        }
        while (i < args.length) {
            operands.add(args[i++]);
        }
    }
}
