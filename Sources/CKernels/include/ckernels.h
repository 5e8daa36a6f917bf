// Hot elementwise loops in C: the Swift compiler leaves SIMD square roots and divisions
// scalar, and C lets these loops use AVX-512/AVX2 where the CPU has them (function
// multiversioning picks at load time), while staying portable to any x86-64 or ARM node.
#ifndef HPSEARCH_CKERNELS_H
#define HPSEARCH_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// One Adam/AdamW step over n parameters (see NN/Adam.swift for the formula).
/// lr_c1 = lr / (1 - beta1^t), c2 = 1 / (1 - beta2^t), l2 = coupled weight decay,
/// decay = 1 - lr * decoupled weight decay.
void hps_adam_update(size_t n, const float *g, float *x, float *m, float *v,
                     float b1, float b2, float lr_c1, float c2, float eps, float l2, float decay);

/// y[i] = max(x[i], 0)
void hps_relu_forward(size_t n, const float *x, float *y);
/// gx[i] += x[i] > 0 ? g[i] : 0
void hps_relu_backward(size_t n, const float *x, const float *g, float *gx);
/// out[j] += sum over rows r of a[r * cols + j]
void hps_column_sums_add(size_t rows, size_t cols, const float *a, float *out);

/// One max-pooling tap over c channels: where x[j] > y[j] (or `first`), y[j] = x[j] and
/// arg[j] = base + j.
void hps_max_tap(size_t c, const float *x, float *y, int32_t *arg, int32_t base, int first);

#endif
