/**
 * Authentication callouts of the edge proxy, all failing closed:
 * {@link io.mqttsentinel.proxy.auth.HttpAuthCallout} (the customer's HTTP endpoint, behind a timeout, a
 * circuit breaker and a bounded, fair call queue), {@link io.mqttsentinel.proxy.auth.FileAuthCallout} (the embedded
 * default: a {@link io.mqttsentinel.proxy.auth.CredentialsFile} of salted PBKDF2 hashes) and
 * {@link io.mqttsentinel.proxy.auth.CachingAuthCallout}, the 60-second verdict cache in front of either.
 */
package io.mqttsentinel.proxy.auth;
