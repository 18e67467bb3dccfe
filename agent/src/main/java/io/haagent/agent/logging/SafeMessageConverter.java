package io.haagent.agent.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.haagent.text.SafeText;

/**
 * {@code %safemsg}: the formatted message with control characters escaped ({@link SafeText#controls}), so one record is
 * one line whatever it quotes: a member name, leader value or key read from etcd, a field of a REST request, a
 * parser's complaint about garbage. A name holding {@code "\n2026-01-01 ... ERROR: ..."} cannot forge a record, and
 * no NUL or terminal escape reaches the file. (The json format escapes through its JSON writer.)
 */
public final class SafeMessageConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return SafeText.controls(event.getFormattedMessage());
    }
}
