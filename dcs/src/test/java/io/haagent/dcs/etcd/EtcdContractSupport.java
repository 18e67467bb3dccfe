package io.haagent.dcs.etcd;

import static org.awaitility.Awaitility.await;

import io.haagent.config.EtcdConfig;
import io.haagent.dcs.DcsContractTest;
import io.haagent.dcs.DcsKeys;
import io.haagent.testing.EtcdCluster;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** What the etcd runs of the contract share: real time, etcdctl as the operator, one client per member. */
abstract class EtcdContractSupport extends DcsContractTest {
    /** Small enough to keep the suite short, above etcd's minimum lease TTL; every bound stays ttl-relative. */
    static final int TTL = 6;
    static final int RETRY_TIMEOUT = 3;

    abstract EtcdCluster etcd();

    static EtcdConfig config(List<String> endpoints) {
        return new EtcdConfig("etcd3", endpoints, "http", null, null, null, null, null, null);
    }

    @Override
    protected EtcdDcs open(String scope, String member) {
        return EtcdDcs.connect(config(etcd().clientUrls()), "/service/", scope, member, ttl(), RETRY_TIMEOUT,
                Clock.SYSTEM);
    }

    @Override
    protected int ttl() {
        return TTL;
    }

    @Override
    protected void revokeLease(long leaseId) {
        etcd().etcdctl("lease", "revoke", Long.toHexString(leaseId));
    }

    @Override
    protected void putLeaderWithoutLease(String scope, String name) {
        etcd().etcdctl("put", DcsKeys.of("service", scope).key(DcsKeys.LEADER), name);
    }

    @Override
    protected Time time() {
        return REAL_TIME;
    }

    static final Time REAL_TIME = new Time() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public void holdsFor(Duration d, Callable<Boolean> condition) {
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).during(d)
                    .atMost(d.plusSeconds(10)).until(condition);
        }

        @Override
        public void within(Duration d, Callable<Boolean> condition) {
            Duration bound = d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25)).atMost(bound).until(condition);
        }
    };
}
