/** Netty handlers and helpers of the edge proxy; not a public API. */
package io.mqttsentinel.proxy.internal;
