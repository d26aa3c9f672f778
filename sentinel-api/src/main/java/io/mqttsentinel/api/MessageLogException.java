package io.mqttsentinel.api;

/**
 * A {@link MessageLog} could not do what was asked: the disk is full, an I/O error occurred, the cluster
 * refused the write. An append that fails with it was <em>not</em> made durable and must not be
 * acknowledged.
 */
public class MessageLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong */
    public MessageLogException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public MessageLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
