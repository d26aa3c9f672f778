/** The admin API's request parsing, endpoints and JSON forms; not part of the API. */
package io.mqttsentinel.admin.internal;
