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
 * A command of the design that another issue delivers: it says which one, exits 2, and never
 * prints a made-up result. Accepts any arguments, so scripts written against the design fail
 * with this message rather than a usage error.
 */
@Command
final class PendingCommand implements Callable<Integer> {

    @Mixin
    HelpOption helpOption;

    /** Exit code of a command that is not available yet. */
    static final int NOT_AVAILABLE = 2;

    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> arguments;

    private final String waitsFor;

    private PendingCommand(String waitsFor) {
        this.waitsFor = waitsFor;
    }

    static CommandLine create(String name, String description, String waitsFor) {
        CommandLine command = new CommandLine(new PendingCommand(waitsFor));
        command.getCommandSpec().name(name);
        command.getCommandSpec().usageMessage()
                .header(description)
                .description("Not available yet: " + waitsFor + ".", "");
        return command;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("mesh: '" + spec.name() + "' is not available yet: " + waitsFor);
        spec.commandLine().getErr().flush();
        return NOT_AVAILABLE;
    }
}
