// matmul_q4_0.cu — W (rows, n) in Q4_0 @ X (n, batch): blocks of 32 weights in 18 bytes, an F16
// scale d then 16 bytes of nibbles; weight j < 16 is (low nibble of byte j − 8)·d, weight j ≥ 16
// is (high nibble of byte j−16 − 8)·d (ggml's dequantize_row_q4_0), formed in registers.
#include "matmul.cuh"

struct Q4_0Format {
    static const int COLUMN_MULTIPLE = QK;
    static HD size_t row_bytes(int n) { return (size_t)(n / QK) * Q4_0_BYTES; }
    static HD void load4(const uint8_t* row, int i, float* w) {
        const uint8_t* block = row + (size_t)(i / QK) * Q4_0_BYTES;
        const int j = i % QK;
        const float d = half_to_float(load_u16(block));
        const uint8_t* qs = block + 2;
        if (j < QK / 2) {
            for (int k = 0; k < 4; k++) w[k] = ((qs[j + k] & 0x0F) - 8) * d;
        } else {
            for (int k = 0; k < 4; k++) w[k] = ((qs[j - QK / 2 + k] >> 4) - 8) * d;
        }
    }
};

#ifdef __CUDACC__
extern "C" __global__ void __launch_bounds__(MATMUL_THREADS)
matmul_q4_0(const uint8_t* W, const float* x, float* out, int rows, int n, int batch) {
    matmul_body<Q4_0Format>(W, x, out, rows, n, batch);
}
#endif
