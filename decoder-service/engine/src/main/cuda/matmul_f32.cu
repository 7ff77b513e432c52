// matmul_f32.cu — W (rows, n) in F32 @ X (n, batch). See matmul.cuh for the layout.
#include "matmul.cuh"

struct F32Format {
    static const int COLUMN_MULTIPLE = 4;
    static HD size_t row_bytes(int n) { return (size_t)n * 4; }
    // columns i..i+3 of a row (i a multiple of 4)
    static HD void load4(const uint8_t* row, int i, float* w) {
        const float* r = (const float*)row + i;
        w[0] = r[0]; w[1] = r[1]; w[2] = r[2]; w[3] = r[3];
    }
};

#ifdef __CUDACC__
extern "C" __global__ void __launch_bounds__(MATMUL_THREADS)
matmul_f32(const uint8_t* W, const float* x, float* out, int rows, int n, int batch) {
    matmul_body<F32Format>(W, x, out, rows, n, batch);
}
#endif
