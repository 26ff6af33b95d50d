package dev.sluice.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The algorithm matrix of the interop tests: every test method marked {@link Case} reports, per invocation, the
 * algorithm (its display name, e.g. {@code @ParameterizedTest(name = "{0}")}), which program was the client and
 * which the server, and whether it passed. Each outcome is printed ({@code [matrix] …}) and appended to
 * {@code target/interop-matrix.txt}; {@code target/interop-matrix.md} holds the whole run as a table of algorithm ×
 * (client → server), rewritten after each case. Both files start afresh in each test JVM.
 *
 * <p>Use with {@code @ExtendWith(AlgorithmMatrix.class)} on the test class. Thread-safe.
 */
final class AlgorithmMatrix implements TestWatcher {
    private static final Path LINES = Path.of("target", "interop-matrix.txt");
    private static final Path TABLE = Path.of("target", "interop-matrix.md");
    private static final List<Outcome> OUTCOMES = new ArrayList<>();

    /** Marks a test method as one cell of the matrix per invocation. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Case {
        /** The algorithm family: {@code kex}, {@code host key}, {@code cipher}, {@code mac}, …. */
        String category();

        /** The client program, e.g. {@code dbclient} or {@code Sluice API}. */
        String client();

        /** The server program, e.g. {@code Sluice server} or {@code dropbear}. */
        String server();

        /** The algorithm, when the display name is not it (a test that is not parameterised). */
        String algorithm() default "";
    }

    private record Outcome(String category, String algorithm, String pairing, String result) {
        String line() {
            return String.format(Locale.ROOT, "%-12s %-38s %-34s %s", category, algorithm, pairing, result);
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "PASS");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "FAIL");
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "SKIP");
    }

    private static void record(ExtensionContext context, String result) {
        Optional<Case> marked = context.getTestMethod().map(m -> m.getAnnotation(Case.class));
        if (marked.isEmpty()) {
            return;
        }
        Case c = marked.get();
        String algorithm = c.algorithm().isEmpty() ? context.getDisplayName() : c.algorithm();
        Outcome outcome = new Outcome(c.category(), algorithm, c.client() + " → " + c.server(), result);
        System.out.println("[matrix] " + outcome.line());
        synchronized (OUTCOMES) {
            boolean first = OUTCOMES.isEmpty();
            OUTCOMES.add(outcome);
            try {
                Files.createDirectories(LINES.getParent());
                Files.writeString(LINES, outcome.line() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        first ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
                Files.writeString(TABLE, table(OUTCOMES), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A Markdown table: one row per category and algorithm (categories grouped, in the order they first appeared),
     * one column per pairing; a cell fails if any of its cases did.
     */
    static String table(List<Outcome> outcomes) {
        Set<String> pairings = new LinkedHashSet<>();
        Map<String, Map<String, Map<String, String>>> categories = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            pairings.add(o.pairing());
            categories.computeIfAbsent(o.category(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(o.category() + " | `" + o.algorithm() + "`", k -> new LinkedHashMap<>())
                    .merge(o.pairing(), o.result(), AlgorithmMatrix::worse);
        }
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        categories.values().forEach(rows::putAll);
        StringBuilder table = new StringBuilder("| category | algorithm |");
        pairings.forEach(p -> table.append(' ').append(p).append(" |"));
        table.append("\n|---|---|").append("---|".repeat(pairings.size())).append('\n');
        rows.forEach((row, cells) -> {
            table.append("| ").append(row).append(" |");
            pairings.forEach(p -> table.append(' ').append(symbol(cells.get(p))).append(" |"));
            table.append('\n');
        });
        return table.toString();
    }

    private static String worse(String a, String b) {
        return a.equals("FAIL") || b.equals("FAIL") ? "FAIL" : a.equals("PASS") || b.equals("PASS") ? "PASS" : a;
    }

    private static String symbol(String result) {
        if (result == null) {
            return "–";
        }
        switch (result) {
            case "PASS":
                return "✓";
            case "FAIL":
                return "✗";
            default:
                return "skipped";
        }
    }
}
