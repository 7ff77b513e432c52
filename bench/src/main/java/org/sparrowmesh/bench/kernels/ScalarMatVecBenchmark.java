package org.sparrowmesh.bench.kernels;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link MatVecBenchmark} on the scalar reference kernels ({@code -Dsparrowmesh.kernels=scalar}),
 * the baseline of the same run.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Dsparrowmesh.kernels=scalar"})
public class ScalarMatVecBenchmark extends MatVecBenchmark {
}
