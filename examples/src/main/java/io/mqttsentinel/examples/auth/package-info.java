/**
 * A reference auth endpoint for the proxy's {@code HttpAuthCallout}: devices and their salted password
 * hashes in a MySQL-compatible database (Percona, MySQL, MariaDB) read through JDBC, served over HTTP.
 * Entry point: {@link io.mqttsentinel.examples.auth.JdbcAuthEndpoint}.
 */
package io.mqttsentinel.examples.auth;
