// matmul_q8_0.cu — W (rows, n) in Q8_0 @ X (n, batch): blocks of 32 weights in 34 bytes, an F16
// scale d then 32 signed bytes q; weight = q·d (ggml's dequantize_row_q8_0), formed in registers.
#include "matmul.cuh"

struct Q8_0Format {
    static const int COLUMN_MULTIPLE = QK;
    static HD size_t row_bytes(int n) { return (size_t)(n / QK) * Q8_0_BYTES; }
    static HD void load4(const uint8_t* row, int i, float* w) {
        const uint8_t* block = row + (size_t)(i / QK) * Q8_0_BYTES;
        const int j = i % QK;
        const float d = half_to_float(load_u16(block));
        const int8_t* q = (const int8_t*)(block + 2 + j);
        w[0] = q[0] * d; w[1] = q[1] * d; w[2] = q[2] * d; w[3] = q[3] * d;
    }
};

#ifdef __CUDACC__
extern "C" __global__ void __launch_bounds__(MATMUL_THREADS)
matmul_q8_0(const uint8_t* W, const float* x, float* out, int rows, int n, int batch) {
    matmul_body<Q8_0Format>(W, x, out, rows, n, batch);
}
#endif
