// matmul_f16.cu — W (rows, n) in IEEE halves @ X (n, batch), halves widened in registers.
#include "matmul.cuh"

struct F16Format {
    static const int COLUMN_MULTIPLE = 4;
    static HD size_t row_bytes(int n) { return (size_t)n * 2; }
    static HD void load4(const uint8_t* row, int i, float* w) {
        const uint8_t* r = row + 2 * (size_t)i;
        w[0] = half_to_float(load_u16(r));
        w[1] = half_to_float(load_u16(r + 2));
        w[2] = half_to_float(load_u16(r + 4));
        w[3] = half_to_float(load_u16(r + 6));
    }
};

#ifdef __CUDACC__
extern "C" __global__ void __launch_bounds__(MATMUL_THREADS)
matmul_f16(const uint8_t* W, const float* x, float* out, int rows, int n, int batch) {
    matmul_body<F16Format>(W, x, out, rows, n, batch);
}
#endif
