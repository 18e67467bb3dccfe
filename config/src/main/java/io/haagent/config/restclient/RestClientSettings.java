package io.haagent.config.restclient;

import io.haagent.config.AgentConfig;
import io.haagent.config.CtlConfig;
import io.haagent.config.RestApiConfig;
import io.haagent.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How this process calls members' REST APIs: the Basic auth it sends and the TLS it speaks, chosen from the
 * {@code ctl} and {@code restapi} sections as Patroni's {@code PatroniRequest} chooses them (patroni/request.py
 * at v3.0.2 {@code _get_cfg_value} and {@code reload_config}; v4.1.4 the same, see below). One set-up serves the
 * agent (elections, failsafe heartbeats, the unique-name check) and agentctl; {@link RestClientTls} builds the
 * client from it. Without {@code https} api_urls none of the TLS settings matter.
 *
 * <ul>
 * <li>Basic auth: {@code ctl.authentication} (or {@code ctl.auth}), else {@code restapi.authentication}, user and
 * password from the same section ({@code ctl.auth or restapi.auth}). Sent on requests that change something.</li>
 * <li>Client certificate: {@code ctl.certfile}, else {@code restapi.certfile}; likewise {@code keyfile} (else the
 * key in the certificate file) and {@code keyfile_password}, each taken from {@code ctl} first (3.0.2's
 * {@code _get_cfg_value}). Patroni 3.1 and later take the client certificate from {@code ctl} only, so a cluster
 * with {@code verify_client: required} and no {@code ctl} certificate cannot call its own members there; we keep
 * 3.0.2's fallback, which makes those calls work wherever Patroni's work.</li>
 * <li>Members (the agent): the server's certificate and host name are not checked ({@code PatroniRequest(config,
 * True)} in {@code __main__.py}: {@code insecure}). Patroni still checks the chain against {@code ctl.cacert} or
 * {@code restapi.cafile} when it presents a client certificate; we check neither, so that every configuration
 * either Patroni version accepts works (a {@code restapi.cafile} is often the CA of the clients, not of the
 * servers). The peer's answers are used only for elections and failsafe, never as credentials.</li>
 * <li>agentctl: the server's certificate chain and host name are checked against {@code ctl.cacert}, else
 * {@code restapi.cafile}, else the JVM's trusted CAs, unless {@code ctl.insecure} or {@code -k}; then nothing is
 * checked (Patroni still checks the chain when it presents a client certificate).</li>
 * </ul>
 *
 * @param username        Basic auth user, or null for none
 * @param certSection     the section {@code certfile} came from ({@code ctl} or {@code restapi}), for messages
 * @param cacertSetting   the setting {@code cacert} came from ({@code ctl.cacert} or {@code restapi.cafile})
 * @param cacert          CA file to verify servers with, or null for the JVM's; unused when not verifying
 * @param certfile        client certificate (PEM), or null to present none
 * @param keyfile         its key, or null when the key is in {@code certfile}
 * @param verifyServer    check the server's certificate chain and host name
 */
public record RestClientSettings(
        String username,
        Secret password,
        String cacert,
        String certfile,
        String keyfile,
        Secret keyfilePassword,
        boolean verifyServer,
        String certSection,
        String cacertSetting) {

    /** No configuration file (agentctl {@code --dcs-url}): no auth, no client certificate. */
    public static RestClientSettings none(boolean insecure) {
        return new RestClientSettings(null, null, null, null, null, null, !insecure, "ctl", "ctl.cacert");
    }

    /** The agent calling other members: nothing about the server is verified. */
    public static RestClientSettings forMembers(AgentConfig config) {
        return from(config, false);
    }

    /** agentctl: the server is verified unless {@code ctl.insecure} or {@code insecure} (-k). */
    public static RestClientSettings forCtl(AgentConfig config, boolean insecure) {
        CtlConfig ctl = config.ctl() == null ? CtlConfig.NONE : config.ctl();
        return from(config, !(insecure || ctl.insecure()));
    }

    private static RestClientSettings from(AgentConfig config, boolean verify) {
        CtlConfig ctl = config.ctl() == null ? CtlConfig.NONE : config.ctl();
        RestApiConfig rest = config.restapi();
        boolean fromCtl = ctl.username() != null || rest == null;
        String username = fromCtl ? ctl.username() : rest.username();
        Secret password = fromCtl ? ctl.password() : rest.password();
        String cacert = ctl.cacert() != null ? ctl.cacert() : rest == null ? null : rest.cafile();
        String certfile = ctl.certfile() != null ? ctl.certfile() : rest == null ? null : rest.certfile();
        String keyfile = ctl.keyfile() != null ? ctl.keyfile() : rest == null ? null : rest.keyfile();
        Secret keyPassword = ctl.keyfilePassword() != null ? ctl.keyfilePassword()
                : rest == null ? null : rest.keyfilePassword();
        String certSection = ctl.certfile() != null || rest == null || rest.certfile() == null ? "ctl" : "restapi";
        String cacertSetting = ctl.cacert() != null ? "ctl.cacert" : "restapi.cafile";
        return new RestClientSettings(username, password, blankToNull(cacert), blankToNull(certfile),
                blankToNull(keyfile), keyPassword, verify, certSection, cacertSetting);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The {@code Authorization} header value, or null without credentials. */
    public String authorization() {
        if (username == null) {
            return null;
        }
        String pair = username + ":" + (password == null ? "" : password.reveal());
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "RestClientSettings[username=" + username + ", cacert=" + cacert + ", certfile=" + certfile
                + ", keyfile=" + keyfile + ", verifyServer=" + verifyServer + "]";
    }
}
