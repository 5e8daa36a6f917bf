// Matrix product through cblas_sgemm. Transposed operands are passed to BLAS as flags,
// never materialised.
import CKernels

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
        let ad = a.data, bd = b.data  // forward-time values
        result.record([a, b]) { out in
            out.grad!.withUnsafeBufferPointer { g in
                let gc = g.baseAddress!
                if a.requiresGrad {
                    // a stored [M,K]: dA = dC[M,N] · op(B)ᵀ ; a stored [K,M] (transposed): dA = op(B) · dCᵀ
                    bd.withUnsafeBufferPointer { pb in
                        a.writeOrAccumulateGrad { ga, beta in
                            if !transposeA {
                                BLAS.sgemm(transA: false, transB: !transposeB, m: m, n: k, k: n,
                                           a: gc, lda: n, b: pb.baseAddress!, ldb: ldb, beta: beta, c: ga, ldc: lda)
                            } else {
                                BLAS.sgemm(transA: transposeB, transB: true, m: k, n: m, k: n,
                                           a: pb.baseAddress!, lda: ldb, b: gc, ldb: n, beta: beta, c: ga, ldc: lda)
                            }
                        }
                    }
                }
                if b.requiresGrad {
                    // b stored [K,N]: dB = op(A)ᵀ · dC ; b stored [N,K]: dB = dCᵀ · op(A)
                    ad.withUnsafeBufferPointer { pa in
                        b.writeOrAccumulateGrad { gb, beta in
                            if !transposeB {
                                BLAS.sgemm(transA: !transposeA, transB: false, m: k, n: n, k: m,
                                           a: pa.baseAddress!, lda: lda, b: gc, ldb: n, beta: beta, c: gb, ldc: ldb)
                            } else {
                                BLAS.sgemm(transA: true, transB: transposeA, m: n, n: k, k: m,
                                           a: gc, lda: n, b: pa.baseAddress!, ldb: lda, beta: beta, c: gb, ldc: ldb)
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The affine map of a dense layer, fused: x [N, I] · w [I, O] + bias [O] → [N, O].
    /// The bias is copied into the output rows and the GEMM accumulates onto it (beta = 1), so
    /// there is no separate broadcast pass. Backward: dx = dy·wᵀ, dw = xᵀ·dy, dbias = Σ_rows dy.
    public static func linear(_ x: Tensor, weight w: Tensor, bias: Tensor?) -> Tensor {
        precondition(x.rank == 2 && w.rank == 2 && x.shape[1] == w.shape[0],
                     "linear: input \(x.shape) does not fit weight \(w.shape)")
        let n = x.shape[0], i = w.shape[0], o = w.shape[1]
        if let bias { precondition(bias.shape == [o], "linear: bias must be [\(o)], got \(bias.shape)") }
        let out = makeBuffer(n * o) { y in
            if let bias {
                bias.data.withUnsafeBufferPointer { pb in
                    for r in 0..<n { (y + r * o).initialize(from: pb.baseAddress!, count: o) }
                }
            } else if i == 0 {
                y.initialize(repeating: 0, count: n * o)
            }
            x.data.withUnsafeBufferPointer { px in
                w.data.withUnsafeBufferPointer { pw in
                    BLAS.sgemm(transA: false, transB: false, m: n, n: o, k: i, a: px.baseAddress!, lda: i,
                               b: pw.baseAddress!, ldb: o, beta: bias == nil ? 0 : 1, c: y, ldc: o)
                }
            }
        }
        let result = Tensor(shape: [n, o], data: out)
        let xd = x.data, wd = w.data  // forward-time values
        result.record(bias.map { [x, w, $0] } ?? [x, w]) { r in
            r.grad!.withUnsafeBufferPointer { pg in
                let dy = pg.baseAddress!
                if x.requiresGrad {
                    wd.withUnsafeBufferPointer { pw in
                        x.writeOrAccumulateGrad { gx, beta in
                            BLAS.sgemm(transA: false, transB: true, m: n, n: i, k: o, a: dy, lda: o,
                                       b: pw.baseAddress!, ldb: o, beta: beta, c: gx, ldc: i)
                        }
                    }
                }
                if w.requiresGrad {
                    xd.withUnsafeBufferPointer { px in
                        w.writeOrAccumulateGrad { gw, beta in
                            BLAS.sgemm(transA: true, transB: false, m: i, n: o, k: n, a: px.baseAddress!, lda: i,
                                       b: dy, ldb: o, beta: beta, c: gw, ldc: o)
                        }
                    }
                }
                if let bias, bias.requiresGrad {
                    bias.accumulateGrad { gb in Tensor.addColumnSums(rows: n, columns: o, dy, to: gb) }
                }
            }
        }
        return result
    }

    /// `self · other` (2-D).
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }
}
