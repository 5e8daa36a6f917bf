// Hot elementwise loops in C: the Swift compiler leaves SIMD square roots and divisions
// scalar, and C lets these loops use AVX-512/AVX2 where the CPU has them (function
// multiversioning picks at load time), while staying portable to any x86-64 or ARM node.
#ifndef HPSEARCH_CKERNELS_H
#define HPSEARCH_CKERNELS_H
#include <stddef.h>
#include <stdint.h>
#include "pool.h"

/// One Adam/AdamW step over n parameters (see NN/Adam.swift for the formula).
/// lr_c1 = lr / (1 - beta1^t), c2 = 1 / (1 - beta2^t), l2 = coupled weight decay,
/// decay = 1 - lr * decoupled weight decay.
void hps_adam_update(size_t n, const float *g, float *x, float *m, float *v,
                     float b1, float b2, float lr_c1, float c2, float eps, float l2, float decay);

/// y[i] = max(x[i], 0)
void hps_relu_forward(size_t n, const float *x, float *y);
/// gx[i] += x[i] > 0 ? g[i] : 0
void hps_relu_backward(size_t n, const float *x, const float *g, float *gx);
/// out[j] += sum over rows r of a[r * ld + j] for j < cols, in row order (ld >= cols: callers
/// pass a + j0 to split the columns over threads)
void hps_column_sums_add(size_t rows, size_t cols, size_t ld, const float *a, float *out);

/// One max-pooling tap over c channels: where x[j] > y[j] (or `first`), y[j] = x[j] and
/// arg[j] = base + j.
void hps_max_tap(size_t c, const float *x, float *y, int32_t *arg, int32_t base, int first);

/// Batch-norm statistics over m rows of c features, rows ld floats apart (ld >= c: callers pass
/// x + j0 and split the features over threads): mean[j], inv_std[j] = 1/sqrt(var + eps) with the
/// biased variance, and unbiased_var[j] (for the running estimate). Sums in double, in row order.
void hps_bn_stats(size_t m, size_t c, size_t ld, const float *x, float eps, float *mean, float *inv_std, float *unbiased_var);
/// xhat = (x - mean) * inv_std; y = gamma * xhat + beta (row-major [m, c]).
void hps_bn_normalize(size_t m, size_t c, const float *x, const float *mean, const float *inv_std,
                      const float *gamma, const float *beta, float *xhat, float *y);
/// sum_dy[j] = Σ_r dy, sum_dy_xhat[j] = Σ_r dy·xhat (both overwritten), in row order; rows ld
/// floats apart as in hps_bn_stats.
void hps_bn_backward_sums(size_t m, size_t c, size_t ld, const float *dy, const float *xhat, float *sum_dy, float *sum_dy_xhat);
/// gx += gamma·inv_std/m · (m·dy − sum_dy − xhat·sum_dy_xhat) for `rows` rows of the m the
/// statistics were taken over (callers split the rows over threads).
void hps_bn_backward_input(size_t rows, size_t m, size_t c, const float *dy, const float *xhat, const float *gamma,
                           const float *inv_std, const float *sum_dy, const float *sum_dy_xhat, float *gx);

/// im2col of the examples [b0, b1) of x [N, H, W, C] into cols [N·OH·OW, KH·KW·C] (row = output
/// pixel, columns (ky, kx, c) with c fastest), zeros where the window leaves the image.
void hps_im2col(const float *x, float *cols, int h, int w, int c, int kh, int kw,
                int stride, int pad, int oh, int ow, int b0, int b1);
/// The adjoint: gx += each column block of dcols at its input position, for examples [b0, b1).
void hps_col2im_add(const float *dcols, float *gx, int h, int w, int c, int kh, int kw,
                    int stride, int pad, int oh, int ow, int b0, int b1);
/// k×k max pooling of examples [b0, b1): y and arg (the input index of each output's first
/// maximum; -1 and -inf for a window wholly in the padding).
void hps_maxpool_forward(const float *x, float *y, int32_t *arg, int h, int w, int c,
                         int k, int stride, int pad, int oh, int ow, int b0, int b1);
/// gx[arg[i]] += dy[i] for i in [begin, end) where arg[i] >= 0.
void hps_maxpool_backward(const float *dy, const int32_t *arg, float *gx, size_t begin, size_t end);

/// y = max(y, 0) in place.
void hps_relu_inplace(size_t n, float *y);
/// out = g where y > 0, else 0 (written, not added): ReLU's backward from its output y.
void hps_relu_mask(size_t n, const float *y, const float *g, float *out);
/// Max pooling's backward through a ReLU before it, for outputs [begin, end): gx[arg[i]] += dy[i]
/// where the window had one (arg ≥ 0) and its maximum `pooled[i]` is positive (the ReLU passed it).
void hps_maxpool_backward_positive(const float *dy, const int32_t *arg, const float *pooled, float *gx, size_t begin, size_t end);
/// The same for non-overlapping windows (stride = k, no padding), written densely for examples
/// [b0, b1): every element of gx [N, H, W, C] is set (0 where no positive maximum came from it),
/// so gx needs no zero-filling first; the same bits as the scatter into zeros.
void hps_maxpool_backward_positive_dense(const float *dy, const int32_t *arg, const float *pooled, float *gx,
                                         int h, int w, int c, int k, int oh, int ow, int b0, int b1);
/// y [rows, o] = (bias or 0) + a [rows, k] · wt [k, o], each element accumulated from +0 by
/// fused multiply-adds in k order and the bias added last, as OpenBLAS's sgemm kernel does (the
/// same bits), then max(·, 0) when `relu`. For the small k of a first convolution layer
/// (k = KH·KW·C ≤ 32), where a blocked GEMM spends its time packing and re-reading C.
void hps_small_k_gemm(size_t rows, size_t o, size_t k, const float *a, const float *wt, const float *bias, int relu, float *y);

#endif
