// swiglu.cu — gate = silu(gate) · up, in place over (batch, n_ff); exp in double like the Java engine.
#include "common.cuh"

#define SWIGLU_THREADS 256

HD float swiglu_one(float g, float u) {
    return (float)(g / (1.0 + exp(-(double)g))) * u;
}

#ifdef __CUDACC__
extern "C" __global__ void __launch_bounds__(SWIGLU_THREADS)
swiglu(float* __restrict__ gate, const float* __restrict__ up, int count) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) gate[i] = swiglu_one(gate[i], up[i]);
}
#endif
