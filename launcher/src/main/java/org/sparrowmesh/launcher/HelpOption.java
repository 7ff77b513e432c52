package org.sparrowmesh.launcher;

import picocli.CommandLine.Option;

/** {@code -h/--help} for a subcommand (the root alone also has {@code --version}). */
final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
