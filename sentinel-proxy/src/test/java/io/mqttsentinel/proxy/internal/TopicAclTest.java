package io.mqttsentinel.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.mqttsentinel.api.TopicPermissions;

class TopicAclTest {
    @Test
    void defaultAcl_ownAlertsAndOwnPrefixOnly() {
        TopicAcl acl = TopicAcl.resolve(TopicPermissions.DEFAULT, "dev-1", null);
        assertThat(acl.canSubscribe("clients/dev-1/alerts")).isTrue();
        assertThat(acl.canSubscribe("clients/dev-1/#")).isFalse();
        assertThat(acl.canSubscribe("clients/+/alerts")).isFalse();
        assertThat(acl.canSubscribe("clients/dev-2/alerts")).isFalse();
        assertThat(acl.canPublish("clients/dev-1/telemetry")).isTrue();
        assertThat(acl.canPublish("clients/dev-1/a/b/c")).isTrue();
        assertThat(acl.canPublish("clients/dev-2/telemetry")).isFalse();
        assertThat(acl.canPublish("clients/dev-10/telemetry")).isFalse();
    }

    @Test
    void wideSubscribeTemplate_whenConfigured() {
        TopicAcl acl = TopicAcl.resolve(new TopicPermissions(List.of(), List.of("clients/{client_id}/#")), "d", null);
        assertThat(acl.canSubscribe("clients/d/#")).isTrue();
        assertThat(acl.canSubscribe("clients/d/+/x")).isTrue();
        assertThat(acl.canPublish("clients/d/x")).isFalse();
    }

    @Test
    void unsafeValues_grantNothing() {
        for (String id : new String[] {"+", "#", "a/b", "", "a\u0000"}) {
            TopicAcl acl = TopicAcl.resolve(TopicPermissions.DEFAULT, id, null);
            assertThat(acl.publishFilters()).as(id).isEmpty();
            assertThat(acl.subscribeFilters()).as(id).isEmpty();
        }
        TopicAcl noUser = TopicAcl.resolve(new TopicPermissions(List.of("u/{username}/#", "fixed/topic"), List.of()), "d", null);
        assertThat(noUser.publishFilters()).containsExactly("fixed/topic");
    }
}
