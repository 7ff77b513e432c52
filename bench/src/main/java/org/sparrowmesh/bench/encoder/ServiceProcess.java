package org.sparrowmesh.bench.encoder;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.sparrowmesh.proto.v1.EncoderGrpc;
import org.sparrowmesh.proto.v1.EncoderInfoRequest;

/**
 * The encoder service as a child JVM on a free loopback port ({@code quarkus-run.jar}), started
 * and stopped by the benchmark; its log goes to a file beside the jar.
 */
final class ServiceProcess implements AutoCloseable {

    private final Process process;
    final int port;

    private ServiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ServiceProcess start(Path jar, Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(List.of(java, "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceProcess service = new ServiceProcess(process, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        ManagedChannel channel = service.channel();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("the encoder service exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    if (EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .info(EncoderInfoRequest.getDefaultInstance()).getLoaded()) {
                        return service;
                    }
                } catch (RuntimeException notYet) {
                    // still starting
                }
                if (System.nanoTime() > deadline) {
                    service.close();
                    throw new IOException("the encoder service did not answer within 180 s; see " + log);
                }
                Thread.sleep(250); // start-up polling, not a measurement
            }
        } finally {
            channel.shutdownNow();
        }
    }

    ManagedChannel channel() {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
