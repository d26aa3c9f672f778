/**
 * The embedded durable message log of the core broker: {@link io.mqttsentinel.store.SegmentedFileLog}
 * (open it with {@link io.mqttsentinel.store.SegmentedFileLog#builder(java.nio.file.Path)}), configured by
 * {@link io.mqttsentinel.store.StoreConfig} ({@code SENTINEL_STORE_*} environment variables) and an
 * {@link io.mqttsentinel.store.FsyncPolicy}. It implements {@link io.mqttsentinel.api.MessageLog}.
 */
package io.mqttsentinel.store;
