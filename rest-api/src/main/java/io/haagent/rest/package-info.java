/**
 * Patroni's REST API for one node: {@link io.haagent.rest.RestApiServer} on Javalin/Jetty.
 *
 * <ul>
 * <li>{@code health}: the pure status-code rules of the health checks (§2.3);</li>
 * <li>{@code status}: the documents ({@code /patroni}, {@code /cluster}, {@code /history}, {@code /metrics}),
 *     serialised once per published snapshot;</li>
 * <li>{@code write}: validation of the write requests in Patroni's order, with its messages;</li>
 * <li>{@code access}: allowlist, client certificate and Basic authentication checks (§2.2);</li>
 * <li>{@code tls}: key and trust stores from Patroni's PEM settings;</li>
 * <li>{@code http}: routing and the endpoints that tie these to the agent's ports.</li>
 * </ul>
 */
package io.haagent.rest;
