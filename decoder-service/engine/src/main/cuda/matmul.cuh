// matmul.cuh — the body shared by matmul_{f32,f16,q8_0,q4_0}.cu: W (rows, n) @ X (n, batch).
//
// Most of the decoder's time is spent here: every weight byte is read once per step whatever the
// batch size. Layout: one warp per output row (MATMUL_WARPS rows per block); the activations of
// every batch entry are staged in shared-memory tiles of MATMUL_TILE columns (coalesced global
// loads, conflict-free float reads); each lane takes 4 consecutive columns per iteration, so a
// warp reads 128 consecutive weights — 4 contiguous Q8_0 blocks (136 bytes) or 2 KB of F32 —
// and dequantizes them in registers; the lanes' partial sums meet in a shuffle reduction.
#pragma once

#include "common.cuh"

#define MATMUL_WARPS 4
#define MATMUL_THREADS (MATMUL_WARPS * WARP)
#define MATMUL_TILE 1024
#define MATMUL_MAX_BATCH 8

// One lane's share of a tile: columns t0 + lane*4 + k*128 (+0..3) for every entry of the batch.
// xs holds the tile, entry b at xs[b * xStride]; acc[b] accumulates entry b's partial sum.
template <typename Format>
HD void matmul_lane(const uint8_t* row, const float* xs, int xStride, int t0, int len,
                    int lane, int batch, float* acc) {
    for (int c = lane * 4; c < len; c += WARP * 4) {
        float w[4];
        Format::load4(row, t0 + c, w);
        for (int b = 0; b < MATMUL_MAX_BATCH; b++) {
            if (b < batch) {
                const float* xv = xs + b * xStride + c;
                acc[b] += w[0] * xv[0] + w[1] * xv[1] + w[2] * xv[2] + w[3] * xv[3];
            }
        }
    }
}

#ifdef __CUDACC__
// out[b * rows + r] = Σ_i W[r, i] · x[b * n + i] for b < batch (≤ MATMUL_MAX_BATCH);
// grid.x = ceil(rows / MATMUL_WARPS), block = MATMUL_THREADS. Larger batches are split by the
// launcher, which also asserts n % Format::COLUMN_MULTIPLE == 0.
template <typename Format>
__device__ __forceinline__ void matmul_body(const uint8_t* __restrict__ W, const float* __restrict__ x,
                                            float* __restrict__ out, int rows, int n, int batch) {
    __shared__ float xs[MATMUL_MAX_BATCH * MATMUL_TILE];
    DEVICE_REQUIRE(blockDim.x == MATMUL_THREADS && batch >= 1 && batch <= MATMUL_MAX_BATCH
                   && n % Format::COLUMN_MULTIPLE == 0);
    const int warp = threadIdx.x / WARP;
    const int lane = threadIdx.x % WARP;
    const int row = blockIdx.x * MATMUL_WARPS + warp;
    const uint8_t* w = W + (size_t)row * Format::row_bytes(n);
    float acc[MATMUL_MAX_BATCH];
#pragma unroll
    for (int b = 0; b < MATMUL_MAX_BATCH; b++) acc[b] = 0.f;
    for (int t0 = 0; t0 < n; t0 += MATMUL_TILE) {
        const int len = min(MATMUL_TILE, n - t0);
        __syncthreads(); // the previous tile is no longer read
        for (int idx = threadIdx.x; idx < batch * len; idx += blockDim.x) {
            const int b = idx / len;
            const int c = idx - b * len;
            xs[b * MATMUL_TILE + c] = x[(size_t)b * n + t0 + c];
        }
        __syncthreads();
        if (row < rows) {
            matmul_lane<Format>(w, xs, MATMUL_TILE, t0, len, lane, batch, acc);
        }
    }
    if (row < rows) { // uniform per warp: every lane of the warp takes part in the shuffles
#pragma unroll
        for (int b = 0; b < MATMUL_MAX_BATCH; b++) {
            if (b < batch) {
                const float s = warp_sum(acc[b]);
                if (lane == 0) out[(size_t)b * rows + row] = s;
            }
        }
    }
}
#endif
