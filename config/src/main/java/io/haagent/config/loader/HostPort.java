package io.haagent.config.loader;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code host:port} addresses as Patroni reads them ({@code split_host_port}): split at the last colon, hosts
 * separated by commas, IPv6 brackets stripped.
 *
 * @param hosts one host, or several for {@code postgresql.listen}
 */
public record HostPort(List<String> hosts, int port) {
    /** Hosts a connect address must not use: they name no host, so nobody can connect to this node there. */
    public static final Set<String> NOT_CONNECTABLE = Set.of("0.0.0.0", "*", "::");

    /**
     * Loopback names a connect address may use (Patroni accepts them; its sample {@code postgres0.yml} does): they
     * work while every member and client runs on this one host, and nowhere else.
     */
    public static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1", "localhost");

    public String host() {
        return hosts.get(0);
    }

    /** {@code host:port} (IPv6 in brackets). */
    public static String format(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * @param defaultPort used when the text has no port; null makes the port required
     * @throws IllegalArgumentException with what is wrong, worded to follow "must be ..., not '...': "
     */
    public static HostPort parse(String text, boolean multipleHosts, Integer defaultPort) {
        String t = text.strip();
        String hostPart;
        String portPart;
        int colon = t.lastIndexOf(':');
        boolean bracketedOnly = t.startsWith("[") && t.endsWith("]");
        if (colon < 0 || bracketedOnly || (defaultPort != null && t.indexOf(':') != colon && !t.contains("]"))) {
            if (defaultPort == null) {
                throw new IllegalArgumentException("it has no port");
            }
            hostPart = t;
            portPart = null;
        } else {
            hostPart = t.substring(0, colon);
            portPart = t.substring(colon + 1);
        }
        int port;
        if (portPart == null) {
            port = defaultPort;
        } else {
            try {
                port = Integer.parseInt(portPart);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("its port is not a number from 1 to 65535");
            }
        }
        List<String> hosts = new ArrayList<>();
        for (String h : multipleHosts ? hostPart.split(",", -1) : new String[] {hostPart}) {
            String host = h.strip();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("its host is empty");
            }
            if (host.contains(" ") || host.contains("/")) {
                throw new IllegalArgumentException("its host contains '" + (host.contains(" ") ? " " : "/") + "'");
            }
            hosts.add(host);
        }
        if (hosts.size() > 1 && hosts.contains("*")) {
            throw new IllegalArgumentException("'*' must stand alone");
        }
        return new HostPort(List.copyOf(hosts), port);
    }

    /** An etcd URL: http or https with a host; port 2379 when absent. */
    public static URI parseUrl(String text) {
        try {
            URI u = new URI(text.strip());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                throw new IllegalArgumentException("it does not start with http:// or https://");
            }
            if (u.getHost() == null) {
                throw new IllegalArgumentException("it has no host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("it is not a URL");
        }
    }
}
