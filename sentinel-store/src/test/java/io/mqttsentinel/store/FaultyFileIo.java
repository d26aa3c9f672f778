package io.mqttsentinel.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens segment channels that fail on command like a full or broken disk: writes that stop half-way with
 * "No space left on device", forces that fail, segment files that cannot be created. Also counts forces
 * and can hold a force until released, to see group commit at work.
 */
final class FaultyFileIo implements FileIo {
    volatile boolean failWrites;
    volatile boolean failForce;
    volatile boolean failOpen;
    volatile CountDownLatch holdForce;
    final CountDownLatch forceEntered = new CountDownLatch(1);
    final AtomicInteger forces = new AtomicInteger();

    @Override
    public FileChannel openForAppend(Path file) throws IOException {
        if (failOpen) {
            throw new IOException("No space left on device (injected) creating " + file);
        }
        return new Faulty(FileIo.DEFAULT.openForAppend(file));
    }

    private final class Faulty extends FileChannel {
        private final FileChannel d;

        Faulty(FileChannel d) {
            this.d = d;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (failWrites) {
                // a part lands on disk, then the device is full
                int half = src.remaining() / 2;
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + half);
                d.write(part, position);
                throw new IOException("No space left on device (injected)");
            }
            return d.write(src, position);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forceEntered.countDown();
            CountDownLatch hold = holdForce;
            if (hold != null) {
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failForce) {
                throw new IOException("Input/output error (injected fsync failure)");
            }
            forces.incrementAndGet();
            d.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return d.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            d.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return d.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
