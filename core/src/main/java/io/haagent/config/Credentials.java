package io.haagent.config;

/**
 * One of {@code postgresql.authentication.superuser|replication|rewind} (§5.2): a user, its password, and
 * the libpq SSL/GSS options Patroni passes through. Null fields are absent.
 */
public record Credentials(
        String username,
        Secret password,
        String sslmode,
        String sslkey,
        Secret sslpassword,
        String sslcert,
        String sslrootcert,
        String sslcrl,
        String sslcrldir,
        String gssencmode,
        String channelBinding) {

    public static Credentials of(String username, Secret password) {
        return new Credentials(username, password, null, null, null, null, null, null, null, null, null);
    }
}
