package io.haagent.rest.access;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The addresses of the members' REST APIs ({@code allowlist_include_members}), resolved once per cluster view
 * so that an unsafe request does not cost a name lookup per member each time.
 */
public final class MemberAddresses {
    private volatile ClusterView resolvedFor;
    private volatile List<IpNetwork> networks = List.of();

    public Collection<IpNetwork> of(ClusterView view) {
        if (view == null) {
            return List.of();
        }
        if (view != resolvedFor) {
            List<IpNetwork> out = new ArrayList<>();
            for (Member m : view.members()) {
                URI u = m.apiUri();
                if (u != null && u.getHost() != null) {
                    String host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1)
                            : u.getHost();
                    out.addAll(AccessPolicy.resolve(host, "members/" + m.name() + " api_url"));
                }
            }
            networks = List.copyOf(out);
            resolvedFor = view;
        }
        return networks;
    }
}
