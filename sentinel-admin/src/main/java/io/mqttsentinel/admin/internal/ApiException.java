package io.mqttsentinel.admin.internal;

/**
 * A request the admin API answers with an error: the HTTP status, a short error code and a message for the operator
 * (never a stack trace, never a secret).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String error;
    private final String allow;

    private ApiException(int status, String error, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.allow = allow;
    }

    /**
     * @param message what is wrong with the request, naming the parameter
     * @return a 400
     */
    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message, null);
    }

    /**
     * @param message what was not found
     * @return a 404
     */
    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message, null);
    }

    /**
     * @param allow the methods the resource takes, e.g. {@code "GET"}
     * @param message what was asked
     * @return a 405 with an {@code Allow} header
     */
    public static ApiException methodNotAllowed(String allow, String message) {
        return new ApiException(405, "method_not_allowed", message, allow);
    }

    /**
     * @param message why the resource's state does not allow it
     * @return a 409
     */
    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message, null);
    }

    /**
     * @param message what is not available now
     * @return a 503
     */
    public static ApiException unavailable(String message) {
        return new ApiException(503, "unavailable", message, null);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the short error code of the JSON answer */
    public String error() {
        return error;
    }

    /** @return the {@code Allow} header of a 405, or {@code null} */
    public String allow() {
        return allow;
    }
}
