package org.sparrowmesh.launcher;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * A command the mesh script runs itself ({@code build}, {@code test}: Maven needs no JVM of
 * ours); here only so that {@code mesh --help} lists it. Reached only by running this class
 * directly, where it says to use the script.
 */
@Command
final class ScriptCommand implements Callable<Integer> {

    @Mixin
    HelpOption helpOption;

    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> arguments;

    private ScriptCommand() {
    }

    static CommandLine create(String name, String header, String description) {
        CommandLine command = new CommandLine(new ScriptCommand());
        command.getCommandSpec().name(name);
        command.getCommandSpec().usageMessage().header(header).description(description, "");
        return command;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(
                "mesh: '" + spec.name() + "' is run by the mesh script at the repository root: ./mesh " + spec.name());
        spec.commandLine().getErr().flush();
        return 2;
    }
}
