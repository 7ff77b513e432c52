package org.sparrowmesh.decoder.engine.kernels;

import static org.sparrowmesh.decoder.engine.kernels.VectorKernels.B;
import static org.sparrowmesh.decoder.engine.kernels.VectorKernels.F;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-tiled matrix products for Q8_0 and Q4_0 weights on the Vector API: a tile is four
 * weight rows against four activation rows, so each weight block is decoded once for every
 * activation row of the tile and each activation vector is loaded once for four weight rows;
 * leftover activation rows go four weight rows against two or one when the rows are interleaved
 * at load ({@code rows4x2}, {@code rows4x1}), else one weight row against two or one.
 *
 * <p>Why tiles. Decoding a quantized block to floats (byte → float, scale) costs three times an
 * FMA; with one sequence every weight pays it once and nothing can be shared, but with four
 * sequences a 4 × 4 tile decodes a block once for four FMAs and has sixteen independent
 * accumulator chains (batched decode, prompt chunks). Measured on one thread, 5632 × 2048
 * (AVX-512, CPU time): eight sequences 4.6 → 1.8–2.7 ms. Four (or two) rows against one sequence
 * were faster with the matrix in L3 but, streaming four strided rows from DRAM, decode ran at half
 * the speed of one row at a time (11.6 against 21 tokens/s end to end); interleaving the rows at
 * load makes the four rows one stream, and then the 4 × 1 and 4 × 2 forms win.
 *
 * <p>Two shapes of the 4 × 4 tile: Q8_0 keeps everything in registers in one method; Q4_0's
 * nibble decode makes that method too large for C2, which then boxes vectors (10× slower,
 * allocating), so Q4_0 decodes its four rows to floats first, once for several groups of four
 * activation rows ({@link #q4_0Rows4x4}).
 *
 * <p>Every (row, activation) pair adds in exactly the same order in every tile shape and in
 * {@link #dotQ8_0}/{@link #dotQ4_0} — per block, per vector: {@code acc = fma(q·d, x, acc)},
 * one accumulator, its lanes summed as a tree at the end ({@link #treeSum}) — so a sequence gets bit-identical logits
 * alone or in any batch.
 *
 * <p>Where the blocks are: a row starts at byte {@code at} of {@code data}; its next block is
 * {@code blockStride} bytes further; the tile's next row starts {@code rowStride} bytes after
 * {@code at}. As stored in GGUF, blockStride is the block size and rowStride a whole row; with the
 * rows interleaved four by four at load (block b of rows r…r+3 side by side, see
 * {@code BlockTensor}), blockStride is four blocks and rowStride one, so a 4-row tile reads one
 * sequential stream.
 */
public final class TileKernels {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    /**
     * Ints as wide as {@link VectorKernels#F}: Q4_0 bytes are widened to ints, split into nibbles
     * there, then converted to floats (see the Q4_0 section). Going through ints also matters where
     * floats are stored: a B2F conversion whose result is stored (not consumed by an FMA) is not
     * intrinsified by C2 on JDK 25 and runs 10× slower (measured); the values are the same.
     */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    /**
     * Whether a vector holds sixteen floats, one per 4-bit code: then a nibble decodes by looking
     * itself up in a table of its block's sixteen values — one permute in
     * place of a conversion and an FMA (see the Q4_0 section).
     */
    static final boolean NIBBLE_TABLES = F.length() == 16;

    /** −8, −7, …, 7: the Q4_0 codes 0…15 less their offset, as exact floats (lane q holds q − 8). */
    private static final FloatVector Q4_0_CODES = NIBBLE_TABLES
            ? (FloatVector) ((IntVector) IntVector.zero(I).addIndex(1)).sub(8).convert(VectorOperators.I2F, 0)
            : null;

    private TileKernels() {
    }

    // ---- Q8_0: blocks of 32 = f16 d + 32 × int8 ---------------------------------------------

    /** One Q8_0 row (first block at byte {@code rowAt}) against x[xOffset…]: the 1 × 1 tile. */
    public static float dotQ8_0(MemorySegment data, long rowAt, long blockStride, float[] x, int xOffset, int blocks) {
        Objects.checkFromIndexSize(xOffset, blocks * 32, x.length);
        int step = F.length();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = rowAt + b * blockStride;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, at)));
            int xi = xOffset + b * 32;
            for (int j = 0; j < 32; j += step) {
                acc = ((FloatVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, xi + j), acc);
            }
        }
        float[] lanes = SCRATCH.get();
        acc.intoArray(lanes, 0);
        return treeSum(lanes, 0, step);
    }

    /**
     * Four Q8_0 rows against activation rows in[e…e+3], all in registers: sixteen accumulator
     * chains, each block of the four rows decoded once for the four activations. (Q8_0's decode
     * is small enough for C2 to keep it all in one method; Q4_0's is not, see {@link #rows4x4}.)
     */
    public static void q8_0Rows4x4(MemorySegment data, long rowAt, long blockStride, long rowStride, float[][] in,
            int e, int blocks, float[][] out, int row) {
        float[] x0 = in[e], x1 = in[e + 1], x2 = in[e + 2], x3 = in[e + 3];
        checkActivations(blocks * 32, x0, x1, x2, x3);
        int step = F.length();
        // c<row><entry>: sixteen independent chains
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int b = 0; b < blocks; b++) {
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a0)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a1)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a3)));
            int xi = b * 32;
            for (int j = 0; j < 32; j += step) {
                FloatVector w0 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a0 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d0);
                FloatVector w1 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a1 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d1);
                FloatVector w2 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a2 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d2);
                FloatVector w3 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a3 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d3);
                FloatVector v = FloatVector.fromArray(F, x0, xi + j);
                c00 = w0.fma(v, c00);
                c10 = w1.fma(v, c10);
                c20 = w2.fma(v, c20);
                c30 = w3.fma(v, c30);
                v = FloatVector.fromArray(F, x1, xi + j);
                c01 = w0.fma(v, c01);
                c11 = w1.fma(v, c11);
                c21 = w2.fma(v, c21);
                c31 = w3.fma(v, c31);
                v = FloatVector.fromArray(F, x2, xi + j);
                c02 = w0.fma(v, c02);
                c12 = w1.fma(v, c12);
                c22 = w2.fma(v, c22);
                c32 = w3.fma(v, c32);
                v = FloatVector.fromArray(F, x3, xi + j);
                c03 = w0.fma(v, c03);
                c13 = w1.fma(v, c13);
                c23 = w2.fma(v, c23);
                c33 = w3.fma(v, c33);
            }
        }
        float[] w = SCRATCH.get();
        int n = step;
        c00.intoArray(w, 0);
        c10.intoArray(w, n);
        c20.intoArray(w, 2 * n);
        c30.intoArray(w, 3 * n);
        c01.intoArray(w, 4 * n);
        c11.intoArray(w, 5 * n);
        c21.intoArray(w, 6 * n);
        c31.intoArray(w, 7 * n);
        c02.intoArray(w, 8 * n);
        c12.intoArray(w, 9 * n);
        c22.intoArray(w, 10 * n);
        c32.intoArray(w, 11 * n);
        c03.intoArray(w, 12 * n);
        c13.intoArray(w, 13 * n);
        c23.intoArray(w, 14 * n);
        c33.intoArray(w, 15 * n);
        storeSums(w, n, out, e, row);
    }

    /**
     * One Q8_0 row against two activation rows: out0[row], out1[row]. Leftover sequences go in pairs
     * so a row streamed from memory serves two of them (and gives two FMA chains).
     */
    public static void q8_0Row1x2(MemorySegment data, long rowAt, long blockStride, float[] x0, float[] x1, int blocks,
            float[] out0, float[] out1, int row) {
        Objects.checkFromIndexSize(0, blocks * 32, x0.length);
        Objects.checkFromIndexSize(0, blocks * 32, x1.length);
        int step = F.length();
        FloatVector c0 = FloatVector.zero(F), c1 = c0;
        for (int b = 0; b < blocks; b++) {
            long at = rowAt + b * blockStride;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, at)));
            int xi = b * 32;
            for (int j = 0; j < 32; j += step) {
                FloatVector w = ((FloatVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d);
                c0 = w.fma(FloatVector.fromArray(F, x0, xi + j), c0);
                c1 = w.fma(FloatVector.fromArray(F, x1, xi + j), c1);
            }
        }
        float[] lanes = SCRATCH.get();
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, step);
        out0[row] = treeSum(lanes, 0, step);
        out1[row] = treeSum(lanes, step, step);
    }

    /**
     * Four Q8_0 rows against two activation rows: out0[row…row+3], out1[row…row+3]. Eight
     * independent FMA chains over one stream when the rows are interleaved (two sequences decoding:
     * one row against two, {@link #q8_0Row1x2}, has two chains and ran slower than one sequence).
     */
    public static void q8_0Rows4x2(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x0,
            float[] x1, int blocks, float[] out0, float[] out1, int row) {
        Objects.checkFromIndexSize(0, blocks * 32, x0.length);
        Objects.checkFromIndexSize(0, blocks * 32, x1.length);
        int step = F.length();
        // c<row>: against x0, e<row>: against x1
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        FloatVector e0 = c0, e1 = c0, e2 = c0, e3 = c0;
        for (int b = 0; b < blocks; b++) {
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a0)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a1)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a3)));
            int xi = b * 32;
            for (int j = 0; j < 32; j += step) {
                FloatVector v = FloatVector.fromArray(F, x0, xi + j), u = FloatVector.fromArray(F, x1, xi + j);
                FloatVector w = ((FloatVector) ByteVector.fromMemorySegment(B, data, a0 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d0);
                c0 = w.fma(v, c0);
                e0 = w.fma(u, e0);
                w = ((FloatVector) ByteVector.fromMemorySegment(B, data, a1 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d1);
                c1 = w.fma(v, c1);
                e1 = w.fma(u, e1);
                w = ((FloatVector) ByteVector.fromMemorySegment(B, data, a2 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d2);
                c2 = w.fma(v, c2);
                e2 = w.fma(u, e2);
                w = ((FloatVector) ByteVector.fromMemorySegment(B, data, a3 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d3);
                c3 = w.fma(v, c3);
                e3 = w.fma(u, e3);
            }
        }
        float[] lanes = SCRATCH.get();
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, step);
        c2.intoArray(lanes, 2 * step);
        c3.intoArray(lanes, 3 * step);
        e0.intoArray(lanes, 4 * step);
        e1.intoArray(lanes, 5 * step);
        e2.intoArray(lanes, 6 * step);
        e3.intoArray(lanes, 7 * step);
        storeSums(lanes, step, out0, row);
        storeSums(lanes, 4 * step, step, out1, row);
    }

    /**
     * Four Q8_0 rows against one activation row x: out[row…row+3]. Four independent FMA chains,
     * where one row alone waits on the FMA latency twice per block; worth it only when the four
     * rows are one stream in memory (interleaved at load): read as four strided streams from DRAM
     * it ran at half the speed of one row at a time.
     */
    public static void q8_0Rows4x1(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x,
            int blocks, float[] out, int row) {
        Objects.checkFromIndexSize(0, blocks * 32, x.length);
        int step = F.length();
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int b = 0; b < blocks; b++) {
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a0)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a1)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a3)));
            int xi = b * 32;
            for (int j = 0; j < 32; j += step) {
                FloatVector v = FloatVector.fromArray(F, x, xi + j);
                c0 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a0 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d0).fma(v, c0);
                c1 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a1 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d1).fma(v, c1);
                c2 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a2 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d2).fma(v, c2);
                c3 = ((FloatVector) ByteVector.fromMemorySegment(B, data, a3 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d3).fma(v, c3);
            }
        }
        // stored here, not passed to a helper: a vector handed to a call C2 does not inline is boxed
        float[] w = SCRATCH.get();
        c0.intoArray(w, 0);
        c1.intoArray(w, step);
        c2.intoArray(w, 2 * step);
        c3.intoArray(w, 3 * step);
        storeSums(w, step, out, row);
    }

    // ---- Q4_0: blocks of 32 = f16 d + 16 bytes; low nibbles are values 0..15, high 16..31 ----
    // A value is (q − 8)·d, computed as fma(q, d, −8d): the same single rounding of the same exact
    // product (8d is exact), so bit-identical to the reference, one byte subtraction less.
    // Per vector of bytes: the low nibbles' FMA first, then the high nibbles'.
    // The bytes are widened to ints before the nibbles are split: x86 has no byte shift, and C2's
    // emulation of one made the nibble decode the bottleneck (four Q4_0 rows against one sequence,
    // 75 MB from DRAM, one thread: 7.3 → 13.7 GB/s).
    // One loop over (block, vector of the block's bytes) rather than a loop over vectors inside the
    // loop over blocks: on 512 bits that inner loop runs once, and C2 compiled it 1.5× slower than
    // straight code (same kernel, 9.5 against 14.1 GB/s). Narrower vectors reload a block's scale per
    // vector; Q8_0 measured that not to pay (its inner loop runs twice), so Q8_0 keeps its loops.
    // With sixteen float lanes (NIBBLE_TABLES), the hot shapes (4 × 1, 4 × 2 and the 4 × 4 decode)
    // look the nibbles up instead: a block's table, Q4_0_CODES · d, holds (q − 8)·d for q = 0…15,
    // the very products of the reference, so the values are bit-identical; a permute (selectFrom)
    // replaces conversion and FMA. The table is written out at each use, not built in a helper that
    // returns it: a returned vector is boxed whenever C2 declines to inline (see the k-quant notes).
    // Four rows against one sequence, 75 MB from DRAM: 13.7 → 15.2 GB/s on one core, 26.3 → 31.3 on two.


    /** One Q4_0 row (first block at byte {@code rowAt}) against x[xOffset…]: the 1 × 1 tile. */
    public static float dotQ4_0(MemorySegment data, long rowAt, long blockStride, float[] x, int xOffset, int blocks) {
        Objects.checkFromIndexSize(xOffset, blocks * 32, x.length);
        int step = F.length();
        int perBlock = 16 / step; // vectors of nibble bytes per block (see above)
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0, steps = blocks * perBlock; k < steps; k++) {
            int b = k / perBlock, j = (k - b * perBlock) * step;
            long at = rowAt + b * blockStride;
            float ds = Float.float16ToFloat(data.get(F16, at));
            FloatVector d = FloatVector.broadcast(F, ds);
            FloatVector m = FloatVector.broadcast(F, -8f * ds);
            int xi = xOffset + b * 32;
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            acc = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d, m).fma(FloatVector.fromArray(F, x, xi + j), acc);
            acc = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d, m).fma(FloatVector.fromArray(F, x, xi + 16 + j), acc);
        }
        float[] lanes = SCRATCH.get();
        acc.intoArray(lanes, 0);
        return treeSum(lanes, 0, step);
    }

    /** Decodes the first {@code count} blocks of the tile's four rows into scratch (row r at r · count · 32). */
    static void decodeQ4_0Rows4(MemorySegment data, long rowAt, long blockStride, long rowStride, int count,
            float[] scratch) {
        if (NIBBLE_TABLES) {
            decodeQ4_0Rows4Tables(data, rowAt, blockStride, rowStride, count, scratch);
            return;
        }
        int step = F.length();
        int perBlock = 16 / step; // vectors of nibble bytes per block (see above)
        for (int r = 0; r < 4; r++) {
            int o = r * count * 32;
            for (int k = 0, steps = count * perBlock; k < steps; k++) {
                int b = k / perBlock, j = (k - b * perBlock) * step;
                long at = rowAt + b * blockStride + r * rowStride;
                float ds = Float.float16ToFloat(data.get(F16, at));
                FloatVector d = FloatVector.broadcast(F, ds);
                FloatVector m = FloatVector.broadcast(F, -8f * ds);
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0))
                        .fma(d, m).intoArray(scratch, o + b * 32 + j);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(d, m).intoArray(scratch, o + b * 32 + 16 + j);
            }
        }
    }

    /** One Q4_0 row against two activation rows: out0[row], out1[row]. */
    public static void q4_0Row1x2(MemorySegment data, long rowAt, long blockStride, float[] x0, float[] x1, int blocks,
            float[] out0, float[] out1, int row) {
        Objects.checkFromIndexSize(0, blocks * 32, x0.length);
        Objects.checkFromIndexSize(0, blocks * 32, x1.length);
        int step = F.length();
        int perBlock = 16 / step; // vectors of nibble bytes per block (see above)
        FloatVector c0 = FloatVector.zero(F), c1 = c0;
        for (int k = 0, steps = blocks * perBlock; k < steps; k++) {
            int b = k / perBlock, j = (k - b * perBlock) * step;
            long at = rowAt + b * blockStride;
            float ds = Float.float16ToFloat(data.get(F16, at));
            FloatVector d = FloatVector.broadcast(F, ds);
            FloatVector m = FloatVector.broadcast(F, -8f * ds);
            int xi = b * 32;
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d, m);
            FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d, m);
            c0 = lo.fma(FloatVector.fromArray(F, x0, xi + j), c0);
            c1 = lo.fma(FloatVector.fromArray(F, x1, xi + j), c1);
            c0 = hi.fma(FloatVector.fromArray(F, x0, xi + 16 + j), c0);
            c1 = hi.fma(FloatVector.fromArray(F, x1, xi + 16 + j), c1);
        }
        float[] lanes = SCRATCH.get();
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, step);
        out0[row] = treeSum(lanes, 0, step);
        out1[row] = treeSum(lanes, step, step);
    }

    /**
     * Four Q4_0 rows against two activation rows: out0[row…row+3], out1[row…row+3], eight FMA
     * chains (see {@link #q8_0Rows4x2}).
     */
    public static void q4_0Rows4x2(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x0,
            float[] x1, int blocks, float[] out0, float[] out1, int row) {
        Objects.checkFromIndexSize(0, blocks * 32, x0.length);
        Objects.checkFromIndexSize(0, blocks * 32, x1.length);
        if (NIBBLE_TABLES) {
            q4_0Rows4x2Tables(data, rowAt, blockStride, rowStride, x0, x1, blocks, out0, out1, row);
            return;
        }
        int step = F.length();
        int perBlock = 16 / step; // vectors of nibble bytes per block (see above)
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        FloatVector e0 = c0, e1 = c0, e2 = c0, e3 = c0;
        for (int k = 0, steps = blocks * perBlock; k < steps; k++) {
            int b = k / perBlock, j = (k - b * perBlock) * step;
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            int xi = b * 32;
            FloatVector vlo = FloatVector.fromArray(F, x0, xi + j), vhi = FloatVector.fromArray(F, x0, xi + 16 + j);
            FloatVector ulo = FloatVector.fromArray(F, x1, xi + j), uhi = FloatVector.fromArray(F, x1, xi + 16 + j);
            float s = Float.float16ToFloat(data.get(F16, a0));
            FloatVector d = FloatVector.broadcast(F, s), m = FloatVector.broadcast(F, -8f * s);
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, a0 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d, m);
            FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d, m);
            c0 = hi.fma(vhi, lo.fma(vlo, c0));
            e0 = hi.fma(uhi, lo.fma(ulo, e0));
            s = Float.float16ToFloat(data.get(F16, a1));
            d = FloatVector.broadcast(F, s);
            m = FloatVector.broadcast(F, -8f * s);
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a1 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d, m);
            hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d, m);
            c1 = hi.fma(vhi, lo.fma(vlo, c1));
            e1 = hi.fma(uhi, lo.fma(ulo, e1));
            s = Float.float16ToFloat(data.get(F16, a2));
            d = FloatVector.broadcast(F, s);
            m = FloatVector.broadcast(F, -8f * s);
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a2 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d, m);
            hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d, m);
            c2 = hi.fma(vhi, lo.fma(vlo, c2));
            e2 = hi.fma(uhi, lo.fma(ulo, e2));
            s = Float.float16ToFloat(data.get(F16, a3));
            d = FloatVector.broadcast(F, s);
            m = FloatVector.broadcast(F, -8f * s);
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a3 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d, m);
            hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d, m);
            c3 = hi.fma(vhi, lo.fma(vlo, c3));
            e3 = hi.fma(uhi, lo.fma(ulo, e3));
        }
        float[] lanes = SCRATCH.get();
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, step);
        c2.intoArray(lanes, 2 * step);
        c3.intoArray(lanes, 3 * step);
        e0.intoArray(lanes, 4 * step);
        e1.intoArray(lanes, 5 * step);
        e2.intoArray(lanes, 6 * step);
        e3.intoArray(lanes, 7 * step);
        storeSums(lanes, step, out0, row);
        storeSums(lanes, 4 * step, step, out1, row);
    }

    /**
     * Four Q4_0 rows against one activation row x: out[row…row+3], four independent FMA chains
     * (see {@link #q8_0Rows4x1}). The block's two activation vectors are loaded once for the four rows.
     */
    public static void q4_0Rows4x1(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x,
            int blocks, float[] out, int row) {
        Objects.checkFromIndexSize(0, blocks * 32, x.length);
        if (NIBBLE_TABLES) {
            q4_0Rows4x1Tables(data, rowAt, blockStride, rowStride, x, blocks, out, row);
            return;
        }
        int step = F.length();
        int perBlock = 16 / step; // vectors of nibble bytes per block (see above)
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k = 0, steps = blocks * perBlock; k < steps; k++) {
            int b = k / perBlock, j = (k - b * perBlock) * step;
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            float s0 = Float.float16ToFloat(data.get(F16, a0)), s1 = Float.float16ToFloat(data.get(F16, a1));
            float s2 = Float.float16ToFloat(data.get(F16, a2)), s3 = Float.float16ToFloat(data.get(F16, a3));
            FloatVector d0 = FloatVector.broadcast(F, s0), m0 = FloatVector.broadcast(F, -8f * s0);
            FloatVector d1 = FloatVector.broadcast(F, s1), m1 = FloatVector.broadcast(F, -8f * s1);
            FloatVector d2 = FloatVector.broadcast(F, s2), m2 = FloatVector.broadcast(F, -8f * s2);
            FloatVector d3 = FloatVector.broadcast(F, s3), m3 = FloatVector.broadcast(F, -8f * s3);
            int xi = b * 32;
            FloatVector lo = FloatVector.fromArray(F, x, xi + j), hi = FloatVector.fromArray(F, x, xi + 16 + j);
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, a0 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(lo, c0);
            c0 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(hi, c0);
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a1 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c1 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(lo, c1);
            c1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(hi, c1);
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a2 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c2 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(lo, c2);
            c2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(hi, c2);
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a3 + 2 + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c3 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(lo, c3);
            c3 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(hi, c3);
        }
        // stored here, not passed to a helper: a vector handed to a call C2 does not inline is boxed
        float[] w = SCRATCH.get();
        c0.intoArray(w, 0);
        c1.intoArray(w, step);
        c2.intoArray(w, 2 * step);
        c3.intoArray(w, 3 * step);
        storeSums(w, step, out, row);
    }

    /** {@link #q4_0Rows4x1} with nibble tables (sixteen lanes: one vector of bytes per block). */
    private static void q4_0Rows4x1Tables(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x,
            int blocks, float[] out, int row) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int b = 0; b < blocks; b++) {
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            int xi = b * 32;
            FloatVector lo = FloatVector.fromArray(F, x, xi), hi = FloatVector.fromArray(F, x, xi + 16);
            IntVector t, q;
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a0))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a0 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c0 = q.and(0x0F).selectFrom(t).reinterpretAsFloats().fma(lo, c0);
            c0 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().fma(hi, c0);
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a1))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a1 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c1 = q.and(0x0F).selectFrom(t).reinterpretAsFloats().fma(lo, c1);
            c1 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().fma(hi, c1);
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a2))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a2 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c2 = q.and(0x0F).selectFrom(t).reinterpretAsFloats().fma(lo, c2);
            c2 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().fma(hi, c2);
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a3))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a3 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            c3 = q.and(0x0F).selectFrom(t).reinterpretAsFloats().fma(lo, c3);
            c3 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().fma(hi, c3);
        }
        float[] w = SCRATCH.get();
        c0.intoArray(w, 0);
        c1.intoArray(w, 16);
        c2.intoArray(w, 32);
        c3.intoArray(w, 48);
        storeSums(w, 16, out, row);
    }

    /** {@link #q4_0Rows4x2} with nibble tables (sixteen lanes: one vector of bytes per block). */
    private static void q4_0Rows4x2Tables(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x0,
            float[] x1, int blocks, float[] out0, float[] out1, int row) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        FloatVector e0 = c0, e1 = c0, e2 = c0, e3 = c0;
        for (int b = 0; b < blocks; b++) {
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            int xi = b * 32;
            FloatVector vlo = FloatVector.fromArray(F, x0, xi), vhi = FloatVector.fromArray(F, x0, xi + 16);
            FloatVector ulo = FloatVector.fromArray(F, x1, xi), uhi = FloatVector.fromArray(F, x1, xi + 16);
            IntVector t, q;
            FloatVector lo, hi;
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a0))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a0 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            lo = q.and(0x0F).selectFrom(t).reinterpretAsFloats();
            hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
            c0 = hi.fma(vhi, lo.fma(vlo, c0));
            e0 = hi.fma(uhi, lo.fma(ulo, e0));
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a1))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a1 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            lo = q.and(0x0F).selectFrom(t).reinterpretAsFloats();
            hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
            c1 = hi.fma(vhi, lo.fma(vlo, c1));
            e1 = hi.fma(uhi, lo.fma(ulo, e1));
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a2))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a2 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            lo = q.and(0x0F).selectFrom(t).reinterpretAsFloats();
            hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
            c2 = hi.fma(vhi, lo.fma(vlo, c2));
            e2 = hi.fma(uhi, lo.fma(ulo, e2));
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a3))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a3 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            lo = q.and(0x0F).selectFrom(t).reinterpretAsFloats();
            hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
            c3 = hi.fma(vhi, lo.fma(vlo, c3));
            e3 = hi.fma(uhi, lo.fma(ulo, e3));
        }
        float[] lanes = SCRATCH.get();
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, 16);
        c2.intoArray(lanes, 32);
        c3.intoArray(lanes, 48);
        e0.intoArray(lanes, 64);
        e1.intoArray(lanes, 80);
        e2.intoArray(lanes, 96);
        e3.intoArray(lanes, 112);
        storeSums(lanes, 16, out0, row);
        storeSums(lanes, 64, 16, out1, row);
    }

    /**
     * {@link #decodeQ4_0Rows4} with nibble tables (sixteen lanes: one vector of bytes per block).
     * The four rows' blocks b sit side by side in the interleaved layout, so one iteration decodes
     * all four: one address computation and one set of checks per four blocks. Row by row, the
     * loop ran 14 cycles per block, most of it address and bounds arithmetic around one table.
     */
    private static void decodeQ4_0Rows4Tables(MemorySegment data, long rowAt, long blockStride, long rowStride, int count,
            float[] scratch) {
        int o1 = count * 32, o2 = 2 * o1, o3 = 3 * o1;
        Objects.checkFromIndexSize(0, 4 * o1, scratch.length);
        for (int b = 0; b < count; b++) {
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            int o = b * 32;
            IntVector t, q;
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a0))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a0 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            q.and(0x0F).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o);
            q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o + 16);
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a1))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a1 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            q.and(0x0F).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o1 + o);
            q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o1 + o + 16);
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a2))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a2 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            q.and(0x0F).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o2 + o);
            q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o2 + o + 16);
            t = Q4_0_CODES.mul(Float.float16ToFloat(data.get(F16, a3))).reinterpretAsInts();
            q = (IntVector) ByteVector.fromMemorySegment(B, data, a3 + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            q.and(0x0F).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o3 + o);
            q.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats().intoArray(scratch, o3 + o + 16);
        }
    }

    // ---- shared ---------------------------------------------------------------------------------

    /** Per thread: the lanes of the accumulators on their way to {@link #treeSum} / {@link #sumRows4}. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[16 * F.length()]);

    /** Per thread: a Q4_0 tile's four rows decoded to floats; grows to the widest row met (then stays). */
    private static final ThreadLocal<float[]> DECODED = ThreadLocal.withInitial(() -> new float[4 * 2048]);

    /**
     * Four Q4_0 rows against in[e…e + 4·groups): the four rows are decoded whole to floats once
     * ({@link #decodeQ4_0Rows4}), then each group of four entries runs a plain float 4 × 4 kernel
     * with sixteen accumulator chains over them ({@link #floatRows4x4}). Decoding a nibble costs
     * more than the FMAs of four entries, so a prompt chunk or a batch of samples decodes each
     * block once per call rather than once per four entries. Decoding apart also keeps the FMA loop
     * small enough for C2 to keep every vector in a register (one method doing both grew past its
     * inlining budget and boxed vectors). The floats are exactly the {@code q·d} the direct kernels
     * multiply, so the sums are bit-identical to {@link #dotQ4_0}.
     */
    public static void q4_0Rows4x4(MemorySegment data, long rowAt, long blockStride, long rowStride, float[][] in,
            int e, int groups, int blocks, float[][] out, int row) {
        float[] w = decodedRows(blocks * 32);
        decodeQ4_0Rows4(data, rowAt, blockStride, rowStride, blocks, w);
        groupsOverDecoded(w, blocks * 32, in, e, groups, out, row);
    }

    /** Each of {@code groups} groups of four entries from e against four rows decoded into w. */
    private static void groupsOverDecoded(float[] w, int values, float[][] in, int e, int groups, float[][] out,
            int row) {
        for (int g = 0; g < groups; g++) {
            floatRows4x4(w, values, in, e + 4 * g, out, row);
        }
    }

    /**
     * Four Q8_0 rows against in[e…e + 4·groups), the rows decoded once to floats for all groups
     * ({@link #decodeQ8_0Rows4}) and each group run by {@link #floatRows4x4}: the floats are the
     * {@code q·d} {@link #q8_0Rows4x4} multiplies in registers, in the same order, so the sums are
     * the same bits. Pays once several groups share the decode (see {@link TileKernel#rows4x4}).
     */
    public static void q8_0Rows4x4Decoded(MemorySegment data, long rowAt, long blockStride, long rowStride,
            float[][] in, int e, int groups, int blocks, float[][] out, int row) {
        float[] w = decodedRows(blocks * 32);
        decodeQ8_0Rows4(data, rowAt, blockStride, rowStride, blocks, w);
        groupsOverDecoded(w, blocks * 32, in, e, groups, out, row);
    }

    /** Four Q8_0 rows' {@code q·d} into scratch (row r at r · count · 32), the four rows' block b in one iteration. */
    static void decodeQ8_0Rows4(MemorySegment data, long rowAt, long blockStride, long rowStride, int count,
            float[] scratch) {
        int o1 = count * 32, o2 = 2 * o1, o3 = 3 * o1;
        Objects.checkFromIndexSize(0, 4 * o1, scratch.length);
        int step = F.length();
        for (int b = 0; b < count; b++) {
            long a0 = rowAt + b * blockStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a0)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a1)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, a3)));
            for (int j = 0; j < 32; j += step) {
                int o = b * 32 + j;
                ((FloatVector) ByteVector.fromMemorySegment(B, data, a0 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d0).intoArray(scratch, o);
                ((FloatVector) ByteVector.fromMemorySegment(B, data, a1 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d1).intoArray(scratch, o1 + o);
                ((FloatVector) ByteVector.fromMemorySegment(B, data, a2 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d2).intoArray(scratch, o2 + o);
                ((FloatVector) ByteVector.fromMemorySegment(B, data, a3 + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d3).intoArray(scratch, o3 + o);
            }
        }
    }

    /** This thread's scratch for four decoded rows of {@code values} each. */
    private static float[] decodedRows(int values) {
        float[] w = DECODED.get();
        if (w.length < 4 * values) {
            w = new float[4 * values];
            DECODED.set(w);
        }
        return w;
    }

    /** Four float rows (row r at w[r · values …]) against in[e…e+3]: into out[e + i][row…row+3]. */
    private static void floatRows4x4(float[] w, int values, float[][] in, int e, float[][] out, int row) {
        float[] x0 = in[e], x1 = in[e + 1], x2 = in[e + 2], x3 = in[e + 3];
        checkActivations(values, x0, x1, x2, x3);
        Objects.checkFromIndexSize(0, 4 * values, w.length);
        int step = F.length();
        // c<row><entry>: sixteen independent chains
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int j = 0; j < values; j += step) {
            FloatVector w0 = FloatVector.fromArray(F, w, j);
            FloatVector w1 = FloatVector.fromArray(F, w, values + j);
            FloatVector w2 = FloatVector.fromArray(F, w, 2 * values + j);
            FloatVector w3 = FloatVector.fromArray(F, w, 3 * values + j);
            FloatVector v = FloatVector.fromArray(F, x0, j);
            c00 = w0.fma(v, c00);
            c10 = w1.fma(v, c10);
            c20 = w2.fma(v, c20);
            c30 = w3.fma(v, c30);
            v = FloatVector.fromArray(F, x1, j);
            c01 = w0.fma(v, c01);
            c11 = w1.fma(v, c11);
            c21 = w2.fma(v, c21);
            c31 = w3.fma(v, c31);
            v = FloatVector.fromArray(F, x2, j);
            c02 = w0.fma(v, c02);
            c12 = w1.fma(v, c12);
            c22 = w2.fma(v, c22);
            c32 = w3.fma(v, c32);
            v = FloatVector.fromArray(F, x3, j);
            c03 = w0.fma(v, c03);
            c13 = w1.fma(v, c13);
            c23 = w2.fma(v, c23);
            c33 = w3.fma(v, c33);
        }
        // lanes out through the scratch, summed as trees (storeSums)
        float[] lanes = SCRATCH.get();
        int n = step;
        c00.intoArray(lanes, 0);
        c10.intoArray(lanes, n);
        c20.intoArray(lanes, 2 * n);
        c30.intoArray(lanes, 3 * n);
        c01.intoArray(lanes, 4 * n);
        c11.intoArray(lanes, 5 * n);
        c21.intoArray(lanes, 6 * n);
        c31.intoArray(lanes, 7 * n);
        c02.intoArray(lanes, 8 * n);
        c12.intoArray(lanes, 9 * n);
        c22.intoArray(lanes, 10 * n);
        c32.intoArray(lanes, 11 * n);
        c03.intoArray(lanes, 12 * n);
        c13.intoArray(lanes, 13 * n);
        c23.intoArray(lanes, 14 * n);
        c33.intoArray(lanes, 15 * n);
        storeSums(lanes, n, out, e, row);
    }

    // ---- lane sums ------------------------------------------------------------------------------
    // An accumulator's lanes are summed as a tree, lane j with lane j + n/2, then j + n/4, …: the
    // same order for every tile shape and the 1 × 1 tile, so a sequence alone and in a batch still
    // agree bit for bit. In lane order (sixteen dependent scalar adds per row, through memory) the
    // sums took 3.3% of a Q4_0 decode step on one sequence (perf); four rows' trees run as vector
    // permutes and adds instead (sumRows4).

    /**
     * Σ of the n lanes (a power of two) at w[from…], as a tree: lane j plus lane j + n/2, halving.
     * Sums in place: w[from…from + n) is the caller's scratch and is overwritten.
     */
    static float treeSum(float[] w, int from, int n) {
        for (int half = n >> 1; half > 0; half >>= 1) {
            for (int j = from; j < from + half; j++) {
                w[j] += w[j + half];
            }
        }
        return w[from];
    }

    /** Four accumulators' lanes (row-major in w) summed as {@link #treeSum} into out[row…row+3]. */
    private static void storeSums(float[] w, int n, float[] out, int row) {
        storeSums(w, 0, n, out, row);
    }

    /** As {@link #storeSums(float[], int, float[], int)}, the four accumulators' lanes from w[from…]. */
    private static void storeSums(float[] w, int from, int n, float[] out, int row) {
        if (VECTOR_TREES) {
            sumRows4(w, from, out, row);
            return;
        }
        for (int r = 0; r < 4; r++) {
            out[row + r] = treeSum(w, from + r * n, n);
        }
    }

    /** The sixteen accumulators' lanes (entry-major in w) summed as {@link #treeSum} into out[e + i][row + r]. */
    private static void storeSums(float[] w, int n, float[][] out, int e, int row) {
        for (int entry = 0; entry < 4; entry++) {
            storeSums(w, entry * 4 * n, n, out[e + entry], row);
        }
    }

    /** Whether {@link #sumRows4} applies: sixteen float lanes. */
    private static final boolean VECTOR_TREES = F.length() == 16;

    // Lane indices of the tree levels over two sources (a lane ≥ 16 is lane − 16 of the second):
    // level 1 pairs lane j with j + 8 of rows 0 and 1 (or 2 and 3), level 2 lane j with j + 4 of
    // all four rows' eight-lane partials, then j with j + 2 and j with j + 1 within one vector.
    private static final IntVector LEFT_8 = VECTOR_TREES ? lanes(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) : null;
    private static final IntVector RIGHT_8 = VECTOR_TREES ? lanes(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31) : null;
    private static final IntVector LEFT_4 = VECTOR_TREES ? lanes(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) : null;
    private static final IntVector RIGHT_4 = VECTOR_TREES ? lanes(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31) : null;
    private static final IntVector LEFT_2 = VECTOR_TREES ? lanes(0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13) : null;
    private static final IntVector RIGHT_2 = VECTOR_TREES ? lanes(2, 3, 6, 7, 10, 11, 14, 15, 2, 3, 6, 7, 10, 11, 14, 15) : null;
    private static final IntVector LEFT_1 = VECTOR_TREES ? lanes(0, 2, 4, 6, 0, 2, 4, 6, 0, 2, 4, 6, 0, 2, 4, 6) : null;
    private static final IntVector RIGHT_1 = VECTOR_TREES ? lanes(1, 3, 5, 7, 1, 3, 5, 7, 1, 3, 5, 7, 1, 3, 5, 7) : null;

    private static IntVector lanes(int... indices) {
        return IntVector.fromArray(I, indices, 0);
    }

    /**
     * Four sixteen-lane accumulators at w[from…from + 64) summed as {@link #treeSum} into
     * out[row…row+3], the four trees at once: each level gathers every row's left and right halves
     * into two vectors (permutes) and adds them — the same additions in the same pairs.
     */
    static void sumRows4(float[] w, int from, float[] out, int row) {
        IntVector c0 = FloatVector.fromArray(F, w, from).reinterpretAsInts();
        IntVector c1 = FloatVector.fromArray(F, w, from + 16).reinterpretAsInts();
        IntVector c2 = FloatVector.fromArray(F, w, from + 32).reinterpretAsInts();
        IntVector c3 = FloatVector.fromArray(F, w, from + 48).reinterpretAsInts();
        IntVector x01 = LEFT_8.selectFrom(c0, c1).reinterpretAsFloats().add(RIGHT_8.selectFrom(c0, c1).reinterpretAsFloats()).reinterpretAsInts();
        IntVector x23 = LEFT_8.selectFrom(c2, c3).reinterpretAsFloats().add(RIGHT_8.selectFrom(c2, c3).reinterpretAsFloats()).reinterpretAsInts();
        IntVector y = LEFT_4.selectFrom(x01, x23).reinterpretAsFloats().add(RIGHT_4.selectFrom(x01, x23).reinterpretAsFloats()).reinterpretAsInts();
        IntVector z = LEFT_2.selectFrom(y).reinterpretAsFloats().add(RIGHT_2.selectFrom(y).reinterpretAsFloats()).reinterpretAsInts();
        FloatVector sums = LEFT_1.selectFrom(z).reinterpretAsFloats().add(RIGHT_1.selectFrom(z).reinterpretAsFloats());
        ((FloatVector) sums.reinterpretShape(FloatVector.SPECIES_128, 0)).intoArray(out, row); // lanes 0…3: the rows' sums
    }

    /**
     * Checks the four activation ranges once, up front: C2 then drops the per-load range checks in
     * the block loop.
     */
    private static void checkActivations(int length, float[] x0, float[] x1, float[] x2, float[] x3) {
        Objects.checkFromIndexSize(0, length, x0.length);
        Objects.checkFromIndexSize(0, length, x1.length);
        Objects.checkFromIndexSize(0, length, x2.length);
        Objects.checkFromIndexSize(0, length, x3.length);
    }
}
