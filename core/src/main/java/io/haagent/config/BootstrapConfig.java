package io.haagent.config;

import java.util.List;
import java.util.Map;

/**
 * {@code bootstrap} (§5.2).
 *
 * @param dcs           the dynamic configuration written to {@code config} when this node creates the cluster
 * @param initdb        initdb options as Patroni accepts them: plain strings ({@code data-checksums}) and
 *                      single-entry maps ({@code encoding: UTF8}), kept in order
 * @param methods       custom bootstrap methods by name ({@code command}, {@code no_params}, ...)
 * @param postBootstrap {@code post_bootstrap} or {@code post_init} script
 */
public record BootstrapConfig(
        Map<String, Object> dcs,
        String method,
        List<Object> initdb,
        Map<String, Map<String, Object>> methods,
        String postBootstrap,
        List<String> pgHba,
        Map<String, Object> users) {
    public static final BootstrapConfig NONE = new BootstrapConfig(Map.of(), "initdb", List.of(), Map.of(), null,
            List.of(), Map.of());

    /**
     * How a new cluster is made, as Patroni decides it: the method {@code method} names when its section has a
     * {@code command}, else {@code initdb}.
     */
    public String effectiveMethod() {
        return customMethod() == null ? "initdb" : method;
    }

    /** The section of the custom method in use (§4.6), or null when initdb makes the cluster. */
    public Map<String, Object> customMethod() {
        if (method == null || method.isBlank() || method.equals("initdb") || methods == null) {
            return null;
        }
        Map<String, Object> section = methods.get(method);
        return section != null && section.get("command") != null ? section : null;
    }
}
