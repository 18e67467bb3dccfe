package io.haagent.pg.control;

import io.haagent.config.AgentConfig;
import io.haagent.config.BootstrapConfig;
import io.haagent.config.PostgresqlConfig;
import java.util.Objects;

/** The local inputs of one node's postgres control: its member name, the scope and its configuration sections. */
public record PostgresNode(String name, String scope, PostgresqlConfig postgresql, BootstrapConfig bootstrap) {
    public PostgresNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(postgresql, "postgresql");
        bootstrap = bootstrap == null ? BootstrapConfig.NONE : bootstrap;
    }

    public static PostgresNode of(AgentConfig config) {
        return new PostgresNode(config.name(), config.scope(), config.postgresql(), config.bootstrap());
    }
}
