package org.sparrowmesh.launcher;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The root of the `mesh` command line; the mesh script runs it with {@code -Dmesh.home=ROOT}
 * (the repository) and {@code -Dmesh.cwd=DIR} (where the user typed the command).
 *
 * <p>Every failure ends as one line {@code mesh: <message>} on stderr and exit code 1
 * ({@code MESH_DEBUG=1} adds the stack trace); usage errors exit 2.
 */
@Command(
        name = "mesh",
        mixinStandardHelpOptions = true,
        versionProvider = MeshCommand.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "The sparrow-mesh launcher: build and test the project, run the local mesh",
            "(a Kafka broker and the gateway, decoder, encoder, retrieval and ranker services).",
            ""
        },
        footer = {
            "",
            "State lives in .mesh/ at the repository root (MESH_STATE_DIR moves it). Ports:"
                    + " MESH_GATEWAY_PORT, MESH_DECODER_PORT, MESH_ENCODER_PORT, MESH_RETRIEVAL_PORT,"
                    + " MESH_RANKER_PORT, MESH_KAFKA_PORT, MESH_KAFKA_CONTROLLER_PORT. MESH_JAVA_OPTS adds"
                    + " JVM options to every process `mesh up` starts; MESH_START_TIMEOUT (seconds) bounds"
                    + " the wait for each; MESH_DEBUG=1 shows stack traces.",
            "`mesh COMMAND --help` describes each command."
        })
public final class MeshCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final Path root;
    private final Path cwd;
    private final Map<String, String> env;
    private MeshConfig config;

    MeshCommand(Path root, Path cwd, Map<String, String> env) {
        this.root = root;
        this.cwd = cwd;
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        int exitCode;
        try {
            Path cwd = Path.of(System.getProperty("mesh.cwd", System.getProperty("user.dir")));
            Path root = Path.of(System.getProperty("mesh.home", cwd.toString()));
            PrintWriter out = new PrintWriter(System.out, true);
            PrintWriter err = new PrintWriter(System.err, true);
            exitCode = commandLine(root, cwd, System.getenv(), out, err).execute(args);
        } catch (RuntimeException e) {
            System.err.println("mesh: " + describe(e));
            exitCode = 1;
        }
        System.exit(exitCode);
    }

    /** The whole command tree, writing to {@code out} and {@code err}; tests run it directly. */
    public static CommandLine commandLine(
            Path root, Path cwd, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new MeshCommand(root, cwd, env));
        cli.addSubcommand(ScriptCommand.create("build", "Builds and installs every module, without tests.",
                "Runs ./mvnw -B -DskipTests install; extra arguments go to Maven."));
        cli.addSubcommand(ScriptCommand.create("test", "Runs the whole test suite, as CI does.",
                "Runs ./mvnw -B verify; extra arguments go to Maven."));
        cli.addSubcommand(new UpCommand());
        cli.addSubcommand(new DownCommand());
        cli.addSubcommand(new StatusCommand());
        cli.addSubcommand(new LogsCommand());
        cli.addSubcommand(new AskCommand());
        cli.addSubcommand(new ChatCommand());
        cli.addSubcommand(ScriptCommand.create("generate", "Runs the decoder engine alone on a prompt.",
                "Generated text on stdout, statistics on stderr; the script runs the engine's own command line"
                        + " (decoder-service/engine): ./mesh generate --help lists its options."));
        cli.addSubcommand(ScriptCommand.create("perplexity", "Mean NLL and perplexity of a text under a model.",
                "The script runs the engine's own command line (decoder-service/engine):"
                        + " ./mesh perplexity --help lists its options."));
        cli.addSubcommand(new IngestCommand());
        cli.addSubcommand(ScriptCommand.create("eval-retrieval",
                "nDCG@10 / Recall@k of BM25, VECTOR and HYBRID on a BEIR-format folder.",
                "The script runs the retrieval engine's command line: ./mesh eval-retrieval --help lists its options."));
        cli.addSubcommand(ScriptCommand.create("eval-ranker",
                "Pairwise accuracy of the reward ranker on a preference set's held-out split, with baselines.",
                "The script runs the ranker engine's command line: ./mesh eval-ranker --help lists its options."));
        cli.addSubcommand(ScriptCommand.create("train-ranker",
                "Fits the ranker's preference model on a preference JSONL set (training split).",
                "The script runs the ranker engine's command line: ./mesh train-ranker --help lists its options."));
        cli.addSubcommand(new BatchCommand());
        cli.addSubcommand(PendingCommand.create("bench", "Runs the decoder, mesh, retrieval or encoder benchmarks.",
                "of the benchmarks only 'mesh bench decoder', 'mesh bench decoder-service' and 'mesh bench encoder' run"
                        + " today (the script starts them); the mesh load command and the retrieval benchmark are not written yet"));
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("mesh: " + describe(e));
            if (env.containsKey("MESH_DEBUG")) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return e instanceof MeshException m ? m.exitCode() : 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine where = e.getCommandLine();
            where.getErr().println("mesh: " + e.getMessage());
            where.getErr().println("mesh: try '" + where.getCommandSpec().qualifiedName() + " --help'");
            where.getErr().flush();
            return 2;
        });
        return cli;
    }

    /** {@code mesh} alone: the usage, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** The configuration, read from the environment on first use. */
    MeshConfig config() {
        if (config == null) {
            config = MeshConfig.from(root, cwd, env);
        }
        return config;
    }

    /** The environment the command runs in (a copy; tests pass their own). */
    Map<String, String> env() {
        return env;
    }

    /** Where the user ran the command: relative paths on the command line start here. */
    Path cwd() {
        return cwd;
    }

    CommandSpec spec() {
        return spec;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** One line for the user: the message, and the cause's where it adds something. */
    static String describe(Throwable e) {
        if (e instanceof MeshException) {
            return e.getMessage();
        }
        if (e instanceof UncheckedIOException io && io.getCause() != null) {
            return io.getMessage() + ": " + describe(io.getCause());
        }
        String message = e.getMessage();
        return message == null || message.isBlank()
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + message;
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = MeshCommand.class.getPackage().getImplementationVersion();
            return new String[] {"mesh " + (version == null ? "(development build)" : version)};
        }
    }
}
