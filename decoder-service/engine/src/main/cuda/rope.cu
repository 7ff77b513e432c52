// rope.cu — rotary position embedding of the first n_rot dimensions of every head, in place.
// θ_i = pos · scale · base^(−2i/n_rot) / factor_i with the power advanced in float like ggml
// (theta *= theta_scale, i times), so the angles have the Java engine's bits exactly.
#include "common.cuh"

#define ROPE_THREADS 128

HD float rope_angle(int position, int pair, float thetaScale, float frequencyScale, float inverseFactor) {
    float theta = (float)position;
    for (int k = 0; k < pair; k++) theta *= thetaScale;
    return frequencyScale * (theta * inverseFactor);
}

// Indices of pair i in a head at `offset`: adjacent (normal) or half a rotation apart (NeoX).
HD void rope_indices(int offset, int pair, int pairs, int neox, int* first, int* second) {
    *first = neox ? offset + pair : offset + 2 * pair;
    *second = neox ? *first + pairs : *first + 1;
}

HD void rope_rotate(float* v, int first, int second, float angle) {
    const float c = (float)cos((double)angle);
    const float s = (float)sin((double)angle);
    const float x0 = v[first];
    const float x1 = v[second];
    v[first] = x0 * c - x1 * s;
    v[second] = x0 * s + x1 * c;
}

#ifdef __CUDACC__
// v: (batch, stride) with heads·headSize used; positions: (batch); inverseFactors: (pairs).
// One thread per (entry, head, pair): grid.x = ceil(batch·heads·pairs / ROPE_THREADS).
extern "C" __global__ void __launch_bounds__(ROPE_THREADS)
rope(float* __restrict__ v, const int* __restrict__ positions, const float* __restrict__ inverseFactors,
     int batch, int stride, int heads, int headSize, int pairs, int neox, float thetaScale, float frequencyScale) {
    const int job = blockIdx.x * blockDim.x + threadIdx.x;
    if (job >= batch * heads * pairs) return;
    const int pair = job % pairs;
    const int head = (job / pairs) % heads;
    const int b = job / (pairs * heads);
    int first, second;
    rope_indices(head * headSize, pair, pairs, neox, &first, &second);
    rope_rotate(v + (size_t)b * stride, first, second,
                rope_angle(positions[b], pair, thetaScale, frequencyScale, inverseFactors[pair]));
}
#endif
