// embed.cu — x[b] = row tokens[b] of the token embedding, dequantized (F32, F16, Q8_0, Q4_0).
#include "common.cuh"

#define EMBED_THREADS 256
// ggml type ids
#define GGML_F32 0
#define GGML_F16 1
#define GGML_Q4_0 2
#define GGML_Q8_0 8

HD size_t embed_row_bytes(int type, int n) {
    switch (type) {
        case GGML_F32: return (size_t)n * 4;
        case GGML_F16: return (size_t)n * 2;
        case GGML_Q8_0: return (size_t)(n / QK) * Q8_0_BYTES;
        default: return (size_t)(n / QK) * Q4_0_BYTES;
    }
}

// Weight i of a row (the formats of the matmul_*.cu files, one value at a time).
HD float embed_value(int type, const uint8_t* row, int i) {
    switch (type) {
        case GGML_F32: return ((const float*)row)[i];
        case GGML_F16: return half_to_float(load_u16(row + 2 * (size_t)i));
        case GGML_Q8_0: {
            const uint8_t* block = row + (size_t)(i / QK) * Q8_0_BYTES;
            return ((const int8_t*)block)[2 + i % QK] * half_to_float(load_u16(block));
        }
        default: {
            const uint8_t* block = row + (size_t)(i / QK) * Q4_0_BYTES;
            const int j = i % QK;
            const int q = j < QK / 2 ? (block[2 + j] & 0x0F) : (block[2 + j - QK / 2] >> 4);
            return (q - 8) * half_to_float(load_u16(block));
        }
    }
}

#ifdef __CUDACC__
// x: (batch, n); grid.x = batch, block = EMBED_THREADS.
extern "C" __global__ void __launch_bounds__(EMBED_THREADS)
embed(float* __restrict__ x, const uint8_t* __restrict__ table, const int* __restrict__ tokens, int type, int n) {
    const uint8_t* row = table + (size_t)tokens[blockIdx.x] * embed_row_bytes(type, n);
    for (int i = threadIdx.x; i < n; i += blockDim.x) x[(size_t)blockIdx.x * n + i] = embed_value(type, row, i);
}
#endif
