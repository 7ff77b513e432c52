package org.sparrowmesh.deploycheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.sparrowmesh.deploycheck.Manifests.Workload;
import org.sparrowmesh.deploycheck.MeshLayout.MeshService;

/**
 * The policy checks over rendered manifests. Each returns the violations it found, one readable
 * line each ({@code "Deployment gateway, container gateway: no readinessProbe"}); empty means the
 * manifests pass.
 */
public final class MeshChecks {

    /**
     * The calls of one turn (DESIGN §1): who calls whom on which port. The gateway calls retrieval,
     * decoder and ranker; retrieval and ranker call the encoder; gateway and retrieval use Kafka.
     */
    public record Call(String from, String to, int port) {
    }

    public static final List<Call> DESIGN_CALLS = List.of(
            new Call("gateway", "retrieval", 7703),
            new Call("gateway", "decoder", 7701),
            new Call("gateway", "ranker", 7704),
            new Call("retrieval", "encoder", 7702),
            new Call("ranker", "encoder", 7702));

    /** Mesh services that are Kafka clients (DESIGN §4: gateway writes events, retrieval reads mesh.docs). */
    public static final Set<String> KAFKA_CLIENTS = Set.of("gateway", "retrieval");

    /** The one service reachable from outside the namespace. */
    public static final String EDGE = "gateway";

    /**
     * Keys an overlay sets that the services do not read yet, each with the issue that brings it.
     * A test checks they are still absent from application.properties, so the list cannot go stale.
     */
    public static final Map<String, Map<String, String>> PENDING_KEYS = Map.of(); // mesh.decoder.backend: read since issue #6

    /** Variables every JVM container may set, whatever the service reads. */
    static final Set<String> JVM_VARIABLES = Set.of("JDK_JAVA_OPTIONS", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES");

    private MeshChecks() {
    }

    // ---------------------------------------------------------------- containers

    /** Probes, requests and limits, hardened security context, no token, writable volumes only where declared. */
    public static List<String> containers(Manifests m) {
        List<String> v = new ArrayList<>();
        for (Workload w : m.workloads()) {
            String where = w.kind() + " " + w.name();
            PodSpec pod = w.template().getSpec();
            PodSecurityContext psc = pod.getSecurityContext();
            if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
                v.add(where + ": automountServiceAccountToken is not false");
            }
            String sa = pod.getServiceAccountName();
            if (sa == null || sa.isBlank()) {
                v.add(where + ": no serviceAccountName (would run as 'default')");
            } else {
                Optional<ServiceAccount> account = m.named(ServiceAccount.class, sa);
                if (account.isEmpty()) {
                    v.add(where + ": ServiceAccount " + sa + " is not in the manifests");
                } else if (!Boolean.FALSE.equals(account.get().getAutomountServiceAccountToken())) {
                    v.add("ServiceAccount " + sa + ": automountServiceAccountToken is not false");
                }
            }
            if (psc == null || psc.getSeccompProfile() == null || !"RuntimeDefault".equals(psc.getSeccompProfile().getType())) {
                v.add(where + ": pod seccompProfile is not RuntimeDefault");
            }
            Boolean podNonRoot = psc == null ? null : psc.getRunAsNonRoot();
            Map<String, Volume> volumes = new java.util.HashMap<>();
            if (pod.getVolumes() != null) {
                pod.getVolumes().forEach(vol -> volumes.put(vol.getName(), vol));
            }
            boolean statefulSet = w.kind().equals("StatefulSet");
            List<Container> all = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                all.addAll(pod.getInitContainers());
            }
            for (Container c : all) {
                boolean init = pod.getInitContainers() != null && pod.getInitContainers().contains(c);
                String at = where + ", " + (init ? "init container " : "container ") + c.getName();
                if (!init) {
                    probe(v, at, "readinessProbe", c.getReadinessProbe(), c);
                    probe(v, at, "livenessProbe", c.getLivenessProbe(), c);
                }
                resources(v, at, c.getResources());
                SecurityContext sc = c.getSecurityContext();
                if (sc == null) {
                    v.add(at + ": no securityContext");
                    continue;
                }
                if (!Boolean.TRUE.equals(sc.getRunAsNonRoot()) && !Boolean.TRUE.equals(podNonRoot)) {
                    v.add(at + ": runAsNonRoot is not true");
                }
                if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                    v.add(at + ": readOnlyRootFilesystem is not true");
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    v.add(at + ": allowPrivilegeEscalation is not false");
                }
                if (Boolean.TRUE.equals(sc.getPrivileged())) {
                    v.add(at + ": privileged");
                }
                if (sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null
                        || !sc.getCapabilities().getDrop().contains("ALL")) {
                    v.add(at + ": capabilities do not drop ALL");
                } else if (sc.getCapabilities().getAdd() != null && !sc.getCapabilities().getAdd().isEmpty()) {
                    v.add(at + ": adds capabilities " + sc.getCapabilities().getAdd());
                }
                if (c.getVolumeMounts() != null) {
                    for (VolumeMount mount : c.getVolumeMounts()) {
                        Volume vol = volumes.get(mount.getName());
                        if (vol == null) {
                            if (!statefulSet) {
                                v.add(at + ": mounts unknown volume " + mount.getName());
                            }
                            continue;
                        }
                        if (vol.getHostPath() != null) {
                            v.add(at + ": hostPath volume " + vol.getName());
                        }
                        boolean writable = !Boolean.TRUE.equals(mount.getReadOnly());
                        if (writable && vol.getEmptyDir() == null && vol.getPersistentVolumeClaim() == null) {
                            v.add(at + ": writable mount " + mount.getMountPath() + " is neither an emptyDir nor a claim");
                        }
                    }
                }
            }
            for (Volume vol : volumes.values()) {
                boolean used = all.stream().anyMatch(c -> c.getVolumeMounts() != null
                        && c.getVolumeMounts().stream().anyMatch(mt -> mt.getName().equals(vol.getName())));
                if (!used) {
                    v.add(where + ": volume " + vol.getName() + " is mounted nowhere");
                }
            }
        }
        return v;
    }

    private static void probe(List<String> v, String at, String kind, Probe probe, Container c) {
        if (probe == null) {
            v.add(at + ": no " + kind);
            return;
        }
        if (probe.getGrpc() == null) {
            v.add(at + ": " + kind + " is not a native gRPC probe on the health service");
            return;
        }
        Integer port = probe.getGrpc().getPort();
        boolean declared = c.getPorts() != null && c.getPorts().stream().map(ContainerPort::getContainerPort).anyMatch(port::equals);
        if (!declared) {
            v.add(at + ": " + kind + " probes port " + port + ", which the container does not declare");
        }
    }

    private static void resources(List<String> v, String at, ResourceRequirements r) {
        for (String resource : List.of("cpu", "memory")) {
            Quantity request = r == null || r.getRequests() == null ? null : r.getRequests().get(resource);
            Quantity limit = r == null || r.getLimits() == null ? null : r.getLimits().get(resource);
            if (request == null) {
                v.add(at + ": no " + resource + " request");
            }
            if (limit == null) {
                v.add(at + ": no " + resource + " limit");
            }
            if (request != null && limit != null
                    && Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) > 0) {
                v.add(at + ": " + resource + " request " + request + " is above its limit " + limit);
            }
        }
    }

    // ---------------------------------------------------------------- services and peers

    /**
     * Every mesh service has a Service with a port named grpc on its port, selecting its pods, whose
     * container declares that port; every peer a container addresses through
     * {@code MESH_<PEER>_HOST} / {@code MESH_<PEER>_PORT} is such a Service and port; the Kafka
     * bootstrap names the Strimzi cluster's bootstrap Service and a listener's port.
     */
    public static List<String> peers(Manifests m) {
        List<String> v = new ArrayList<>();
        for (MeshService s : MeshLayout.SERVICES) {
            Optional<Service> svc = m.named(Service.class, s.name());
            if (svc.isEmpty()) {
                v.add("Service " + s.name() + " is missing");
                continue;
            }
            boolean grpc = svc.get().getSpec().getPorts().stream()
                    .anyMatch(p -> "grpc".equals(p.getName()) && p.getPort() == s.port());
            if (!grpc) {
                v.add("Service " + s.name() + ": no port named grpc on " + s.port());
            }
            Optional<Workload> w = m.workloads().stream().filter(x -> x.name().equals(s.name())).findFirst();
            if (w.isEmpty()) {
                v.add(s.name() + ": no Deployment or StatefulSet");
                continue;
            }
            if (!selects(svc.get().getSpec().getSelector(), w.get().template().getMetadata().getLabels())) {
                v.add("Service " + s.name() + ": selector " + svc.get().getSpec().getSelector() + " does not select its pods");
            }
            Container main = w.get().template().getSpec().getContainers().getFirst();
            boolean declared = main.getPorts() != null && main.getPorts().stream()
                    .anyMatch(p -> p.getContainerPort() == s.port() && "grpc".equals(p.getName()));
            if (!declared) {
                v.add(w.get().kind() + " " + s.name() + ": container does not declare port grpc " + s.port());
            }
            Map<String, String> env = env(main);
            String at = w.get().kind() + " " + s.name();
            // the services bind 127.0.0.1 unless told otherwise: probes and peers would never reach them
            if (!"0.0.0.0".equals(env.get("MESH_BIND_HOST"))) {
                v.add(at + ": MESH_BIND_HOST is not 0.0.0.0 (the service would listen on loopback only)");
            }
            // unset, each peer defaults to 127.0.0.1, i.e. the pod itself
            for (Call call : DESIGN_CALLS) {
                if (call.from().equals(s.name())) {
                    String peer = "MESH_" + call.to().toUpperCase(java.util.Locale.ROOT);
                    if (!env.containsKey(peer + "_HOST") || !String.valueOf(call.port()).equals(env.get(peer + "_PORT"))) {
                        v.add(at + ": calls " + call.to() + " (DESIGN §1) but sets no " + peer + "_HOST / " + peer + "_PORT=" + call.port());
                    }
                }
            }
            if (KAFKA_CLIENTS.contains(s.name()) && !env.containsKey("MESH_KAFKA_BOOTSTRAP")) {
                v.add(at + ": uses Kafka (DESIGN §4) but sets no MESH_KAFKA_BOOTSTRAP");
            }
        }
        for (Workload w : m.workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                Map<String, String> env = env(c);
                for (Map.Entry<String, String> e : env.entrySet()) {
                    String name = e.getKey();
                    if (!name.startsWith("MESH_") || !name.endsWith("_HOST") || name.equals("MESH_BIND_HOST")) {
                        continue;
                    }
                    String peer = name.substring(5, name.length() - 5).toLowerCase(java.util.Locale.ROOT);
                    String at = w.kind() + " " + w.name() + ", " + name + "=" + e.getValue();
                    String portValue = env.get("MESH_" + peer.toUpperCase(java.util.Locale.ROOT) + "_PORT");
                    if (portValue == null) {
                        v.add(at + ": no MESH_" + peer.toUpperCase(java.util.Locale.ROOT) + "_PORT beside it");
                        continue;
                    }
                    String host = e.getValue().split("\\.")[0];
                    Optional<Service> svc = m.named(Service.class, host);
                    if (svc.isEmpty()) {
                        v.add(at + ": no Service named " + host);
                        continue;
                    }
                    int port = Integer.parseInt(portValue);
                    if (svc.get().getSpec().getPorts().stream().map(ServicePort::getPort).noneMatch(p -> p == port)) {
                        v.add(at + ": Service " + host + " has no port " + port);
                    }
                }
                String bootstrap = env.get("MESH_KAFKA_BOOTSTRAP");
                if (bootstrap != null) {
                    v.addAll(kafkaBootstrap(m, w.kind() + " " + w.name(), bootstrap));
                    kafkaListener(m, c).ifPresent(l -> v.addAll(kafkaSecurity(m, w.kind() + " " + w.name(), c,
                            w.template().getSpec(), l)));
                }
            }
        }
        return v;
    }

    private static List<String> kafkaBootstrap(Manifests m, String where, String bootstrap) {
        List<String> v = new ArrayList<>();
        for (String address : bootstrap.split(",")) {
            String[] hostPort = address.strip().split(":");
            String host = hostPort[0].split("\\.")[0];
            if (!host.endsWith("-kafka-bootstrap") || hostPort.length != 2) {
                v.add(where + ": MESH_KAFKA_BOOTSTRAP " + address + " is not <cluster>-kafka-bootstrap:<port>");
                continue;
            }
            String cluster = host.substring(0, host.length() - "-kafka-bootstrap".length());
            Optional<Kafka> kafka = m.named(Kafka.class, cluster);
            if (kafka.isEmpty()) {
                v.add(where + ": MESH_KAFKA_BOOTSTRAP names cluster " + cluster + ", which is not in the manifests");
                continue;
            }
            int port = Integer.parseInt(hostPort[1]);
            if (kafka.get().getSpec().getKafka().getListeners().stream().noneMatch(l -> l.getPort() == port)) {
                v.add(where + ": Kafka " + cluster + " has no listener on port " + port);
            }
        }
        return v;
    }

    /** The Strimzi listener a container's {@code MESH_KAFKA_BOOTSTRAP} names (its first address), when it names one. */
    record KafkaListener(Kafka kafka, GenericKafkaListener listener) {
        String cluster() {
            return kafka.getMetadata().getName();
        }
    }

    static Optional<KafkaListener> kafkaListener(Manifests m, Container c) {
        String bootstrap = env(c).get("MESH_KAFKA_BOOTSTRAP");
        if (bootstrap == null) {
            return Optional.empty();
        }
        String[] hostPort = bootstrap.split(",")[0].strip().split(":");
        String host = hostPort[0].split("\\.")[0];
        if (!host.endsWith("-kafka-bootstrap") || hostPort.length != 2 || !hostPort[1].matches("\\d+")) {
            return Optional.empty();
        }
        int port = Integer.parseInt(hostPort[1]);
        return m.named(Kafka.class, host.substring(0, host.length() - "-kafka-bootstrap".length()))
                .flatMap(k -> k.getSpec().getKafka().getListeners().stream().filter(l -> l.getPort() == port).findFirst()
                        .map(l -> new KafkaListener(k, l)));
    }

    /**
     * The container's mesh.kafka.* settings speak the listener it uses: the protocol its TLS and
     * authentication ask for; for SCRAM a KafkaUser's name and that user's Secret as the password;
     * for TLS a trust store on a read-only mount of the cluster CA Secret, and its password from there.
     */
    static List<String> kafkaSecurity(Manifests m, String where, Container c, PodSpec pod, KafkaListener l) {
        List<String> v = new ArrayList<>();
        Map<String, String> env = env(c);
        String name = "listener " + l.listener().getName() + " (" + l.listener().getPort() + ")";
        String auth = l.listener().getAuth() == null ? null : l.listener().getAuth().getType();
        if (auth != null && !auth.equals("scram-sha-512")) {
            v.add(where + ": " + name + " authenticates with " + auth + ", which the services' Kafka settings do not speak (scram-sha-512 only)");
            return v;
        }
        boolean tls = l.listener().isTls();
        String expected = (auth != null ? "SASL_" : "") + (tls ? "SSL" : "PLAINTEXT");
        String protocol = env.getOrDefault("MESH_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").toUpperCase(java.util.Locale.ROOT);
        if (!protocol.equals(expected)) {
            v.add(where + ": " + name + " needs MESH_KAFKA_SECURITY_PROTOCOL=" + expected + ", the container's is " + protocol);
        }
        if (auth != null) {
            String mechanism = env.getOrDefault("MESH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
            if (!mechanism.equals("SCRAM-SHA-512")) {
                v.add(where + ": " + name + " needs MESH_KAFKA_SASL_MECHANISM=SCRAM-SHA-512, the container's is " + mechanism);
            }
            String user = env.get("MESH_KAFKA_SASL_USERNAME");
            boolean known = user != null && m.all(KafkaUser.class).stream().anyMatch(u -> u.getMetadata().getName().equals(user)
                    && u.getSpec().getAuthentication() != null && "scram-sha-512".equals(u.getSpec().getAuthentication().getType())
                    && u.getMetadata().getLabels() != null && l.cluster().equals(u.getMetadata().getLabels().get("strimzi.io/cluster")));
            if (!known) {
                v.add(where + ": MESH_KAFKA_SASL_USERNAME=" + user + " names no scram-sha-512 KafkaUser of cluster " + l.cluster());
            } else if (!fromSecret(c, "MESH_KAFKA_SASL_PASSWORD", user, "password")) {
                v.add(where + ": MESH_KAFKA_SASL_PASSWORD is not key password of Secret " + user + " (the KafkaUser's, written by Strimzi)");
            }
        }
        if (tls) {
            String caSecret = l.cluster() + "-cluster-ca-cert";
            String type = env.getOrDefault("MESH_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12").toUpperCase(java.util.Locale.ROOT);
            String caFile = type.equals("PEM") ? "ca.crt" : "ca.p12";
            String location = env.get("MESH_KAFKA_SSL_TRUSTSTORE_LOCATION");
            if (location == null || !secretFile(c, pod, caSecret, caFile, location)) {
                v.add(where + ": MESH_KAFKA_SSL_TRUSTSTORE_LOCATION=" + location + " is not " + caFile + " of Secret " + caSecret
                        + " on a read-only mount (the brokers' CA)");
            }
            if (!type.equals("PEM") && !fromSecret(c, "MESH_KAFKA_SSL_TRUSTSTORE_PASSWORD", caSecret, "ca.password")) {
                v.add(where + ": MESH_KAFKA_SSL_TRUSTSTORE_PASSWORD is not key ca.password of Secret " + caSecret);
            }
        }
        return v;
    }

    /** Whether variable {@code name} of {@code c} is read from key {@code key} of Secret {@code secret}. */
    static boolean fromSecret(Container c, String name, String secret, String key) {
        return c.getEnv() != null && c.getEnv().stream().anyMatch(e -> e.getName().equals(name) && e.getValueFrom() != null
                && e.getValueFrom().getSecretKeyRef() != null && secret.equals(e.getValueFrom().getSecretKeyRef().getName())
                && key.equals(e.getValueFrom().getSecretKeyRef().getKey()));
    }

    /** Whether {@code path} is the file of key {@code key} of Secret {@code secret}, mounted read-only in {@code c}. */
    static boolean secretFile(Container c, PodSpec pod, String secret, String key, String path) {
        if (c.getVolumeMounts() == null || pod.getVolumes() == null) {
            return false;
        }
        for (VolumeMount mount : c.getVolumeMounts()) {
            Optional<Volume> vol = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst();
            if (vol.isEmpty() || vol.get().getSecret() == null || !secret.equals(vol.get().getSecret().getSecretName())
                    || !Boolean.TRUE.equals(mount.getReadOnly()) || !path.startsWith(mount.getMountPath() + "/")) {
                continue;
            }
            String file = path.substring(mount.getMountPath().length() + 1);
            var items = vol.get().getSecret().getItems();
            boolean projected = items == null || items.isEmpty() ? file.equals(key)
                    : items.stream().anyMatch(i -> i.getKey().equals(key) && i.getPath().equals(file));
            if (projected) {
                return true;
            }
        }
        return false;
    }

    static Map<String, String> env(Container c) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
            }
        }
        return env;
    }

    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels != null
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    // ---------------------------------------------------------------- configuration keys

    /**
     * Each service's ConfigMap ({@code <service>-config}, key application.properties) is mounted at
     * /deployments/config and sets only keys of that service's application.properties; every
     * variable a container sets is one the service reads (a {@code ${MESH_…}} of the file, or a
     * key's environment form). Keys in {@link #PENDING_KEYS} are let through by name.
     */
    public static List<String> configKeys(Manifests m, Function<MeshService, ServiceConfig> configOf) {
        List<String> v = new ArrayList<>();
        for (MeshService s : MeshLayout.SERVICES) {
            ServiceConfig config = configOf.apply(s);
            Map<String, String> pending = PENDING_KEYS.getOrDefault(s.name(), Map.of());
            String mapName = s.name() + "-config";
            Optional<ConfigMap> cm = m.named(ConfigMap.class, mapName);
            if (cm.isEmpty()) {
                v.add("ConfigMap " + mapName + " is missing");
            } else {
                Map<String, String> data = cm.get().getData() == null ? Map.of() : cm.get().getData();
                for (String key : data.keySet()) {
                    if (!key.equals("application.properties")) {
                        v.add("ConfigMap " + mapName + ": key " + key + " is not application.properties");
                    }
                }
                Properties props = ServiceConfig.properties(data.getOrDefault("application.properties", ""));
                for (String key : new TreeSet<>(props.stringPropertyNames())) {
                    String bare = ServiceConfig.withoutProfile(key);
                    if (!config.keys().contains(bare) && !pending.containsKey(bare)) {
                        v.add("ConfigMap " + mapName + ": " + key + " is not a key of " + s.module()
                                + "/src/main/resources/application.properties");
                    }
                }
            }
            m.podTemplate(s.name()).ifPresent(t -> {
                PodSpec pod = t.getSpec();
                boolean mounted = pod.getVolumes() != null && pod.getVolumes().stream().anyMatch(vol ->
                        vol.getConfigMap() != null && mapName.equals(vol.getConfigMap().getName())
                                && pod.getContainers().getFirst().getVolumeMounts().stream().anyMatch(mt ->
                                mt.getName().equals(vol.getName()) && "/deployments/config".equals(mt.getMountPath())));
                if (!mounted) {
                    v.add(s.name() + ": ConfigMap " + mapName + " is not mounted at /deployments/config");
                }
                for (Container c : pod.getContainers()) {
                    for (String name : env(c).keySet()) {
                        if (!JVM_VARIABLES.contains(name) && !config.acceptsVariable(name)) {
                            v.add(s.name() + ", container " + c.getName() + ": variable " + name
                                    + " is read by nothing in " + s.module() + "/src/main/resources/application.properties");
                        }
                    }
                }
            });
        }
        return v;
    }

    // ---------------------------------------------------------------- topics

    /** The KafkaTopics are exactly DESIGN §4's topics, each labelled with a Kafka cluster of the manifests. */
    public static List<String> topics(Manifests m, Set<String> designTopics) {
        List<String> v = new ArrayList<>();
        Set<String> clusters = new TreeSet<>(m.all(Kafka.class).stream().map(k -> k.getMetadata().getName()).toList());
        Set<String> declared = new TreeSet<>();
        for (KafkaTopic t : m.all(KafkaTopic.class)) {
            String name = t.getSpec() != null && t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName();
            if (!declared.add(name)) {
                v.add("KafkaTopic " + name + " is declared twice");
            }
            String cluster = t.getMetadata().getLabels() == null ? null : t.getMetadata().getLabels().get("strimzi.io/cluster");
            if (cluster == null || !clusters.contains(cluster)) {
                v.add("KafkaTopic " + name + ": label strimzi.io/cluster=" + cluster + " names no Kafka of the manifests " + clusters);
            }
            if (!designTopics.contains(name)) {
                v.add("KafkaTopic " + name + " is not a topic of DESIGN §4");
            }
        }
        for (String topic : designTopics) {
            if (!declared.contains(topic)) {
                v.add("DESIGN §4 topic " + topic + " has no KafkaTopic");
            }
        }
        return v;
    }

    // ---------------------------------------------------------------- network policies

    /**
     * Deny-all first; then every call of {@link #DESIGN_CALLS} is allowed at both ends (egress of
     * the caller, ingress of the callee, on the port); Kafka clients may reach the cluster's pods on
     * the listener port and are named in its networkPolicyPeers; only {@link #EDGE} accepts traffic
     * from anywhere; no service accepts a caller DESIGN §1 does not name.
     */
    public static List<String> networkPolicies(Manifests m) {
        List<String> v = new ArrayList<>();
        List<NetworkPolicy> policies = m.all(NetworkPolicy.class);
        boolean denyAll = policies.stream().anyMatch(p -> p.getSpec().getPodSelector() != null
                && isEmpty(p.getSpec().getPodSelector())
                && p.getSpec().getPolicyTypes() != null
                && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                && (p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty())
                && (p.getSpec().getEgress() == null || p.getSpec().getEgress().isEmpty()));
        if (!denyAll) {
            v.add("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)");
        }
        for (Call call : DESIGN_CALLS) {
            Map<String, String> from = labels(m, call.from());
            Map<String, String> to = labels(m, call.to());
            if (from == null || to == null) {
                v.add("call " + call + ": a workload is missing");
                continue;
            }
            if (!egressAllowed(policies, from, to, call.port())) {
                v.add("call " + call.from() + " → " + call.to() + ":" + call.port() + " is not allowed out of " + call.from());
            }
            if (!ingressAllowed(policies, from, to, call.port())) {
                v.add("call " + call.from() + " → " + call.to() + ":" + call.port() + " is not allowed into " + call.to());
            }
        }
        // each Kafka client reaches the listener its MESH_KAFKA_BOOTSTRAP names (peers() reports a bad address)
        for (String client : KAFKA_CLIENTS) {
            Map<String, String> from = labels(m, client);
            Optional<KafkaListener> used = m.podTemplate(client)
                    .flatMap(t -> kafkaListener(m, t.getSpec().getContainers().getFirst()));
            if (from == null || used.isEmpty()) {
                continue;
            }
            GenericKafkaListener l = used.get().listener();
            Map<String, String> brokers = Map.of("strimzi.io/cluster", used.get().cluster());
            if (!egressAllowed(policies, from, brokers, l.getPort())) {
                v.add("Kafka client " + client + " may not reach " + used.get().cluster() + ":" + l.getPort());
            }
            boolean peer = l.getNetworkPolicyPeers() == null || l.getNetworkPolicyPeers().isEmpty()
                    || l.getNetworkPolicyPeers().stream().anyMatch(p -> matches(p, from));
            if (!peer) {
                v.add("Kafka listener " + l.getName() + ": networkPolicyPeers leave out " + client);
            }
        }
        for (MeshService s : MeshLayout.SERVICES) {
            Map<String, String> labels = labels(m, s.name());
            if (labels == null) {
                continue;
            }
            for (NetworkPolicy p : policies) {
                if (!selectsPod(p.getSpec().getPodSelector(), labels) || p.getSpec().getIngress() == null) {
                    continue;
                }
                for (var rule : p.getSpec().getIngress()) {
                    boolean fromAnywhere = rule.getFrom() == null || rule.getFrom().isEmpty();
                    if (fromAnywhere && !s.name().equals(EDGE)) {
                        v.add("NetworkPolicy " + p.getMetadata().getName() + " opens " + s.name() + " to every source");
                    }
                    if (rule.getFrom() == null) {
                        continue;
                    }
                    for (NetworkPolicyPeer peer : rule.getFrom()) {
                        if (peer.getPodSelector() == null || peer.getNamespaceSelector() != null || peer.getIpBlock() != null) {
                            continue; // other namespaces (monitoring) are judged by the overlay that adds them
                        }
                        boolean named = MeshLayout.SERVICES.stream().anyMatch(caller -> {
                            Map<String, String> callerLabels = labels(m, caller.name());
                            return callerLabels != null && selectsPod(peer.getPodSelector(), callerLabels)
                                    && DESIGN_CALLS.contains(new Call(caller.name(), s.name(), s.port()));
                        });
                        if (!named) {
                            v.add("NetworkPolicy " + p.getMetadata().getName() + " lets " + peer.getPodSelector().getMatchLabels()
                                    + " into " + s.name() + ", a call DESIGN §1 does not make");
                        }
                    }
                }
            }
        }
        return v;
    }

    private static Map<String, String> labels(Manifests m, String workload) {
        return m.podTemplate(workload).map(t -> t.getMetadata().getLabels()).orElse(null);
    }

    private static boolean egressAllowed(List<NetworkPolicy> policies, Map<String, String> from, Map<String, String> to, int port) {
        return policies.stream().filter(p -> selectsPod(p.getSpec().getPodSelector(), from))
                .filter(p -> p.getSpec().getEgress() != null)
                .flatMap(p -> p.getSpec().getEgress().stream())
                .anyMatch(r -> portAllowed(r.getPorts(), port)
                        && (r.getTo() == null || r.getTo().isEmpty() || r.getTo().stream().anyMatch(peer -> matches(peer, to))));
    }

    private static boolean ingressAllowed(List<NetworkPolicy> policies, Map<String, String> from, Map<String, String> to, int port) {
        return policies.stream().filter(p -> selectsPod(p.getSpec().getPodSelector(), to))
                .filter(p -> p.getSpec().getIngress() != null)
                .flatMap(p -> p.getSpec().getIngress().stream())
                .anyMatch(r -> portAllowed(r.getPorts(), port)
                        && (r.getFrom() == null || r.getFrom().isEmpty() || r.getFrom().stream().anyMatch(peer -> matches(peer, from))));
    }

    /** A same-namespace pod peer (no namespaceSelector, no ipBlock) selecting these labels. */
    private static boolean matches(NetworkPolicyPeer peer, Map<String, String> labels) {
        return peer.getIpBlock() == null && peer.getNamespaceSelector() == null && peer.getPodSelector() != null
                && selectsPod(peer.getPodSelector(), labels);
    }

    private static boolean portAllowed(List<NetworkPolicyPort> ports, int port) {
        return ports == null || ports.isEmpty() || ports.stream().anyMatch(p -> p.getPort() != null
                && Objects.equals(p.getPort().getIntVal(), port)
                && (p.getProtocol() == null || p.getProtocol().equals("TCP")));
    }

    private static boolean isEmpty(LabelSelector s) {
        return (s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
                && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty());
    }

    static boolean selectsPod(LabelSelector s, Map<String, String> labels) {
        if (s == null) {
            return false;
        }
        if (s.getMatchLabels() != null && !s.getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        if (s.getMatchExpressions() != null) {
            for (var expr : s.getMatchExpressions()) {
                String value = labels.get(expr.getKey());
                boolean ok = switch (expr.getOperator()) {
                    case "In" -> value != null && expr.getValues().contains(value);
                    case "NotIn" -> value == null || !expr.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
