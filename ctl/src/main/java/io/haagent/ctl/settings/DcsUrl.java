package io.haagent.ctl.settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * patronictl's {@code --dcs-url} / {@code DCS_URL}: {@code [etcd3|etcd://]host[:port][/namespace]}. Both schemes
 * mean the etcd v3 API here; the port defaults to 2379; a path, when given, is the namespace.
 *
 * @param namespace the path as written (e.g. {@code /service}), or null when the URL has none
 */
public record DcsUrl(List<String> endpoints, String namespace) {

    public static DcsUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--dcs-url is empty: give it as etcd3://host:2379[/namespace]");
        }
        String t = text.trim();
        String withScheme = t.contains("//") ? t : "etcd3://" + t;
        URI u;
        try {
            u = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--dcs-url '" + text + "' is not a URL: give it as"
                    + " etcd3://host:2379[/namespace]");
        }
        String scheme = u.getScheme() == null ? "etcd3" : u.getScheme();
        if (!scheme.equals("etcd3") && !scheme.equals("etcd")) {
            throw new IllegalArgumentException("--dcs-url '" + text + "': the scheme '" + scheme + "' is not"
                    + " supported; ha-agent clusters live in etcd: use etcd3://host:2379");
        }
        if (u.getHost() == null) {
            throw new IllegalArgumentException("--dcs-url '" + text + "' names no host: give it as"
                    + " etcd3://host:2379[/namespace]");
        }
        int port = u.getPort() < 0 ? 2379 : u.getPort();
        String host = u.getHost().contains(":") && !u.getHost().startsWith("[") ? "[" + u.getHost() + "]" : u.getHost();
        String path = u.getPath();
        String namespace = path == null || path.isEmpty() || path.equals("/") ? null : path;
        return new DcsUrl(List.of("http://" + host + ":" + port), namespace);
    }
}
