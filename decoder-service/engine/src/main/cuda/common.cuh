// common.cuh — what every kernel file includes: the host/device compatibility layer, F16 decoding,
// warp and block reductions, and the launch-precondition check.
//
// Each kernel's per-thread arithmetic lives in __host__ __device__ functions; under g++ (no
// __CUDACC__) the qualifiers vanish, so host_test.cpp compiles the very same functions and runs
// them over whole tensors on the CPU, thread by thread.
#pragma once

#include <stdint.h>
#include <math.h>

#ifdef __CUDACC__
#define HD __host__ __device__ __forceinline__
#else
#define HD inline
#define __host__
#define __device__
#define __global__
#define __shared__
#define __restrict__
#endif

// Blocks of 32 weights in the legacy ggml quantizations.
#define QK 32
#define Q8_0_BYTES 34
#define Q4_0_BYTES 18
#define WARP 32

// IEEE binary16 bits -> float, in integer arithmetic so host and device give the same bits
// (no reliance on cuda_fp16.h on the host). Subnormals, infinities and NaN included.
HD float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else { // subnormal: normalise
            int e = -1;
            do { e++; mantissa <<= 1; } while ((mantissa & 0x400u) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mantissa & 0x3FFu) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;

    {
        union { uint32_t u; float f; } v;
        v.u = bits;
        f = v.f;
    }
    return f;
}

// Little-endian 16-bit load from a byte address that may be only 2-byte aligned (Q8_0 blocks are
// 34 bytes, so their scales are never 4-byte aligned).
HD uint16_t load_u16(const uint8_t* p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

#ifdef __CUDACC__
// Σ over the 32 lanes of a warp, by butterfly shuffles: every lane ends with the sum.
__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = WARP / 2; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xFFFFFFFFu, v, offset);
    }
    return v;
}

__device__ __forceinline__ double warp_sum_double(double v) {
    for (int offset = WARP / 2; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xFFFFFFFFu, v, offset);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = WARP / 2; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xFFFFFFFFu, v, offset));
    }
    return v;
}

// Launch preconditions are asserted by the Java launcher (CudaKernels) before cuLaunchKernel;
// this trap is the last line of defence inside the kernel (an illegal-instruction error on the
// stream, reported by the next checked CUDA call with its file and line).
#define DEVICE_REQUIRE(condition) do { if (!(condition)) { __trap(); } } while (0)
#endif
