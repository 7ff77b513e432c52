package org.sparrowmesh.ranker.server.runtime;

import java.io.IOException;
import java.util.List;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.sparrowmesh.ranker.model.PreferenceModel;
import org.sparrowmesh.ranker.rules.RuleBook;
import org.sparrowmesh.ranker.scoring.Ranker;

/** The ranker the service scores with: the configured (or bundled) preference model and the rule book. */
@Startup
@ApplicationScoped
public class RankerRuntime {

    private static final Logger LOG = Logger.getLogger(RankerRuntime.class);

    private final Ranker ranker;

    public RankerRuntime(RankerConfig config) throws IOException {
        PreferenceModel model = config.weights().isPresent() ? PreferenceModel.load(config.weights().get())
                : PreferenceModel.bundled();
        this.ranker = new Ranker(model, new RuleBook(config.penalties(), config.blocklist().orElse(List.of())));
        LOG.infof("preference model %s %s (%s)", model.name(), model.version(), model.trainedOn());
    }

    public Ranker ranker() {
        return ranker;
    }
}
