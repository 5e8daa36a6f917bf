// See include/ckernels.h.
#include "ckernels.h"
#include <math.h>
#include <stdlib.h>

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define HPS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HPS_CLONES
#endif

HPS_CLONES
void hps_adam_update(size_t n, const float *restrict g, float *restrict x, float *restrict m, float *restrict v,
                     float b1, float b2, float lr_c1, float c2, float eps, float l2, float decay) {
    const float a1 = 1.0f - b1, a2 = 1.0f - b2;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + l2 * x[i];
        float mi = b1 * m[i] + a1 * gi;
        float vi = b2 * v[i] + a2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        x[i] = x[i] * decay - lr_c1 * mi / (sqrtf(vi * c2) + eps);
    }
}

HPS_CLONES
void hps_relu_forward(size_t n, const float *restrict x, float *restrict y) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

HPS_CLONES
void hps_relu_backward(size_t n, const float *restrict x, const float *restrict g, float *restrict gx) {
    for (size_t i = 0; i < n; i++) gx[i] += x[i] > 0.0f ? g[i] : 0.0f;
}

HPS_CLONES
void hps_column_sums_add(size_t rows, size_t cols, const float *restrict a, float *restrict out) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = a + r * cols;
        for (size_t j = 0; j < cols; j++) out[j] += row[j];
    }
}

HPS_CLONES
void hps_max_tap(size_t c, const float *restrict x, float *restrict y, int32_t *restrict arg, int32_t base, int first) {
    if (first) {
        for (size_t j = 0; j < c; j++) { y[j] = x[j]; arg[j] = base + (int32_t)j; }
        return;
    }
    for (size_t j = 0; j < c; j++) {
        int better = x[j] > y[j];
        y[j] = better ? x[j] : y[j];
        arg[j] = better ? base + (int32_t)j : arg[j];
    }
}

HPS_CLONES
void hps_bn_stats(size_t m, size_t c, const float *restrict x, float eps, float *restrict mean,
                  float *restrict inv_std, float *restrict unbiased_var) {
    double *sum = calloc(2 * c, sizeof(double)), *sq = sum + c;
    for (size_t r = 0; r < m; r++) {
        const float *row = x + r * c;
        for (size_t j = 0; j < c; j++) sum[j] += row[j];
    }
    for (size_t j = 0; j < c; j++) mean[j] = (float)(sum[j] / (double)m);
    for (size_t r = 0; r < m; r++) {
        const float *row = x + r * c;
        for (size_t j = 0; j < c; j++) { double d = (double)(row[j] - mean[j]); sq[j] += d * d; }
    }
    for (size_t j = 0; j < c; j++) {
        inv_std[j] = 1.0f / sqrtf((float)(sq[j] / (double)m) + eps);
        unbiased_var[j] = m > 1 ? (float)(sq[j] / (double)(m - 1)) : 0.0f;
    }
    free(sum);
}

HPS_CLONES
void hps_bn_normalize(size_t m, size_t c, const float *restrict x, const float *restrict mean,
                      const float *restrict inv_std, const float *restrict gamma, const float *restrict beta,
                      float *restrict xhat, float *restrict y) {
    for (size_t r = 0; r < m; r++) {
        const float *row = x + r * c;
        float *h = xhat + r * c, *o = y + r * c;
        for (size_t j = 0; j < c; j++) {
            float v = (row[j] - mean[j]) * inv_std[j];
            h[j] = v;
            o[j] = gamma[j] * v + beta[j];
        }
    }
}

HPS_CLONES
void hps_bn_backward_sums(size_t m, size_t c, const float *restrict dy, const float *restrict xhat,
                          float *restrict sum_dy, float *restrict sum_dy_xhat) {
    for (size_t j = 0; j < c; j++) { sum_dy[j] = 0.0f; sum_dy_xhat[j] = 0.0f; }
    for (size_t r = 0; r < m; r++) {
        const float *g = dy + r * c, *h = xhat + r * c;
        for (size_t j = 0; j < c; j++) { sum_dy[j] += g[j]; sum_dy_xhat[j] += g[j] * h[j]; }
    }
}

HPS_CLONES
void hps_bn_backward_input(size_t m, size_t c, const float *restrict dy, const float *restrict xhat,
                           const float *restrict gamma, const float *restrict inv_std, const float *restrict sum_dy,
                           const float *restrict sum_dy_xhat, float *restrict gx) {
    const float fm = (float)m;
    for (size_t r = 0; r < m; r++) {
        const float *g = dy + r * c, *h = xhat + r * c;
        float *out = gx + r * c;
        for (size_t j = 0; j < c; j++)
            out[j] += gamma[j] * inv_std[j] / fm * (fm * g[j] - sum_dy[j] - h[j] * sum_dy_xhat[j]);
    }
}
