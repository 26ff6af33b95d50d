package dev.sluice.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * OpenSSH's algorithm list syntax for Ciphers, KexAlgorithms and friends (ssh_config(5)): a plain comma list replaces
 * the default, {@code +list} appends to it, {@code -list} removes from it (wildcards allowed) and {@code ^list} puts
 * the names first. Every resulting name must be one Sluice supports.
 */
final class AlgorithmList {
    private AlgorithmList() {
    }

    /**
     * @throws IllegalArgumentException with OpenSSH's wording ({@code Bad SSH2 cipher spec 'x'.}) for an empty
     *     result or an unsupported name
     */
    static List<String> apply(List<String> defaults, List<String> supported, String spec, String what) {
        if (spec.isEmpty()) {
            throw new IllegalArgumentException("Bad SSH2 " + what + " spec ''.");
        }
        char op = spec.charAt(0);
        List<String> names = Arrays.asList((op == '+' || op == '-' || op == '^' ? spec.substring(1) : spec).split(","));
        Set<String> result;
        switch (op) {
            case '+' -> {
                result = new LinkedHashSet<>(defaults);
                result.addAll(names);
            }
            case '-' -> {
                result = new LinkedHashSet<>(defaults);
                result.removeIf(n -> names.stream().anyMatch(pattern -> matches(pattern, n)));
            }
            case '^' -> {
                result = new LinkedHashSet<>(names);
                result.addAll(defaults);
            }
            default -> result = new LinkedHashSet<>(names);
        }
        for (String n : result) {
            if (!supported.contains(n)) {
                throw new IllegalArgumentException("Bad SSH2 " + what + " spec '" + spec + "'.");
            }
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("Bad SSH2 " + what + " spec '" + spec + "'.");
        }
        return new ArrayList<>(result);
    }

    private static boolean matches(String pattern, String name) {
        return name.matches(pattern.replace(".", "\\.").replace("*", ".*").replace("?", "."));
    }
}
