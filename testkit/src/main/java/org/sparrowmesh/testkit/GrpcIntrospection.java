package org.sparrowmesh.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;

/**
 * Asks a running gRPC server, as grpcurl and grpc_health_probe would, what it serves (server
 * reflection v1) and whether it is healthy ({@code grpc.health.v1}).
 */
public final class GrpcIntrospection implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 10;

    private final ManagedChannel channel;

    public GrpcIntrospection(String host, int port) {
        this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** Fully qualified names of every service the server lists, e.g. {@code sparrowmesh.v1.Decoder}. */
    public List<String> services() {
        ServerReflectionResponse response = reflect(ServerReflectionRequest.newBuilder().setListServices("").build());
        return response.getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList();
    }

    /** The rpc names of one service, read from the file descriptor the server reflects. */
    public List<String> methods(String fullServiceName) {
        ServerReflectionResponse response = reflect(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol(fullServiceName).build());
        Map<String, List<String>> byService = new HashMap<>();
        for (var bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            try {
                FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
                for (ServiceDescriptorProto service : file.getServiceList()) {
                    String name = file.getPackage().isEmpty() ? service.getName() : file.getPackage() + "." + service.getName();
                    List<String> methods = new ArrayList<>();
                    service.getMethodList().forEach(m -> methods.add(m.getName()));
                    byService.put(name, methods);
                }
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("the server reflected an unreadable file descriptor", e);
            }
        }
        List<String> methods = byService.get(fullServiceName);
        if (methods == null) {
            throw new AssertionError("reflection has no descriptor of " + fullServiceName + ", only " + byService.keySet());
        }
        return methods;
    }

    /** The status of {@code grpc.health.v1.Health/Check} for the whole server (service ""). */
    public HealthCheckResponse.ServingStatus health() {
        return HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("").build())
                .getStatus();
    }

    private ServerReflectionResponse reflect(ServerReflectionRequest request) {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new AssertionError("reflection stream ended without an answer"));
                    }
                });
        requests.onNext(request);
        requests.onCompleted();
        return answer.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
