// Matrix product through cblas_sgemm. Transposed operands are passed to BLAS as flags,
// never materialised.

extension Tensor {
    /// op(a) · op(b) for 2-D tensors, where op transposes when asked.
    /// Shapes: op(a) is [M, K], op(b) is [K, N], result [M, N].
    ///
    /// Backward (for C = A·B): dA = dC·Bᵀ, dB = Aᵀ·dC, each one GEMM accumulating (beta = 1)
    /// straight into the gradient, with the transposes folded into flags.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false,
                              transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs 2-D tensors, got \(a.shape) and \(b.shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "matmul inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let lda = a.shape[1], ldb = b.shape[1]
        let out = makeBuffer(m * n) { c in
            a.data.withUnsafeBufferPointer { pa in
                b.data.withUnsafeBufferPointer { pb in
                    if k == 0 { c.initialize(repeating: 0, count: m * n); return }
                    BLAS.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                               a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                               beta: 0, c: c, ldc: n)
                }
            }
        }
        let result = Tensor(shape: [m, n], data: out)
        result.record([a, b]) { out in
            out.grad!.withUnsafeBufferPointer { g in
                let gc = g.baseAddress!
                if a.requiresGrad {
                    // a stored [M,K]: dA = dC[M,N] · op(B)ᵀ ; a stored [K,M] (transposed): dA = op(B) · dCᵀ
                    b.data.withUnsafeBufferPointer { pb in
                        a.accumulateGrad { ga in
                            if !transposeA {
                                BLAS.sgemm(transA: false, transB: !transposeB, m: m, n: k, k: n,
                                           a: gc, lda: n, b: pb.baseAddress!, ldb: ldb, beta: 1, c: ga, ldc: lda)
                            } else {
                                BLAS.sgemm(transA: transposeB, transB: true, m: k, n: m, k: n,
                                           a: pb.baseAddress!, lda: ldb, b: gc, ldb: n, beta: 1, c: ga, ldc: lda)
                            }
                        }
                    }
                }
                if b.requiresGrad {
                    // b stored [K,N]: dB = op(A)ᵀ · dC ; b stored [N,K]: dB = dCᵀ · op(A)
                    a.data.withUnsafeBufferPointer { pa in
                        b.accumulateGrad { gb in
                            if !transposeB {
                                BLAS.sgemm(transA: !transposeA, transB: false, m: k, n: n, k: m,
                                           a: pa.baseAddress!, lda: lda, b: gc, ldb: n, beta: 1, c: gb, ldc: ldb)
                            } else {
                                BLAS.sgemm(transA: true, transB: transposeA, m: n, n: k, k: m,
                                           a: gc, lda: n, b: pa.baseAddress!, ldb: lda, beta: 1, c: gb, ldc: ldb)
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// `self · other` (2-D).
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }
}
