package org.sparrowmesh.decoder.engine.cuda;

import java.util.ArrayDeque;

/**
 * The free KV-cache slots of a device: one slot is one sequence's whole context. Lowest slot
 * first, so a quiet decoder keeps reusing the same memory. Not thread-safe: the scheduler thread
 * takes and gives back.
 */
final class DeviceSlots {

    private final int count;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final boolean[] taken;

    DeviceSlots(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a device needs at least 1 KV slot, got " + count);
        }
        this.count = count;
        this.taken = new boolean[count];
        for (int slot = 0; slot < count; slot++) {
            free.addLast(slot);
        }
    }

    /** A free slot; an IllegalStateException when every slot holds a sequence. */
    int take() {
        Integer slot = free.pollFirst();
        if (slot == null) {
            throw new IllegalStateException("all " + count + " device KV slots hold a running sequence"
                    + " (the scheduler admits at most that many)");
        }
        taken[slot] = true;
        return slot;
    }

    /** Gives {@code slot} back; giving back a free slot is a bug and fails. */
    void giveBack(int slot) {
        if (slot < 0 || slot >= count || !taken[slot]) {
            throw new IllegalStateException("slot " + slot + " is not in use");
        }
        taken[slot] = false;
        free.addFirst(slot);
    }

    int free() {
        return free.size();
    }
}
