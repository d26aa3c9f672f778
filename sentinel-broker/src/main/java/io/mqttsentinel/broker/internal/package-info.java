/** Implementation of the core broker (Netty handlers, sessions, routing, recovery); not a public API. */
package io.mqttsentinel.broker.internal;
