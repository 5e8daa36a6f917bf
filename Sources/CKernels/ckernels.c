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
void hps_column_sums_add(size_t rows, size_t cols, size_t ld, const float *restrict a, float *restrict out) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = a + r * ld;
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
void hps_bn_stats(size_t m, size_t c, size_t ld, const float *restrict x, float eps, float *restrict mean,
                  float *restrict inv_std, float *restrict unbiased_var) {
    double *sum = calloc(2 * c, sizeof(double)), *sq = sum + c;
    for (size_t r = 0; r < m; r++) {
        const float *row = x + r * ld;
        for (size_t j = 0; j < c; j++) sum[j] += row[j];
    }
    for (size_t j = 0; j < c; j++) mean[j] = (float)(sum[j] / (double)m);
    for (size_t r = 0; r < m; r++) {
        const float *row = x + r * ld;
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
void hps_bn_backward_sums(size_t m, size_t c, size_t ld, const float *restrict dy, const float *restrict xhat,
                          float *restrict sum_dy, float *restrict sum_dy_xhat) {
    for (size_t j = 0; j < c; j++) { sum_dy[j] = 0.0f; sum_dy_xhat[j] = 0.0f; }
    for (size_t r = 0; r < m; r++) {
        const float *g = dy + r * ld, *h = xhat + r * ld;
        for (size_t j = 0; j < c; j++) { sum_dy[j] += g[j]; sum_dy_xhat[j] += g[j] * h[j]; }
    }
}

HPS_CLONES
void hps_bn_backward_input(size_t rows, size_t m, size_t c, const float *restrict dy, const float *restrict xhat,
                           const float *restrict gamma, const float *restrict inv_std, const float *restrict sum_dy,
                           const float *restrict sum_dy_xhat, float *restrict gx) {
    const float fm = (float)m;
    for (size_t r = 0; r < rows; r++) {
        const float *g = dy + r * c, *h = xhat + r * c;
        float *out = gx + r * c;
        for (size_t j = 0; j < c; j++)
            out[j] += gamma[j] * inv_std[j] / fm * (fm * g[j] - sum_dy[j] - h[j] * sum_dy_xhat[j]);
    }
}

// MARK: Convolution and pooling windows (NHWC), for the examples [b0, b1) of a batch, so callers
// can split a batch over threads: each call writes only its own examples' rows.

// For one output pixel and one kernel row ky, the taps kx whose input pixel lies inside the
// image form one run [kx0, kx1); in NHWC their channels are contiguous in x when the stride is 1
// (and per tap otherwise). Copying (or adding) whole runs instead of one tap at a time keeps the
// inner loops long: for a first layer (C = 1) a tap is a single float.
static inline void hps_tap_run(int ox, int stride, int pad, int kw, int w, int *kx0, int *kx1) {
    int lo = pad - ox * stride, hi = w + pad - ox * stride;  // kx with 0 <= ox*stride - pad + kx < w
    *kx0 = lo > 0 ? (lo < kw ? lo : kw) : 0;
    *kx1 = hi < kw ? hi : kw;
    if (*kx1 < *kx0) *kx1 = *kx0;
}

HPS_CLONES
void hps_im2col(const float *restrict x, float *restrict cols, int h, int w, int c, int kh, int kw,
                int stride, int pad, int oh, int ow, int b0, int b1) {
    const size_t patch = (size_t)kh * kw * c;
    for (int b = b0; b < b1; b++) {
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                float *dst = cols + (((size_t)b * oh + oy) * ow + ox) * patch;
                int kx0, kx1;
                hps_tap_run(ox, stride, pad, kw, w, &kx0, &kx1);
                for (int ky = 0; ky < kh; ky++, dst += (size_t)kw * c) {
                    const int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h) {
                        for (size_t j = 0; j < (size_t)kw * c; j++) dst[j] = 0.0f;
                        continue;
                    }
                    for (size_t j = 0; j < (size_t)kx0 * c; j++) dst[j] = 0.0f;
                    // Taps kx0..<kx1 read input pixels ix0, ix0 + stride, …: one contiguous run at stride 1.
                    const float *src = x + (((size_t)b * h + iy) * w + (ox * stride - pad + kx0)) * c;
                    float *d = dst + (size_t)kx0 * c;
                    if (stride == 1) {
                        const size_t run = (size_t)(kx1 - kx0) * c;
                        for (size_t j = 0; j < run; j++) d[j] = src[j];
                    } else {
                        for (int kx = kx0; kx < kx1; kx++, d += c, src += (size_t)c) for (int j = 0; j < c; j++) d[j] = src[j];
                    }
                    for (size_t j = (size_t)kx1 * c; j < (size_t)kw * c; j++) dst[j] = 0.0f;
                }
            }
        }
    }
}

HPS_CLONES
void hps_col2im_add(const float *restrict dcols, float *restrict gx, int h, int w, int c, int kh, int kw,
                    int stride, int pad, int oh, int ow, int b0, int b1) {
    const size_t patch = (size_t)kh * kw * c;
    for (int b = b0; b < b1; b++) {
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                const float *src = dcols + (((size_t)b * oh + oy) * ow + ox) * patch;
                int kx0, kx1;
                hps_tap_run(ox, stride, pad, kw, w, &kx0, &kx1);
                for (int ky = 0; ky < kh; ky++, src += (size_t)kw * c) {
                    const int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h) continue;
                    float *dst = gx + (((size_t)b * h + iy) * w + (ox * stride - pad + kx0)) * c;
                    const float *s = src + (size_t)kx0 * c;
                    if (stride == 1) {
                        const size_t run = (size_t)(kx1 - kx0) * c;
                        for (size_t j = 0; j < run; j++) dst[j] += s[j];
                    } else {
                        for (int kx = kx0; kx < kx1; kx++, s += c, dst += (size_t)c) for (int j = 0; j < c; j++) dst[j] += s[j];
                    }
                }
            }
        }
    }
}

HPS_CLONES
void hps_maxpool_forward(const float *restrict x, float *restrict y, int32_t *restrict arg, int h, int w, int c,
                         int k, int stride, int pad, int oh, int ow, int b0, int b1) {
    for (int b = b0; b < b1; b++) {
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                const size_t o = (((size_t)b * oh + oy) * ow + ox) * c;
                float *yo = y + o;
                int32_t *ao = arg + o;
                int first = 1;
                for (int ky = 0; ky < k; ky++) {
                    const int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h) continue;
                    for (int kx = 0; kx < k; kx++) {
                        const int ix = ox * stride - pad + kx;
                        if (ix < 0 || ix >= w) continue;
                        const size_t s = (((size_t)b * h + iy) * w + ix) * c;
                        const float *xi = x + s;
                        if (first) {
                            for (int j = 0; j < c; j++) { yo[j] = xi[j]; ao[j] = (int32_t)(s + j); }
                            first = 0;
                        } else {
                            for (int j = 0; j < c; j++) {
                                const int better = xi[j] > yo[j];
                                yo[j] = better ? xi[j] : yo[j];
                                ao[j] = better ? (int32_t)(s + j) : ao[j];
                            }
                        }
                    }
                }
                if (first) for (int j = 0; j < c; j++) { yo[j] = -INFINITY; ao[j] = -1; }
            }
        }
    }
}

void hps_maxpool_backward(const float *restrict dy, const int32_t *restrict arg, float *restrict gx, size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) if (arg[i] >= 0) gx[arg[i]] += dy[i];
}

// MARK: Convolution + ReLU (+ max pool) fused (Tensor.conv2dReLU)

HPS_CLONES
void hps_relu_inplace(size_t n, float *restrict y) {
    for (size_t i = 0; i < n; i++) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
}

HPS_CLONES
void hps_relu_mask(size_t n, const float *restrict y, const float *restrict g, float *restrict out) {
    for (size_t i = 0; i < n; i++) out[i] = y[i] > 0.0f ? g[i] : 0.0f;
}

void hps_maxpool_backward_positive(const float *restrict dy, const int32_t *restrict arg, const float *restrict pooled,
                                   float *restrict gx, size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) if (arg[i] >= 0 && pooled[i] > 0.0f) gx[arg[i]] += dy[i];
}

HPS_CLONES
void hps_maxpool_backward_positive_dense(const float *restrict dy, const int32_t *restrict arg, const float *restrict pooled,
                                         float *restrict gx, int h, int w, int c, int k, int oh, int ow, int b0, int b1) {
    for (int b = b0; b < b1; b++) {
        for (int iy = 0; iy < h; iy++) {
            const int py = iy / k;
            for (int ix = 0; ix < w; ix++) {
                const int px = ix / k;
                const size_t at = (((size_t)b * h + iy) * w + ix) * c;
                float *restrict dst = gx + at;
                if (py >= oh || px >= ow) {
                    for (int j = 0; j < c; j++) dst[j] = 0.0f;
                    continue;
                }
                const size_t o = (((size_t)b * oh + py) * ow + px) * c;
                const int32_t idx = (int32_t)at;
                // 0 + dy, as the scatter into a zeroed buffer gives (a -0 gradient becomes +0).
                for (int j = 0; j < c; j++)
                    dst[j] = (arg[o + j] == idx + j && pooled[o + j] > 0.0f) ? 0.0f + dy[o + j] : 0.0f;
            }
        }
    }
}

// Four rows × 32 outputs per step: the accumulators are fixed-size, so the compiler keeps them
// in registers (8 zmm with AVX-512) and each weight row loaded serves four rows.
static inline __attribute__((always_inline)) void hps_small_k_block(const float *restrict a, size_t k, const float *restrict wt, size_t o,
                                     const float *restrict bias, int relu, float *restrict y) {
    float acc0[32] = {0}, acc1[32] = {0}, acc2[32] = {0}, acc3[32] = {0};
    for (size_t t = 0; t < k; t++) {
        const float a0 = a[t], a1 = a[k + t], a2 = a[2 * k + t], a3 = a[3 * k + t];
        const float *restrict wr = wt + t * o;
        for (int j = 0; j < 32; j++) {
            acc0[j] = fmaf(a0, wr[j], acc0[j]);
            acc1[j] = fmaf(a1, wr[j], acc1[j]);
            acc2[j] = fmaf(a2, wr[j], acc2[j]);
            acc3[j] = fmaf(a3, wr[j], acc3[j]);
        }
    }
    float *accs[4] = {acc0, acc1, acc2, acc3};
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 32; j++) {
            const float v = (bias ? bias[j] : 0.0f) + accs[i][j];
            y[i * o + j] = relu ? (v > 0.0f ? v : 0.0f) : v;
        }
    }
}

HPS_CLONES
void hps_small_k_gemm(size_t rows, size_t o, size_t k, const float *restrict a, const float *restrict wt,
                      const float *restrict bias, int relu, float *restrict y) {
    size_t r = 0;
    const size_t blocks = o / 32;
    if (blocks > 0) {
        for (; r + 4 <= rows; r += 4)
            for (size_t b = 0; b < blocks; b++)
                hps_small_k_block(a + r * k, k, wt + b * 32, o, bias ? bias + b * 32 : 0, relu, y + r * o + b * 32);
    }
    // The rows left over, and the outputs past the last block of 32, one element at a time.
    for (size_t rr = 0; rr < rows; rr++) {
        const size_t o0 = rr < r ? blocks * 32 : 0;
        const float *ar = a + rr * k;
        for (size_t j = o0; j < o; j++) {
            float acc = 0.0f;
            for (size_t t = 0; t < k; t++) acc = fmaf(ar[t], wt[t * o + j], acc);
            const float v = (bias ? bias[j] : 0.0f) + acc;
            y[rr * o + j] = relu ? (v > 0.0f ? v : 0.0f) : v;
        }
    }
}
