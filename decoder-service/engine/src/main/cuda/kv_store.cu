// kv_store.cu — this step's keys and values into each entry's slot of the device KV cache.
// Cache layout: (slot, layer, position, kv_dim) floats, one slot per sequence.
#include "common.cuh"

#define KV_STORE_THREADS 256

HD size_t kv_index(int slot, int layer, int position, int i, int layers, int context, int kvDim) {
    return (((size_t)slot * layers + layer) * context + position) * kvDim + i;
}

#ifdef __CUDACC__
// k, v: (batch, kvDim); grid.x = batch, block = KV_STORE_THREADS.
extern "C" __global__ void __launch_bounds__(KV_STORE_THREADS)
kv_store(float* __restrict__ keyCache, float* __restrict__ valueCache, const float* __restrict__ k,
         const float* __restrict__ v, const int* __restrict__ slots, const int* __restrict__ positions,
         int layer, int layers, int context, int kvDim) {
    const int b = blockIdx.x;
    DEVICE_REQUIRE(positions[b] >= 0 && positions[b] < context);
    for (int i = threadIdx.x; i < kvDim; i += blockDim.x) {
        const size_t at = kv_index(slots[b], layer, positions[b], i, layers, context, kvDim);
        keyCache[at] = k[(size_t)b * kvDim + i];
        valueCache[at] = v[(size_t)b * kvDim + i];
    }
}
#endif
