/** Implementation of the inspector: byte-level prefilter, JSON scanner, decoder and detectors. Not API. */
package io.mqttsentinel.inspect.internal;
