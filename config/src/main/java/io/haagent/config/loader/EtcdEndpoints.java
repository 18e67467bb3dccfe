package io.haagent.config.loader;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The etcd endpoints of an {@code etcd3:} (or {@code etcd:}) section, each with the key path and origin it
 * came from, in Patroni's order of precedence: {@code proxy}, {@code url}, {@code hosts}, {@code host}.
 * Entries that do not parse are left out (the schema check reports them).
 */
final class EtcdEndpoints {
    private EtcdEndpoints() {
    }

    record Endpoint(String path, Origin origin, String protocol, String host, int port) {
        String url() {
            return protocol + "://" + HostPort.format(host, port);
        }

        String address() {
            return HostPort.format(host, port);
        }
    }

    /** Which of proxy, url, hosts, host are set, in precedence order. */
    static List<String> given(ConfigTree t, String section) {
        List<String> given = new ArrayList<>();
        for (String k : List.of("proxy", "url", "hosts", "host")) {
            if (t.has(section + "." + k)) {
                given.add(k);
            }
        }
        return given;
    }

    static List<Endpoint> of(ConfigTree t, String section) {
        List<Endpoint> out = new ArrayList<>();
        List<String> given = given(t, section);
        if (given.isEmpty()) {
            return out;
        }
        String used = given.get(0);
        String protocol = t.str(section + ".protocol", "http");
        String path = section + "." + used;
        if (used.equals("proxy") || used.equals("url")) {
            try {
                URI u = HostPort.parseUrl(t.str(path));
                String host = u.getHost().replaceAll("^\\[|\\]$", "");
                out.add(new Endpoint(path, t.origin(path), u.getScheme(), host, u.getPort() > 0 ? u.getPort() : 2379));
            } catch (IllegalArgumentException | NullPointerException e) {
                // reported by the schema check
            }
            return out;
        }
        int defaultPort = t.integer(section + ".port", 2379);
        ConfigNode n = t.node(path);
        if (n instanceof ConfigNode.Sequence seq) {
            int i = 0;
            for (ConfigNode item : seq.items()) {
                if (item instanceof ConfigNode.Scalar s && !s.isNull()) {
                    add(out, path + "[" + i + "]", s.origin(), protocol, s.text(), defaultPort);
                }
                i++;
            }
        } else if (n instanceof ConfigNode.Scalar s) {
            for (String part : s.text().split(",")) {
                add(out, path, s.origin(), protocol, part, defaultPort);
            }
        }
        return out;
    }

    private static void add(List<Endpoint> out, String path, Origin origin, String protocol, String text,
            int defaultPort) {
        try {
            HostPort hp = HostPort.parse(text, false, defaultPort);
            out.add(new Endpoint(path, origin, protocol, hp.host(), hp.port()));
        } catch (IllegalArgumentException e) {
            // reported by the schema check
        }
    }
}
