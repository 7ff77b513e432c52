package org.sparrowmesh.launcher;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of `mesh status` and of the table `mesh up` ends with; also the element of
 * `status --json`, whose fields are {@code name}, {@code port}, {@code pid}, {@code state}.
 *
 * @param pid null when no process of ours runs
 * @param log the component's log file (in the table only)
 */
@JsonPropertyOrder({"name", "port", "pid", "state"})
public record StatusRow(String name, int port, Long pid, State state, @JsonIgnore Path log) {

    /** What `status` reports for a component. */
    public enum State {
        /** Our process is alive and its health check passes. */
        RUNNING,
        /** Our process is alive but its health check fails. */
        UNHEALTHY,
        /** No process of ours. */
        STOPPED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Prints {@code rows} as an aligned table with a header line. */
    public static void printTable(List<StatusRow> rows, PrintWriter out) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"COMPONENT", "PORT", "PID", "STATE", "LOG"});
        for (StatusRow row : rows) {
            cells.add(new String[] {
                row.name(),
                Integer.toString(row.port()),
                row.pid() == null ? "-" : row.pid().toString(),
                row.state().label(),
                row.log().toString()
            });
        }
        int[] widths = new int[5];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i < line.length - 1 ? String.format("%-" + (widths[i] + 2) + "s", line[i]) : line[i]);
            }
            out.println(text);
        }
        out.flush();
    }
}
