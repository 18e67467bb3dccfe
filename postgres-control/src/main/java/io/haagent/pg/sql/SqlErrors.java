package io.haagent.pg.sql;

import io.haagent.pg.PostgresException;
import java.sql.SQLException;

/** Turns a JDBC failure into the port's typed error, keeping the server's message and SQLSTATE. */
public final class SqlErrors {
    private SqlErrors() {
    }

    public static PostgresException.QueryFailed wrap(String what, SQLException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        return new PostgresException.QueryFailed(what, e.getSQLState(), msg, e);
    }
}
