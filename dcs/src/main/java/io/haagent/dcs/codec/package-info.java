/**
 * Patroni's values under {@code /<namespace>/<scope>/}, as pure functions: each key's encoding byte for byte as
 * Patroni writes it ({@link io.haagent.dcs.codec.PythonJson} is Python's {@code json.dumps} with compact separators)
 * and its lenient decoding (legacy forms accepted, garbage read as empty and reported once per key and revision).
 */
package io.haagent.dcs.codec;
