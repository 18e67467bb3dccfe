package io.haagent.dcs.etcd;

/** One failed attempt of one etcd call, already classified; never leaves this package. */
final class EtcdFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final EtcdErrors.Kind kind;

    EtcdFailure(EtcdErrors.Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    EtcdErrors.Kind kind() {
        return kind;
    }
}
