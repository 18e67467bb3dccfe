package io.haagent.ctl.output;

import java.util.Locale;
import picocli.CommandLine;

/** {@code --format}: patronictl's output formats. */
public enum Format {
    PRETTY, TSV, JSON, YAML;

    /** Accepts patronictl's names, {@code yml} included, in any case. */
    public static Format parse(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "pretty" -> PRETTY;
            case "tsv" -> TSV;
            case "json" -> JSON;
            case "yaml", "yml" -> YAML;
            default -> throw new IllegalArgumentException("'" + s + "' is not an output format: use pretty, tsv, json"
                    + " or yaml");
        };
    }

    /** picocli's converter: a bad value is a usage error naming the choices. */
    public static final class Converter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
