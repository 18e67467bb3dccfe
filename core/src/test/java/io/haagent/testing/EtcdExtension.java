package io.haagent.testing;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning a real {@link EtcdCluster}. On a static field it lives for the test class; on an
 * instance field, for each test.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final EtcdExtension ETCD = EtcdExtension.threeMembers();
 * ... ETCD.clientUrls(), ETCD.cluster().member(0).kill() ...
 * </pre>
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final Supplier<EtcdCluster> starter;
    private EtcdCluster cluster;
    private boolean classScoped;

    private EtcdExtension(Supplier<EtcdCluster> starter) {
        this.starter = starter;
    }

    public static EtcdExtension singleMember() {
        return new EtcdExtension(EtcdCluster::startSingle);
    }

    public static EtcdExtension threeMembers() {
        return new EtcdExtension(EtcdCluster::startThree);
    }

    public static EtcdExtension of(EtcdCluster.Builder builder) {
        return new EtcdExtension(builder::start);
    }

    public EtcdCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the etcd cluster is started before each test class or test");
        }
        return cluster;
    }

    public List<String> clientUrls() {
        return cluster().clientUrls();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        classScoped = true;
        cluster = starter.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!classScoped) {
            cluster = starter.get();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!classScoped) {
            close();
        }
    }

    private void close() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
