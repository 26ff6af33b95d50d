package dev.sluice.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Using it from Java" example compiles against the real API: the block is taken from README.md as it
 * stands, wrapped in a method with the imports a user would write, and compiled with the test class path.
 */
class ReadmeExampleTest {
    private static final String IMPORTS = String.join("\n",
            "import dev.sluice.connection.SshClient;",
            "import dev.sluice.connection.SshConnection;",
            "import dev.sluice.connection.session.ClientSession;",
            "import dev.sluice.connection.session.ExitStatus;",
            "import dev.sluice.forwarding.DynamicForward;",
            "import dev.sluice.forwarding.DynamicPortForwarder;",
            "import dev.sluice.forwarding.LocalForward;",
            "import dev.sluice.forwarding.LocalPortForwarder;",
            "import dev.sluice.forwarding.RemoteForward;",
            "import dev.sluice.forwarding.RemotePortForwarder;",
            "import dev.sluice.transport.key.OpenSshKeyFile;",
            "import dev.sluice.transport.key.SshKeyPair;",
            "import java.net.InetSocketAddress;",
            "import java.nio.file.Path;",
            "import java.util.List;");

    @TempDir
    Path out;

    @Test
    void theReadmeJavaExampleCompiles() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = Pattern.compile("## Using it from Java\\s+```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("README.md has a java block under 'Using it from Java'").isTrue();
        String source = IMPORTS + "\n\nclass ReadmeExample {\n    static void example() throws Exception {\n"
                + block.group(1) + "    }\n}\n";

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///ReadmeExample.java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        StringWriter diagnostics = new StringWriter();
        boolean ok = compiler.getTask(diagnostics, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-proc:none"),
                null, List.of(file)).call();

        assertThat(ok).as("javac on the README example:\n%s\n%s", diagnostics, source).isTrue();
    }
}
