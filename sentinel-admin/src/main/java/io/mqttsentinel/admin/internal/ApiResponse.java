package io.mqttsentinel.admin.internal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.databind.JsonNode;

import io.mqttsentinel.api.MessageLogException;

/**
 * What an endpoint answers: a status, a content type and the body's bytes.
 *
 * @param status      the HTTP status
 * @param contentType the body's type
 * @param body        the body
 */
public record ApiResponse(int status, String contentType, byte[] body) {
    /** The content type of every JSON answer. */
    public static final String JSON = "application/json; charset=utf-8";
    /** How long an action (a release: a log append and routing) may take before the API gives up waiting. */
    private static final long ACTION_TIMEOUT_SECONDS = 30;

    /**
     * @param node the body
     * @return a 200 with it
     */
    public static ApiResponse ok(JsonNode node) {
        return new ApiResponse(200, JSON, ApiJson.bytes(node));
    }

    /**
     * Waits for an action and turns its failure into the API's answer: no such thing 404, a state that does not allow
     * it 409, a log that did not store it 503.
     *
     * @param <T>   the result
     * @param stage the action
     * @return its result
     */
    public static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(ACTION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while waiting");
        } catch (TimeoutException e) {
            throw ApiException.unavailable("no answer within " + ACTION_TIMEOUT_SECONDS + " s; the action may still complete");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoSuchElementException) {
                throw ApiException.notFound(cause.getMessage());
            }
            if (cause instanceof IllegalStateException) {
                throw ApiException.conflict(cause.getMessage());
            }
            if (cause instanceof MessageLogException) {
                throw ApiException.unavailable(cause.getMessage());
            }
            throw new IllegalStateException("action failed", cause);
        }
    }
}
