// host_test.cpp — the kernels' per-thread logic run over whole tensors on the CPU.
//
// Compiled with g++ (or nvcc's host compiler): common.cuh turns __host__ __device__ into plain
// inline functions and hides the __global__ kernels. Each sim_* function below replays one
// kernel's grid thread by thread — the same lanes, the same shuffle butterflies, the same order
// of block reductions — so what it computes is what the kernel computes up to FMA contraction.
// Driven by CudaHostKernelTest, which writes inputs to a folder and compares with the Java engine.
//
//   host_test matmul <type> <rows> <n> <batch> <weights> <x> <out>
//   host_test topk <k> <n> <batch> <logits> <ids> <values>
//   host_test softmax <n> <batch> <temperature> <x> <out>
//   host_test forward <folder>    (config.txt, weights.txt, prompts.txt → out.txt; with
//                                  "batched 1" in config.txt all prompts decode together → out_batched.txt)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>
#include <fstream>
#include <sstream>

#include "matmul_f32.cu"
#include "matmul_f16.cu"
#include "matmul_q8_0.cu"
#include "matmul_q4_0.cu"
#include "rmsnorm.cu"
#include "rope.cu"
#include "swiglu.cu"
#include "residual.cu"
#include "embed.cu"
#include "kv_store.cu"
#include "attention.cu"
#include "softmax.cu"
#include "argmax.cu"

using std::string;
using std::vector;

#define REQUIRE(condition, message) do { if (!(condition)) { \
    throw std::runtime_error(string(__FILE__) + ":" + std::to_string(__LINE__) + ": " + (message)); } } while (0)

// __shfl_xor_sync butterfly over 32 lanes: lane l adds lane l ^ offset, offsets 16, 8, 4, 2, 1.
template <typename T>
static T sim_warp_sum(T* lanes) {
    T v[WARP];
    for (int l = 0; l < WARP; l++) v[l] = lanes[l];
    for (int offset = WARP / 2; offset > 0; offset >>= 1) {
        T next[WARP];
        for (int l = 0; l < WARP; l++) next[l] = v[l] + v[l ^ offset];
        memcpy(v, next, sizeof v);
    }
    return v[0];
}

// ---- matmul_*.cu: a warp per row, lanes over 4-column groups of each tile --------------------------
template <typename Format>
static void sim_matmul(const uint8_t* W, const float* x, float* out, int rows, int n, int batch) {
    REQUIRE(n % Format::COLUMN_MULTIPLE == 0, "n must be a multiple of " + std::to_string(Format::COLUMN_MULTIPLE));
    for (int b0 = 0; b0 < batch; b0 += MATMUL_MAX_BATCH) { // the launcher's split of larger batches
        const int chunk = batch - b0 < MATMUL_MAX_BATCH ? batch - b0 : MATMUL_MAX_BATCH;
        for (int row = 0; row < rows; row++) {
            float acc[WARP][MATMUL_MAX_BATCH] = {};
            const uint8_t* w = W + (size_t)row * Format::row_bytes(n);
            for (int t0 = 0; t0 < n; t0 += MATMUL_TILE) {
                const int len = n - t0 < MATMUL_TILE ? n - t0 : MATMUL_TILE;
                vector<float> xs((size_t)MATMUL_MAX_BATCH * MATMUL_TILE); // the shared-memory tile
                for (int b = 0; b < chunk; b++)
                    for (int c = 0; c < len; c++) xs[(size_t)b * MATMUL_TILE + c] = x[(size_t)(b0 + b) * n + t0 + c];
                for (int lane = 0; lane < WARP; lane++)
                    matmul_lane<Format>(w, xs.data(), MATMUL_TILE, t0, len, lane, chunk, acc[lane]);
            }
            for (int b = 0; b < chunk; b++) {
                float lanes[WARP];
                for (int l = 0; l < WARP; l++) lanes[l] = acc[l][b];
                out[(size_t)(b0 + b) * rows + row] = sim_warp_sum(lanes);
            }
        }
    }
}

static void sim_matmul_type(int type, const uint8_t* W, const float* x, float* out, int rows, int n, int batch) {
    switch (type) {
        case GGML_F32: sim_matmul<F32Format>(W, x, out, rows, n, batch); break;
        case GGML_F16: sim_matmul<F16Format>(W, x, out, rows, n, batch); break;
        case GGML_Q8_0: sim_matmul<Q8_0Format>(W, x, out, rows, n, batch); break;
        case GGML_Q4_0: sim_matmul<Q4_0Format>(W, x, out, rows, n, batch); break;
        default: REQUIRE(false, "no matmul kernel for ggml type " + std::to_string(type));
    }
}

// ---- rmsnorm.cu ---------------------------------------------------------------------------------
static void sim_rmsnorm(float* out, const float* x, const float* weight, int batch, int n, float epsilon) {
    for (int b = 0; b < batch; b++) {
        const float* row = x + (size_t)b * n;
        double partial[RMSNORM_THREADS / WARP];
        for (int w = 0; w < RMSNORM_THREADS / WARP; w++) {
            double lanes[WARP];
            for (int l = 0; l < WARP; l++) lanes[l] = rmsnorm_partial(row, n, w * WARP + l, RMSNORM_THREADS);
            partial[w] = sim_warp_sum(lanes);
        }
        double total = 0;
        for (int w = 0; w < RMSNORM_THREADS / WARP; w++) total += partial[w];
        const float scale = rmsnorm_scale(total, n, epsilon);
        for (int i = 0; i < n; i++) out[(size_t)b * n + i] = rmsnorm_apply(row[i], scale, weight[i]);
    }
}

// ---- rope.cu ------------------------------------------------------------------------------------
static void sim_rope(float* v, const int* positions, const float* inverseFactors, int batch, int stride, int heads,
                     int headSize, int pairs, int neox, float thetaScale, float frequencyScale) {
    for (int job = 0; job < batch * heads * pairs; job++) {
        const int pair = job % pairs, head = (job / pairs) % heads, b = job / (pairs * heads);
        int first, second;
        rope_indices(head * headSize, pair, pairs, neox, &first, &second);
        rope_rotate(v + (size_t)b * stride, first, second,
                    rope_angle(positions[b], pair, thetaScale, frequencyScale, inverseFactors[pair]));
    }
}

// ---- attention.cu: split blocks (4 warps), then combine -----------------------------------------
static void sim_attention(float* out, const float* q, const float* keyCache, const float* valueCache, const int* slots,
                          const int* positions, int batch, int layer, int layers, int context, int heads, int kvHeads,
                          int headSize, float scale) {
    int longest = 0;
    for (int b = 0; b < batch; b++) longest = positions[b] + 1 > longest ? positions[b] + 1 : longest;
    const int maxSplits = attention_splits(longest);
    const int kvDim = kvHeads * headSize;
    vector<float> pm((size_t)batch * heads * maxSplits), pl(pm.size()), pacc(pm.size() * headSize);
    for (int b = 0; b < batch; b++) for (int head = 0; head < heads; head++) for (int split = 0; split < maxSplits; split++) {
        const size_t partial = ((size_t)b * heads + head) * maxSplits + split;
        const int start = split * ATTENTION_SPLIT;
        const int end = start + ATTENTION_SPLIT < positions[b] + 1 ? start + ATTENTION_SPLIT : positions[b] + 1;
        if (start >= end) {
            pm[partial] = -INFINITY; pl[partial] = 0.f;
            for (int d = 0; d < headSize; d++) pacc[partial * headSize + d] = 0.f;
            continue;
        }
        const int count = end - start;
        const int kvHead = head / (heads / kvHeads);
        const size_t base = (((size_t)slots[b] * layers + layer) * context + start) * kvDim + (size_t)kvHead * headSize;
        const float* qh = q + (size_t)b * heads * headSize + (size_t)head * headSize;
        float p[ATTENTION_SPLIT];
        for (int t = 0; t < count; t++) { // the warp t % ATTENTION_WARPS takes position t
            float lanes[WARP];
            for (int l = 0; l < WARP; l++) lanes[l] = attention_dot_lane(qh, keyCache + base + (size_t)t * kvDim, headSize, l, WARP);
            p[t] = sim_warp_sum(lanes) * scale;
        }
        float m = -INFINITY; // a max is the same in any order
        for (int t = 0; t < count; t++) m = fmaxf(m, p[t]);
        float threadSum[ATTENTION_THREADS] = {};
        for (int tid = 0; tid < ATTENTION_THREADS; tid++)
            for (int t = tid; t < count; t += ATTENTION_THREADS) { p[t] = attention_weight(p[t], m); threadSum[tid] += p[t]; }
        float total = 0.f;
        for (int w = 0; w < ATTENTION_WARPS; w++) total += sim_warp_sum(threadSum + w * WARP);
        pm[partial] = m;
        pl[partial] = total;
        for (int d = 0; d < headSize; d++) pacc[partial * headSize + d] = attention_value_dim(p, valueCache + base, count, kvDim, d);
    }
    for (int b = 0; b < batch; b++) for (int head = 0; head < heads; head++) {
        const size_t partial = ((size_t)b * heads + head) * maxSplits;
        const int splits = attention_splits(positions[b] + 1);
        for (int d = 0; d < headSize; d++)
            out[(size_t)b * heads * headSize + (size_t)head * headSize + d] =
                attention_combine_dim(&pm[partial], &pl[partial], &pacc[partial * headSize], splits, headSize, d);
    }
}

// ---- argmax.cu: per-thread best, tree of block_best, log Σ exp ----------------------------------
static void sim_argmax(int* ids, float* logProbabilities, const float* logits, int batch, int n) {
    for (int b = 0; b < batch; b++) {
        const float* row = logits + (size_t)b * n;
        float sv[ARGMAX_THREADS];
        int si[ARGMAX_THREADS];
        for (int tid = 0; tid < ARGMAX_THREADS; tid++) best_lane(row, n, tid, ARGMAX_THREADS, 0.f, -1, &sv[tid], &si[tid]);
        for (int stride = ARGMAX_THREADS / 2; stride > 0; stride >>= 1)
            for (int tid = 0; tid < stride; tid++) {
                const int o = tid + stride;
                if (si[o] >= 0 && (si[tid] < 0 || ranks_before(sv[o], si[o], sv[tid], si[tid]))) { sv[tid] = sv[o]; si[tid] = si[o]; }
            }
        double total = 0;
        for (int w = 0; w < ARGMAX_THREADS / WARP; w++) {
            double lanes[WARP];
            for (int l = 0; l < WARP; l++) lanes[l] = log_sum_partial(row, n, w * WARP + l, ARGMAX_THREADS, sv[0]);
            total += sim_warp_sum(lanes);
        }
        ids[b] = si[0];
        logProbabilities[b] = (float)(-log(total));
    }
}

// ---- argmax.cu top_k: k rounds of the block-wide best after the previous pick --------------------
static void sim_top_k(int* ids, float* values, const float* logits, int batch, int n, int k) {
    REQUIRE(k >= 1 && k <= TOP_K_MAX && k <= n, "k must be within [1, min(64, n)]");
    for (int b = 0; b < batch; b++) {
        const float* row = logits + (size_t)b * n;
        float afterValue = 0.f;
        int afterIndex = -1;
        for (int r = 0; r < k; r++) {
            float sv[ARGMAX_THREADS];
            int si[ARGMAX_THREADS];
            for (int tid = 0; tid < ARGMAX_THREADS; tid++)
                best_lane(row, n, tid, ARGMAX_THREADS, afterValue, afterIndex, &sv[tid], &si[tid]);
            for (int stride = ARGMAX_THREADS / 2; stride > 0; stride >>= 1)
                for (int tid = 0; tid < stride; tid++) {
                    const int o = tid + stride;
                    if (si[o] >= 0 && (si[tid] < 0 || ranks_before(sv[o], si[o], sv[tid], si[tid]))) { sv[tid] = sv[o]; si[tid] = si[o]; }
                }
            ids[(size_t)b * k + r] = si[0];
            values[(size_t)b * k + r] = sv[0];
            afterValue = sv[0];
            afterIndex = si[0];
        }
    }
}

// ---- softmax.cu ------------------------------------------------------------------------------------
static void sim_softmax(float* x, int batch, int n, float inverseTemperature) {
    for (int b = 0; b < batch; b++) {
        float* row = x + (size_t)b * n;
        float m = -INFINITY; // a max is the same in any order
        for (int tid = 0; tid < SOFTMAX_THREADS; tid++) m = fmaxf(m, softmax_partial_max(row, n, tid, SOFTMAX_THREADS, inverseTemperature));
        double total = 0;
        for (int w = 0; w < SOFTMAX_THREADS / WARP; w++) {
            double lanes[WARP];
            for (int l = 0; l < WARP; l++) lanes[l] = softmax_partial_sum(row, n, w * WARP + l, SOFTMAX_THREADS, inverseTemperature, m);
            total += sim_warp_sum(lanes);
        }
        const float inverse = (float)(1.0 / total);
        for (int i = 0; i < n; i++) row[i] = softmax_value(row[i], inverseTemperature, m, inverse);
    }
}

// ---- files ----------------------------------------------------------------------------------------
static vector<uint8_t> read_bytes(const string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in, "cannot read " + path);
    return vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

static vector<float> read_floats(const string& path) {
    vector<uint8_t> bytes = read_bytes(path);
    vector<float> out(bytes.size() / 4);
    memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
}

static void write_floats(const string& path, const float* data, size_t count) {
    FILE* f = fopen(path.c_str(), "wb");
    REQUIRE(f && fwrite(data, 4, count, f) == count && fclose(f) == 0, "cannot write " + path);
}

struct Tensor { int type; vector<uint8_t> bytes; };

// ---- the forward pass, in the order CudaForwardPass launches the kernels --------------------------
struct Model {
    std::map<string, string> config;
    std::map<string, Tensor> weights;
    int dim, layers, heads, kvHeads, headSize, ff, vocab, pairs, neox, context;
    float epsilon, thetaScale, frequencyScale;

    int integer(const string& key) { REQUIRE(config.count(key), "config.txt lacks " + key); return std::stoi(config[key]); }
    float real(const string& key) { REQUIRE(config.count(key), "config.txt lacks " + key); return std::stof(config[key]); }
    const Tensor& w(const string& name) { REQUIRE(weights.count(name), "weights.txt lacks " + name); return weights[name]; }
    const float* f32(const string& name) {
        REQUIRE(w(name).type == GGML_F32, name + " must be F32");
        return (const float*)w(name).bytes.data();
    }
    void matmul(float* out, const string& name, const float* in, int rows, int n, int batch) {
        sim_matmul_type(w(name).type, w(name).bytes.data(), in, out, rows, n, batch);
    }
};

static void forward(const string& folder) {
    Model m;
    {
        std::ifstream in(folder + "/config.txt");
        REQUIRE(in, "cannot read " + folder + "/config.txt");
        string key, value;
        while (in >> key >> value) m.config[key] = value;
        std::ifstream list(folder + "/weights.txt");
        string name, file;
        int type;
        while (list >> name >> type >> file) m.weights[name] = Tensor{type, read_bytes(folder + "/" + file)};
    }
    m.dim = m.integer("dim"); m.layers = m.integer("layers"); m.heads = m.integer("heads");
    m.kvHeads = m.integer("kv_heads"); m.headSize = m.integer("head_size"); m.ff = m.integer("ff");
    m.vocab = m.integer("vocab"); m.pairs = m.integer("rope_pairs"); m.neox = m.integer("neox");
    m.context = m.integer("context"); m.epsilon = m.real("epsilon");
    m.thetaScale = m.real("theta_scale"); m.frequencyScale = m.real("frequency_scale");
    const int capacity = m.integer("batch_capacity");
    const int steps = m.integer("steps");
    const int kvDim = m.kvHeads * m.headSize;
    const float scale = (float)(1.0 / sqrt((double)m.headSize));
    const float* inverseFactors = m.f32("rope_inverse_factors");

    vector<vector<int>> prompts;
    {
        std::ifstream in(folder + "/prompts.txt");
        string line;
        while (std::getline(in, line)) {
            std::istringstream tokens(line);
            vector<int> prompt;
            int t;
            while (tokens >> t) prompt.push_back(t);
            if (!prompt.empty()) prompts.push_back(prompt);
        }
    }
    const int slots = (int)prompts.size();
    vector<float> keyCache((size_t)slots * m.layers * m.context * kvDim), valueCache(keyCache.size());
    vector<float> x((size_t)capacity * m.dim), xb(x.size()), xb2(x.size()), q(x.size());
    vector<float> k((size_t)capacity * kvDim), v(k.size()), hb((size_t)capacity * m.ff), hb2(hb.size());
    vector<float> logits((size_t)capacity * m.vocab);

    // one step over entries (token, slot, position); logits of the last entry are kept
    auto step = [&](const vector<int>& tokens, const vector<int>& slot, const vector<int>& positions) {
        const int batch = (int)tokens.size();
        const Tensor& table = m.w("token_embd");
        for (int b = 0; b < batch; b++) {
            REQUIRE(positions[b] < m.context, "position past the context");
            const uint8_t* row = table.bytes.data() + (size_t)tokens[b] * embed_row_bytes(table.type, m.dim);
            for (int i = 0; i < m.dim; i++) x[(size_t)b * m.dim + i] = embed_value(table.type, row, i);
        }
        for (int l = 0; l < m.layers; l++) {
            const string p = "blk." + std::to_string(l) + ".";
            sim_rmsnorm(xb.data(), x.data(), m.f32(p + "attn_norm"), batch, m.dim, m.epsilon);
            m.matmul(q.data(), p + "attn_q", xb.data(), m.dim, m.dim, batch);
            m.matmul(k.data(), p + "attn_k", xb.data(), kvDim, m.dim, batch);
            m.matmul(v.data(), p + "attn_v", xb.data(), kvDim, m.dim, batch);
            sim_rope(q.data(), positions.data(), inverseFactors, batch, m.dim, m.heads, m.headSize, m.pairs, m.neox, m.thetaScale, m.frequencyScale);
            sim_rope(k.data(), positions.data(), inverseFactors, batch, kvDim, m.kvHeads, m.headSize, m.pairs, m.neox, m.thetaScale, m.frequencyScale);
            for (int b = 0; b < batch; b++) for (int i = 0; i < kvDim; i++) {
                const size_t at = kv_index(slot[b], l, positions[b], i, m.layers, m.context, kvDim);
                keyCache[at] = k[(size_t)b * kvDim + i];
                valueCache[at] = v[(size_t)b * kvDim + i];
            }
            sim_attention(xb.data(), q.data(), keyCache.data(), valueCache.data(), slot.data(), positions.data(), batch, l,
                          m.layers, m.context, m.heads, m.kvHeads, m.headSize, scale);
            m.matmul(xb2.data(), p + "attn_output", xb.data(), m.dim, m.dim, batch);
            for (int i = 0; i < batch * m.dim; i++) x[i] = residual_one(x[i], xb2[i]);
            sim_rmsnorm(xb.data(), x.data(), m.f32(p + "ffn_norm"), batch, m.dim, m.epsilon);
            m.matmul(hb.data(), p + "ffn_gate", xb.data(), m.ff, m.dim, batch);
            m.matmul(hb2.data(), p + "ffn_up", xb.data(), m.ff, m.dim, batch);
            for (int i = 0; i < batch * m.ff; i++) hb[i] = swiglu_one(hb[i], hb2[i]);
            m.matmul(xb.data(), p + "ffn_down", hb.data(), m.dim, m.ff, batch);
            for (int i = 0; i < batch * m.dim; i++) x[i] = residual_one(x[i], xb[i]);
        }
        sim_rmsnorm(xb.data(), x.data(), m.f32("output_norm"), batch, m.dim, m.epsilon);
        m.matmul(logits.data(), "output", xb.data(), m.vocab, m.dim, batch);
    };

    if (m.config.count("batched") && m.integer("batched") == 1) {
        // every prompt prefilled into its slot, then all slots decoded together, one entry each
        REQUIRE(slots <= capacity, "batched decoding needs a batch capacity of at least the prompts");
        vector<int> next(slots), position(slots);
        vector<vector<std::pair<int, float>>> generated(slots);
        for (int s = 0; s < slots; s++) {
            const vector<int>& prompt = prompts[s];
            int last = 0;
            for (size_t i = 0; i < prompt.size(); i += capacity) {
                vector<int> tokens, slot, positions;
                for (size_t j = i; j < prompt.size() && j < i + capacity; j++) {
                    tokens.push_back(prompt[j]); slot.push_back(s); positions.push_back((int)j);
                }
                step(tokens, slot, positions);
                last = (int)tokens.size() - 1;
            }
            float logProbability;
            sim_argmax(&next[s], &logProbability, logits.data() + (size_t)last * m.vocab, 1, m.vocab);
            generated[s].push_back({next[s], logProbability});
            position[s] = (int)prompt.size();
        }
        vector<int> slot(slots);
        for (int s = 0; s < slots; s++) slot[s] = s;
        for (int t = 1; t < steps; t++) {
            step(next, slot, position);
            vector<int> ids(slots);
            vector<float> logProbabilities(slots);
            sim_argmax(ids.data(), logProbabilities.data(), logits.data(), slots, m.vocab);
            for (int s = 0; s < slots; s++) {
                next[s] = ids[s];
                position[s]++;
                generated[s].push_back({ids[s], logProbabilities[s]});
            }
        }
        FILE* out = fopen((folder + "/out_batched.txt").c_str(), "w");
        REQUIRE(out, "cannot write out_batched.txt");
        for (int s = 0; s < slots; s++) {
            fprintf(out, "tokens");
            for (auto& g : generated[s]) fprintf(out, " %d:%.9g", g.first, g.second);
            fprintf(out, "\n");
        }
        REQUIRE(fclose(out) == 0, "cannot write out_batched.txt");
        return;
    }
    FILE* out = fopen((folder + "/out.txt").c_str(), "w");
    REQUIRE(out, "cannot write out.txt");
    for (int s = 0; s < slots; s++) {
        const vector<int>& prompt = prompts[s];
        int last = 0;
        for (size_t i = 0; i < prompt.size(); i += capacity) { // prefill in chunks of the batch capacity
            vector<int> tokens, slot, positions;
            for (size_t j = i; j < prompt.size() && j < i + capacity; j++) {
                tokens.push_back(prompt[j]); slot.push_back(s); positions.push_back((int)j);
            }
            step(tokens, slot, positions);
            last = (int)tokens.size() - 1;
        }
        fprintf(out, "logits");
        for (int i = 0; i < m.vocab; i++) fprintf(out, " %.9g", logits[(size_t)last * m.vocab + i]);
        fprintf(out, "\ntokens");
        int position = (int)prompt.size();
        for (int t = 0; t < steps; t++) {
            int id;
            float logProbability;
            sim_argmax(&id, &logProbability, logits.data() + (size_t)last * m.vocab, 1, m.vocab);
            fprintf(out, " %d:%.9g", id, logProbability);
            step({id}, {s}, {position++});
            last = 0;
        }
        fprintf(out, "\n");
    }
    REQUIRE(fclose(out) == 0, "cannot write out.txt");
}

int main(int argc, char** argv) {
    try {
        REQUIRE(argc >= 2, "usage: host_test matmul <type> <rows> <n> <batch> <weights> <x> <out> | forward <folder>");
        const string command = argv[1];
        if (command == "matmul") {
            REQUIRE(argc == 9, "usage: host_test matmul <type> <rows> <n> <batch> <weights> <x> <out>");
            const int type = atoi(argv[2]), rows = atoi(argv[3]), n = atoi(argv[4]), batch = atoi(argv[5]);
            vector<uint8_t> w = read_bytes(argv[6]);
            vector<float> x = read_floats(argv[7]);
            REQUIRE(x.size() == (size_t)n * batch, "x holds " + std::to_string(x.size()) + " floats, not n·batch");
            REQUIRE(w.size() == embed_row_bytes(type, n) * rows, "weights hold " + std::to_string(w.size()) + " bytes, not rows·row_bytes");
            vector<float> out((size_t)rows * batch);
            sim_matmul_type(type, w.data(), x.data(), out.data(), rows, n, batch);
            write_floats(argv[8], out.data(), out.size());
        } else if (command == "topk") {
            REQUIRE(argc == 8, "usage: host_test topk <k> <n> <batch> <logits> <ids> <values>");
            const int k = atoi(argv[2]), n = atoi(argv[3]), batch = atoi(argv[4]);
            vector<float> logits = read_floats(argv[5]);
            REQUIRE(logits.size() == (size_t)n * batch, "logits hold " + std::to_string(logits.size()) + " floats, not n·batch");
            vector<int> ids((size_t)k * batch);
            vector<float> values(ids.size());
            sim_top_k(ids.data(), values.data(), logits.data(), batch, n, k);
            vector<float> idsAsFloats(ids.begin(), ids.end()); // exact below 2^24
            write_floats(argv[6], idsAsFloats.data(), idsAsFloats.size());
            write_floats(argv[7], values.data(), values.size());
        } else if (command == "softmax") {
            REQUIRE(argc == 7, "usage: host_test softmax <n> <batch> <temperature> <x> <out>");
            const int n = atoi(argv[2]), batch = atoi(argv[3]);
            const float temperature = (float)atof(argv[4]);
            REQUIRE(temperature > 0, "temperature must be positive");
            vector<float> x = read_floats(argv[5]);
            REQUIRE(x.size() == (size_t)n * batch, "x holds " + std::to_string(x.size()) + " floats, not n·batch");
            sim_softmax(x.data(), batch, n, 1.0f / temperature);
            write_floats(argv[6], x.data(), x.size());
        } else if (command == "forward") {
            REQUIRE(argc == 3, "usage: host_test forward <folder>");
            forward(argv[2]);
        } else {
            REQUIRE(false, "unknown command " + command);
        }
    } catch (const std::exception& e) {
        fprintf(stderr, "host_test: %s\n", e.what());
        return 1;
    }
    return 0;
}
