// attention.cu — causal grouped-query attention of one new token per batch entry over its KV
// cache, flash-decoding style: the positions 0..pos are cut into splits of ATTENTION_SPLIT; one
// block per (split, head, entry) computes its scores, their max m, Σ exp(s − m) = l and the
// exp-weighted sum of values (attention_split); attention_combine rescales the splits to their
// common max and divides by the total: out = Σ_s e^(m_s − M) acc_s / Σ_s e^(m_s − M) l_s.
// Long contexts thus spread over many SMs even at batch 1.
#include "common.cuh"

#ifndef ATTENTION_SPLIT // host_test is built with a smaller split, so short prompts cross several
#define ATTENTION_SPLIT 256
#endif
#define ATTENTION_THREADS 128
#define ATTENTION_WARPS (ATTENTION_THREADS / WARP)

// Lane's share of q·k over the head: dimensions lane, lane + lanes, … (coalesced over a key row).
HD float attention_dot_lane(const float* q, const float* k, int headSize, int lane, int lanes) {
    float sum = 0.f;
    for (int d = lane; d < headSize; d += lanes) sum += q[d] * k[d];
    return sum;
}

HD float attention_weight(float score, float max) {
    return (float)exp((double)(score - max));
}

// Dimension d of Σ_t p[t] · v_t over a split's `count` positions (value rows kvDim apart).
HD float attention_value_dim(const float* p, const float* v, int count, int kvDim, int d) {
    float sum = 0.f;
    for (int t = 0; t < count; t++) sum += p[t] * v[(size_t)t * kvDim + d];
    return sum;
}

HD int attention_splits(int positions) {
    return (positions + ATTENTION_SPLIT - 1) / ATTENTION_SPLIT;
}

// Dimension d of the combined output from `splits` partials (m, l, acc with acc rows headSize apart).
HD float attention_combine_dim(const float* m, const float* l, const float* acc, int splits, int headSize, int d) {
    float max = -INFINITY;
    for (int s = 0; s < splits; s++) max = fmaxf(max, m[s]);
    double total = 0, out = 0;
    for (int s = 0; s < splits; s++) {
        const double scale = exp((double)(m[s] - max));
        total += scale * l[s];
        out += scale * acc[(size_t)s * headSize + d];
    }
    return (float)(out / total);
}

#ifdef __CUDACC__
// q: (batch, heads·headSize); caches: (slot, layer, context, kvDim); partials: m, l (batch, heads,
// maxSplits), acc (batch, heads, maxSplits, headSize). grid = (maxSplits, heads, batch),
// block = ATTENTION_THREADS. Splits past an entry's position write m = −∞, l = 0.
extern "C" __global__ void __launch_bounds__(ATTENTION_THREADS)
attention_split(float* __restrict__ partialMax, float* __restrict__ partialSum, float* __restrict__ partialAcc,
                const float* __restrict__ q, const float* __restrict__ keyCache, const float* __restrict__ valueCache,
                const int* __restrict__ slots, const int* __restrict__ positions,
                int layer, int layers, int context, int heads, int kvHeads, int headSize, float scale) {
    __shared__ float p[ATTENTION_SPLIT];
    __shared__ float reduce[ATTENTION_WARPS];
    DEVICE_REQUIRE(blockDim.x == ATTENTION_THREADS);
    const int split = blockIdx.x, head = blockIdx.y, b = blockIdx.z;
    const int maxSplits = gridDim.x;
    const int warp = threadIdx.x / WARP, lane = threadIdx.x % WARP;
    const int kvDim = kvHeads * headSize;
    const int start = split * ATTENTION_SPLIT;
    const int end = min(start + ATTENTION_SPLIT, positions[b] + 1);
    const size_t partial = ((size_t)b * heads + head) * maxSplits + split;
    if (start >= end) {
        if (threadIdx.x == 0) { partialMax[partial] = -INFINITY; partialSum[partial] = 0.f; }
        for (int d = threadIdx.x; d < headSize; d += blockDim.x) partialAcc[partial * headSize + d] = 0.f;
        return;
    }
    const int count = end - start;
    const int kvHead = head / (heads / kvHeads);
    const size_t base = (((size_t)slots[b] * layers + layer) * context + start) * kvDim + (size_t)kvHead * headSize;
    const float* qh = q + (size_t)b * heads * headSize + (size_t)head * headSize;
    // scores: a warp per position
    for (int t = warp; t < count; t += ATTENTION_WARPS) {
        const float s = warp_sum(attention_dot_lane(qh, keyCache + base + (size_t)t * kvDim, headSize, lane, WARP));
        if (lane == 0) p[t] = s * scale;
    }
    __syncthreads();
    float m = -INFINITY;
    for (int t = threadIdx.x; t < count; t += blockDim.x) m = fmaxf(m, p[t]);
    m = warp_max(m);
    if (lane == 0) reduce[warp] = m;
    __syncthreads();
    m = reduce[0];
    for (int w = 1; w < ATTENTION_WARPS; w++) m = fmaxf(m, reduce[w]);
    __syncthreads();
    float l = 0.f;
    for (int t = threadIdx.x; t < count; t += blockDim.x) {
        const float e = attention_weight(p[t], m);
        p[t] = e;
        l += e;
    }
    l = warp_sum(l);
    if (lane == 0) reduce[warp] = l;
    __syncthreads();
    if (threadIdx.x == 0) {
        float total = 0.f;
        for (int w = 0; w < ATTENTION_WARPS; w++) total += reduce[w];
        partialMax[partial] = m;
        partialSum[partial] = total;
    }
    for (int d = threadIdx.x; d < headSize; d += blockDim.x) {
        partialAcc[partial * headSize + d] = attention_value_dim(p, valueCache + base, count, kvDim, d);
    }
}

// out: (batch, heads·headSize); grid = (heads, batch), block = ATTENTION_THREADS.
extern "C" __global__ void __launch_bounds__(ATTENTION_THREADS)
attention_combine(float* __restrict__ out, const float* __restrict__ partialMax, const float* __restrict__ partialSum,
                  const float* __restrict__ partialAcc, const int* __restrict__ positions, int heads, int headSize,
                  int maxSplits) {
    const int head = blockIdx.x, b = blockIdx.y;
    const size_t partial = ((size_t)b * heads + head) * maxSplits;
    const int splits = attention_splits(positions[b] + 1);
    for (int d = threadIdx.x; d < headSize; d += blockDim.x) {
        out[(size_t)b * heads * headSize + (size_t)head * headSize + d] = attention_combine_dim(
                partialMax + partial, partialSum + partial, partialAcc + partial * headSize, splits, headSize, d);
    }
}
#endif
