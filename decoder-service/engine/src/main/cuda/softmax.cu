// softmax.cu — probabilities of each row of logits at a temperature, in place: one block per row,
// max and Σ exp reduced over the block (Σ in double like the Java engine).
#include "common.cuh"

#define SOFTMAX_THREADS 256

HD float softmax_partial_max(const float* x, int n, int tid, int threads, float inverseTemperature) {
    float m = -INFINITY;
    for (int i = tid; i < n; i += threads) m = fmaxf(m, x[i] * inverseTemperature);
    return m;
}

HD double softmax_partial_sum(const float* x, int n, int tid, int threads, float inverseTemperature, float max) {
    double s = 0;
    for (int i = tid; i < n; i += threads) s += (float)exp((double)(x[i] * inverseTemperature - max));
    return s;
}

HD float softmax_value(float x, float inverseTemperature, float max, float inverseSum) {
    return (float)exp((double)(x * inverseTemperature - max)) * inverseSum;
}

#ifdef __CUDACC__
// x: (batch, n); grid.x = batch, block = SOFTMAX_THREADS.
extern "C" __global__ void __launch_bounds__(SOFTMAX_THREADS)
softmax(float* __restrict__ x, int n, float inverseTemperature) {
    __shared__ float maxes[SOFTMAX_THREADS / WARP];
    __shared__ double sums[SOFTMAX_THREADS / WARP];
    DEVICE_REQUIRE(blockDim.x == SOFTMAX_THREADS);
    float* row = x + (size_t)blockIdx.x * n;
    const int warp = threadIdx.x / WARP, lane = threadIdx.x % WARP;
    float m = warp_max(softmax_partial_max(row, n, threadIdx.x, blockDim.x, inverseTemperature));
    if (lane == 0) maxes[warp] = m;
    __syncthreads();
    m = maxes[0];
    for (int w = 1; w < SOFTMAX_THREADS / WARP; w++) m = fmaxf(m, maxes[w]);
    double s = warp_sum_double(softmax_partial_sum(row, n, threadIdx.x, blockDim.x, inverseTemperature, m));
    if (lane == 0) sums[warp] = s;
    __syncthreads();
    double total = 0;
    for (int w = 0; w < SOFTMAX_THREADS / WARP; w++) total += sums[w];
    const float inverse = (float)(1.0 / total);
    for (int i = threadIdx.x; i < n; i += blockDim.x) row[i] = softmax_value(row[i], inverseTemperature, m, inverse);
}
#endif
