// argmax.cu — sampling on the device: the greedy token of each row of logits with its log-
// probability (argmax), and the k best (token, logit) pairs in order (top_k). Ties go to the lower
// token id, as in the Java engine. Only these few numbers are copied back per step.
#include "common.cuh"

#define ARGMAX_THREADS 256
#define TOP_K_MAX 64

// (v1, i1) ranks before (v2, i2): larger logit, then lower id.
HD int ranks_before(float v1, int i1, float v2, int i2) {
    return v1 > v2 || (v1 == v2 && i1 < i2);
}

// Thread tid's best element strictly after (afterValue, afterIndex) in rank order (the
// whole row when afterIndex < 0); *index = −1 if none.
HD void best_lane(const float* x, int n, int tid, int threads, float afterValue, int afterIndex,
                  float* value, int* index) {
    float bv = -INFINITY;
    int bi = -1;
    for (int i = tid; i < n; i += threads) {
        if (afterIndex >= 0 && !ranks_before(afterValue, afterIndex, x[i], i)) continue;
        if (bi < 0 || ranks_before(x[i], i, bv, bi)) { bv = x[i]; bi = i; }
    }
    *value = bv;
    *index = bi;
}

HD double log_sum_partial(const float* x, int n, int tid, int threads, float max) {
    double s = 0;
    for (int i = tid; i < n; i += threads) s += exp((double)(x[i] - max));
    return s;
}

#ifdef __CUDACC__
// Block-wide best of the threads' (value, index) pairs; every thread gets the result.
__device__ void block_best(float* value, int* index, float* sv, int* si) {
    sv[threadIdx.x] = *value;
    si[threadIdx.x] = *index;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            const int o = threadIdx.x + stride;
            if (si[o] >= 0 && (si[threadIdx.x] < 0 || ranks_before(sv[o], si[o], sv[threadIdx.x], si[threadIdx.x]))) {
                sv[threadIdx.x] = sv[o];
                si[threadIdx.x] = si[o];
            }
        }
        __syncthreads();
    }
    *value = sv[0];
    *index = si[0];
    __syncthreads();
}

// logits: (batch, n); ids, logProbabilities: (batch); grid.x = batch, block = ARGMAX_THREADS.
extern "C" __global__ void __launch_bounds__(ARGMAX_THREADS)
argmax(int* __restrict__ ids, float* __restrict__ logProbabilities, const float* __restrict__ logits, int n) {
    __shared__ float sv[ARGMAX_THREADS];
    __shared__ int si[ARGMAX_THREADS];
    __shared__ double sums[ARGMAX_THREADS / WARP];
    DEVICE_REQUIRE(blockDim.x == ARGMAX_THREADS);
    const float* row = logits + (size_t)blockIdx.x * n;
    float v;
    int i;
    best_lane(row, n, threadIdx.x, blockDim.x, 0.f, -1, &v, &i);
    block_best(&v, &i, sv, si);
    double s = warp_sum_double(log_sum_partial(row, n, threadIdx.x, blockDim.x, v));
    if (threadIdx.x % WARP == 0) sums[threadIdx.x / WARP] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
        double total = 0;
        for (int w = 0; w < ARGMAX_THREADS / WARP; w++) total += sums[w];
        ids[blockIdx.x] = i;
        logProbabilities[blockIdx.x] = (float)(-log(total));
    }
}

// ids, values: (batch, k) best first; grid.x = batch, block = ARGMAX_THREADS, k ≤ TOP_K_MAX.
extern "C" __global__ void __launch_bounds__(ARGMAX_THREADS)
top_k(int* __restrict__ ids, float* __restrict__ values, const float* __restrict__ logits, int n, int k) {
    __shared__ float sv[ARGMAX_THREADS];
    __shared__ int si[ARGMAX_THREADS];
    DEVICE_REQUIRE(blockDim.x == ARGMAX_THREADS && k >= 1 && k <= TOP_K_MAX && k <= n);
    const float* row = logits + (size_t)blockIdx.x * n;
    float afterValue = 0.f;
    int afterIndex = -1;
    for (int r = 0; r < k; r++) {
        float v;
        int i;
        best_lane(row, n, threadIdx.x, blockDim.x, afterValue, afterIndex, &v, &i);
        block_best(&v, &i, sv, si);
        if (threadIdx.x == 0) {
            ids[(size_t)blockIdx.x * k + r] = i;
            values[(size_t)blockIdx.x * k + r] = v;
        }
        afterValue = v;
        afterIndex = i;
    }
}
#endif
