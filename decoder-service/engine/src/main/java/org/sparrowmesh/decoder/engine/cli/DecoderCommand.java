package org.sparrowmesh.decoder.engine.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

import org.sparrowmesh.decoder.engine.gguf.GGUFFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The decoder engine on the command line: {@code mesh generate} and {@code mesh perplexity}.
 * Errors are one line on stderr (no stack trace unless {@code MESH_DEBUG=1}), exit code 1;
 * usage errors exit 2.
 */
@Command(name = "mesh", mixinStandardHelpOptions = true,
        subcommands = {GenerateCommand.class, PerplexityCommand.class},
        description = "The decoder engine alone: generate text or measure perplexity with a GGUF model.")
public final class DecoderCommand {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new DecoderCommand())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("mesh " + cmd.getCommandName() + ": " + describe(e));
                    if ("1".equals(System.getenv("MESH_DEBUG"))) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return 1;
                });
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        if (e instanceof GGUFFormatException) {
            return "not a usable GGUF file: " + e.getMessage();
        }
        if (e instanceof IOException) {
            return "cannot read: " + e.getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
