package io.mqttsentinel.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens the channel the writer appends a segment through. The seam where tests inject a channel that
 * fails like a full or broken disk.
 */
@FunctionalInterface
interface FileIo {
    FileIo DEFAULT = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);

    FileChannel openForAppend(Path file) throws IOException;
}
