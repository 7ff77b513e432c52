// rmsnorm.cu — out = x / sqrt(mean(x²) + ε) · weight, one block per batch entry.
// Squares are summed in double, as ggml and the Java engine do (a row is read twice; tiny next
// to the matrix products).
#include "common.cuh"

#define RMSNORM_THREADS 256

// Thread tid's share of Σ x²: elements tid, tid + threads, …
HD double rmsnorm_partial(const float* x, int n, int tid, int threads) {
    double sum = 0;
    for (int i = tid; i < n; i += threads) sum += (double)(x[i] * x[i]);
    return sum;
}

HD float rmsnorm_scale(double sum, int n, float epsilon) {
    return (float)(1.0 / sqrt((double)((float)(sum / n) + epsilon)));
}

HD float rmsnorm_apply(float x, float scale, float weight) {
    return x * scale * weight;
}

#ifdef __CUDACC__
// out, x: (batch, n); weight: (n); grid.x = batch, block = RMSNORM_THREADS.
extern "C" __global__ void __launch_bounds__(RMSNORM_THREADS)
rmsnorm(float* __restrict__ out, const float* __restrict__ x, const float* __restrict__ weight,
        int n, float epsilon) {
    __shared__ double partial[RMSNORM_THREADS / WARP];
    __shared__ float scale;
    DEVICE_REQUIRE(blockDim.x == RMSNORM_THREADS);
    const float* row = x + (size_t)blockIdx.x * n;
    double s = warp_sum_double(rmsnorm_partial(row, n, threadIdx.x, blockDim.x));
    if (threadIdx.x % WARP == 0) partial[threadIdx.x / WARP] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
        double total = 0;
        for (int w = 0; w < RMSNORM_THREADS / WARP; w++) total += partial[w];
        scale = rmsnorm_scale(total, n, epsilon);
    }
    __syncthreads();
    float* o = out + (size_t)blockIdx.x * n;
    for (int i = threadIdx.x; i < n; i += blockDim.x) o[i] = rmsnorm_apply(row[i], scale, weight[i]);
}
#endif
