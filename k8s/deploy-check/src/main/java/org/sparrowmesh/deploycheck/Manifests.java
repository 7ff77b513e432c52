package org.sparrowmesh.deploycheck;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/** The typed objects of one rendered kustomization, with the look-ups the checks need. */
public record Manifests(String source, List<HasMetadata> objects) {

    public Manifests {
        objects = List.copyOf(objects);
    }

    public static Manifests parse(String source, String yamlStream) {
        return new Manifests(source, StrictParser.parse(yamlStream));
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    /** A Deployment's or StatefulSet's pod template, by workload name. */
    public Optional<PodTemplateSpec> podTemplate(String workload) {
        return named(Deployment.class, workload).map(d -> d.getSpec().getTemplate())
                .or(() -> named(StatefulSet.class, workload).map(s -> s.getSpec().getTemplate()));
    }

    /** Every workload (Deployment, StatefulSet) by name with its pod template. */
    public List<Workload> workloads() {
        return objects.stream().<Workload>mapMulti((o, out) -> {
            if (o instanceof Deployment d) {
                out.accept(new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getReplicas(), d.getSpec().getTemplate()));
            } else if (o instanceof StatefulSet s) {
                out.accept(new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getReplicas(), s.getSpec().getTemplate()));
            }
        }).toList();
    }

    /** A pod-owning object: kind, name, replicas (null: the API default, 1), pod template. */
    public record Workload(String kind, String name, Integer replicas, PodTemplateSpec template) {
    }
}
