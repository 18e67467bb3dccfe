package io.haagent.config.loader;

import java.util.List;

/**
 * What the schema knows about one key path: its kind, whether it is required, its allowed values, what to
 * tell the user, and whether it is a setting we support, a legacy name, one with no effect, or one ha-agent
 * does not support. Patterns use {@code *} for any key and {@code []} for list items.
 *
 * @param hint   what to do, used after "missing:" and after type errors (may be null)
 * @param note   for LEGACY, NO_EFFECT and UNSUPPORTED: the message shown when the key is present
 * @param secret a password: its value is never printed
 */
public record KeySpec(
        String pattern,
        Kind kind,
        boolean required,
        boolean blocksStart,
        String hint,
        List<String> values,
        boolean caseSensitive,
        Long min,
        Long max,
        boolean secret,
        Status status,
        String note) {

    public enum Kind {
        /** A mapping whose keys the schema lists; other keys are unknown. */
        SECTION,
        /** A mapping with free keys (values unchecked unless the schema lists them). */
        MAP,
        STRING, INT, BOOL,
        /** A list of scalars. */
        STRING_LIST,
        /** {@code "h1:p1,h2:p2"} or a list of {@code host[:port]}. */
        HOSTS,
        /** A string or a list of strings. */
        STRING_OR_LIST,
        LIST_OR_MAP,
        /** {@code log.format}: a Python format string, or a list of field names / single-entry renames. */
        LOG_FORMAT,
        /** {@code bootstrap.initdb}: a list of strings and single-entry mappings. */
        INITDB,
        ANY,
        /** Any scalar, null included. */
        SCALAR,
        /** {@code host:port} to listen on. */
        LISTEN,
        /** {@code host[,host...]:port} to listen on. */
        PG_LISTEN,
        /** {@code host:port} that others connect to: not loopback or wildcard. */
        CONNECT_ADDRESS,
        /** {@code host} or {@code host:port}. */
        HOST_PORT,
        /** An http(s) URL. */
        URL,
        /** A list of mappings, each checked against {@code <pattern>[]}. */
        SECTION_LIST,
        /** A section that may also be null (a permanent slot with no options is physical). */
        NULLABLE_SECTION,
        /** {@code watchdog.mode}: off|automatic|required, or a YAML boolean (off reads as false). */
        WATCHDOG_MODE
    }

    public enum Status { OK, LEGACY, NO_EFFECT, UNSUPPORTED }

    public boolean isMapping() {
        return kind == Kind.SECTION || kind == Kind.MAP || kind == Kind.NULLABLE_SECTION;
    }
}
