/**
 * A custom payload inspector chained after the standard one: {@link
 * io.mqttsentinel.examples.inspect.TlvStringInspector} reads a binary device format and runs the signature
 * rules on the strings inside it.
 */
package io.mqttsentinel.examples.inspect;
