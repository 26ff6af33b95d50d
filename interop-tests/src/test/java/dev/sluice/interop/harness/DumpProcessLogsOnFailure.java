package dev.sluice.interop.harness;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the logs of the external processes a failed test used: those it started and those still running (servers
 * shared by a test class), so a failure report shows what sshd and ssh said even after try-with-resources closed them.
 *
 * <p>Use with {@code @ExtendWith(DumpProcessLogsOnFailure.class)} on interop test classes.
 */
public final class DumpProcessLogsOnFailure implements BeforeEachCallback, TestWatcher {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(DumpProcessLogsOnFailure.class);
    private static final String MARK = "lastProcessBeforeTest";

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(MARK, ManagedProcess.lastSequence());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Long mark = context.getStore(NAMESPACE).get(MARK, Long.class);
        StringBuilder dump = new StringBuilder("\n#### process logs for failed test ")
                .append(context.getDisplayName()).append('\n');
        for (ManagedProcess p : ManagedProcess.startedAfterOrAlive(mark == null ? 0 : mark)) {
            // Helpers such as ssh-keygen that succeeded silently only add noise.
            boolean silentSuccess = !p.isAlive() && p.process().exitValue() == 0 && p.stdout().isEmpty()
                    && p.stderr().isEmpty();
            if (!silentSuccess) {
                dump.append(p.describe()).append('\n');
            }
        }
        System.err.print(dump);
    }
}
