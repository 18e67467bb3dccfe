package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.haagent.dcs.etcd.EtcdErrors.Kind;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class EtcdErrorsTest {

    private static StatusRuntimeException grpc(Status.Code code, String description) {
        return Status.fromCode(code).withDescription(description).asRuntimeException();
    }

    @Test
    void noAnswerIsUnreachableWhateverTheWrapping() {
        assertThat(EtcdErrors.classify(grpc(Status.Code.UNAVAILABLE, "io exception"))).isEqualTo(Kind.UNREACHABLE);
        assertThat(EtcdErrors.classify(new ExecutionException(grpc(Status.Code.DEADLINE_EXCEEDED, null))))
                .isEqualTo(Kind.UNREACHABLE);
        assertThat(EtcdErrors.classify(new CompletionException(new TimeoutException()))).isEqualTo(Kind.UNREACHABLE);
        assertThat(EtcdErrors.classify(grpc(Status.Code.UNAVAILABLE, "etcdserver: no leader")))
                .isEqualTo(Kind.UNREACHABLE);
        assertThat(EtcdErrors.classify(grpc(Status.Code.UNAVAILABLE, "etcdserver: leader changed")))
                .isEqualTo(Kind.UNREACHABLE);
        assertThat(EtcdErrors.classify(grpc(Status.Code.RESOURCE_EXHAUSTED, "etcdserver: too many requests")))
                .isEqualTo(Kind.UNREACHABLE);
        assertThat(EtcdErrors.classify(grpc(Status.Code.CANCELLED, "Channel shutdownNow invoked")))
                .isEqualTo(Kind.UNREACHABLE);
        assertThat(EtcdErrors.classify(new IllegalStateException("something odd"))).isEqualTo(Kind.UNREACHABLE);
    }

    @Test
    void aMissingLeaseIsItsOwnKindInBothShapesJetcdGivesIt() {
        assertThat(EtcdErrors.classify(grpc(Status.Code.NOT_FOUND, "etcdserver: requested lease not found")))
                .isEqualTo(Kind.LEASE_NOT_FOUND);
        assertThat(EtcdErrors.classify(new ExecutionException(EtcdExceptionFactory.newEtcdException(
                ErrorCode.NOT_FOUND, "etcdserver: requested lease not found")))).isEqualTo(Kind.LEASE_NOT_FOUND);
    }

    @Test
    void refusalsAreNotRetriedButAnExpiredTokenIs() {
        assertThat(EtcdErrors.classify(grpc(Status.Code.UNAUTHENTICATED,
                "etcdserver: authentication failed, invalid user ID or password"))).isEqualTo(Kind.REJECTED);
        assertThat(EtcdErrors.classify(grpc(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied")))
                .isEqualTo(Kind.REJECTED);
        assertThat(EtcdErrors.classify(grpc(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided")))
                .isEqualTo(Kind.REJECTED);
        assertThat(EtcdErrors.classify(grpc(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token")))
                .isEqualTo(Kind.UNREACHABLE);
    }

    @Test
    void aCompactedRevisionMeansResynchronise() {
        assertThat(EtcdErrors.classify(EtcdExceptionFactory.newCompactedException(42))).isEqualTo(Kind.COMPACTED);
        assertThat(EtcdErrors.classify(grpc(Status.Code.OUT_OF_RANGE,
                "etcdserver: mvcc: required revision has been compacted"))).isEqualTo(Kind.COMPACTED);
    }

    @Test
    void descriptionsCarryTheCodeAndTheRootCause() {
        StatusRuntimeException refused = Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused")).asRuntimeException();
        assertThat(EtcdErrors.describe(new ExecutionException(refused)))
                .isEqualTo("UNAVAILABLE: io exception (ConnectException: Connection refused)");
        assertThat(EtcdErrors.describe(new TimeoutException())).isEqualTo("no answer in time");
        assertThat(EtcdErrors.describe(grpc(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied")))
                .isEqualTo("PERMISSION_DENIED: etcdserver: permission denied");
    }
}
