// 2-D convolution, max pooling and average pooling (windowed and global) on NHWC tensors.
//
// Convolution is im2col + one GEMM for the whole batch:
//   cols[N·OH·OW, KH·KW·C] (row = output pixel, columns = (kh, kw, c) with c fastest, so each
//   (kh, kw) tap is one contiguous copy of C channels), weights W[O, KH·KW·C],
//   y[N·OH·OW, O] = cols · Wᵀ + bias — already NHWC.
// Backward: dW = dyᵀ · cols; dx for stride 1 is the convolution of dy with the flipped,
// transposed kernel (im2col of dy and one GEMM), otherwise dcols = dy · W, then col2im
// scatters dcols back onto dx.
import CKernels

/// Geometry of a 2-D window sweep (convolution or pooling).
public struct ConvGeometry: Equatable, Sendable {
    public var n, h, w, c: Int       // input NHWC
    public var kh, kw: Int           // window
    public var stride, padding: Int
    public var oh: Int { (h + 2 * padding - kh) / stride + 1 }
    public var ow: Int { (w + 2 * padding - kw) / stride + 1 }
    /// Columns of the im2col matrix: KH·KW·C.
    public var patch: Int { kh * kw * c }

    public init(n: Int, h: Int, w: Int, c: Int, kh: Int, kw: Int, stride: Int, padding: Int) {
        precondition(stride >= 1 && padding >= 0, "stride must be ≥ 1 and padding ≥ 0")
        precondition(h + 2 * padding >= kh && w + 2 * padding >= kw,
                     "window \(kh)×\(kw) larger than padded input \(h)×\(w) (padding \(padding))")
        (self.n, self.h, self.w, self.c, self.kh, self.kw, self.stride, self.padding) = (n, h, w, c, kh, kw, stride, padding)
    }
}

extension Tensor {
    /// im2col of an NHWC input: [N·OH·OW, KH·KW·C], zeros where the window leaves the padded image.
    /// The batch is split over the BLAS threads (each chunk fills its own examples' rows).
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry) -> [Float] {
        let rows = g.n * g.oh * g.ow, patch = g.patch
        return makeBuffer(rows * patch) { cols in
            let c = UnsafeMutablePointer(cols)
            Parallel.chunks(g.n) { b0, b1 in
                hps_im2col(x, c, Int32(g.h), Int32(g.w), Int32(g.c), Int32(g.kh), Int32(g.kw), Int32(g.stride), Int32(g.padding),
                           Int32(g.oh), Int32(g.ow), Int32(b0), Int32(b1))
            }
        }
    }

    /// Convolution of x [N, H, W, C] with weights [O, KH, KW, C] and optional bias [O] → [N, OH, OW, O].
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        let (g, cols, out, _) = convForward(x, weight: weight, bias: bias, stride: stride, padding: padding)
        let result = Tensor(shape: [g.n, g.oh, g.ow, weight.shape[0]], data: out)
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        let wd = weight.data  // forward-time values
        result.record(inputs) { r in
            r.grad!.withUnsafeBufferPointer { pg in convBackward(pg.baseAddress!, x, weight: weight, bias: bias, cols: cols, weights: wd, g) }
        }
        return result
    }

    /// The forward half of `conv2d`: the geometry, the im2col matrix (kept for dW) and
    /// y [N·OH·OW, O] = cols · Wᵀ + bias, max(·, 0) when `relu` is true and the small-K
    /// kernel ran (returned: whether the ReLU is applied; the caller applies it otherwise).
    static func convForward(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int,
                            relu: Bool = false) -> (ConvGeometry, [Float], [Float], reluApplied: Bool) {
        precondition(x.rank == 4 && weight.rank == 4, "conv2d needs x [N,H,W,C] and weight [O,KH,KW,C]; got \(x.shape), \(weight.shape)")
        precondition(x.shape[3] == weight.shape[3], "conv2d: input has \(x.shape[3]) channels, weight expects \(weight.shape[3])")
        let o = weight.shape[0]
        let g = ConvGeometry(n: x.shape[0], h: x.shape[1], w: x.shape[2], c: x.shape[3],
                             kh: weight.shape[1], kw: weight.shape[2], stride: stride, padding: padding)
        if let bias { precondition(bias.shape == [o], "conv2d bias must be [\(o)], got \(bias.shape)") }
        let rows = g.n * g.oh * g.ow, patch = g.patch
        if patch <= smallPatch && BLAS.usesAVX512Kernels {
            let cols = x.data.withUnsafeBufferPointer { im2col($0.baseAddress!, g) }
            // A first layer's K = KH·KW·C (9 for 3×3 over one channel) is too small for a blocked
            // GEMM to pay for packing and for reading and writing C around so few products; this
            // kernel writes each output once, bias (and ReLU) included, in OpenBLAS's summation
            // order (the same bits; checked against sgemm in ConvTests).
            let wt = weight.data.withUnsafeBufferPointer { pw in
                makeBuffer(patch * o) { t in for j in 0..<o { for q in 0..<patch { t[q * o + j] = pw[j * patch + q] } } }
            }
            let perExample = g.oh * g.ow
            let out = makeBuffer(rows * o) { y in
                cols.withUnsafeBufferPointer { pc in
                    wt.withUnsafeBufferPointer { pt in
                        func run(_ pb: UnsafePointer<Float>?) {
                            Parallel.chunks(g.n) { b0, b1 in
                                let r0 = b0 * perExample
                                hps_small_k_gemm((b1 - b0) * perExample, o, patch, pc.baseAddress! + r0 * patch, pt.baseAddress!,
                                                 pb, relu ? 1 : 0, y + r0 * o)
                            }
                        }
                        if let bias { bias.data.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                    }
                }
            }
            return (g, cols, out, relu)
        }
        var out: [Float] = []
        let cols = makeBuffer(rows * patch) { pc in
            out = makeBuffer(rows * o) { y in
                x.data.withUnsafeBufferPointer { px in
                    weight.data.withUnsafeBufferPointer { pw in
                        func gemm(_ pb: UnsafePointer<Float>?) {
                            // im2col and the GEMM for a group of examples at a time, so that the
                            // group's im2col rows are still in the core's cache when the GEMM packs
                            // them; the groups split over the cores.
                            // The groups depend on the shape only, never on the thread count: each
                            // GEMM covers the same rows at 1 thread or 4, so the same bits.
                            let perExample = g.oh * g.ow, group = cacheExamples(g)
                            Parallel.chunks((g.n + group - 1) / group) { g0, g1 in
                                for gi in g0..<g1 {
                                    let e = gi * group, e1 = Swift.min(g.n, e + group), r0 = e * perExample, m = (e1 - e) * perExample
                                    hps_im2col(px.baseAddress!, pc, Int32(g.h), Int32(g.w), Int32(g.c), Int32(g.kh), Int32(g.kw),
                                               Int32(g.stride), Int32(g.padding), Int32(g.oh), Int32(g.ow), Int32(e), Int32(e1))
                                    if let pb { for r in r0..<(r0 + m) { (y + r * o).initialize(from: pb, count: o) } }
                                    BLAS.serialSGEMM(transA: false, transB: true, m: m, n: o, k: patch,
                                                     a: pc + r0 * patch, lda: patch, b: pw.baseAddress!, ldb: patch,
                                                     beta: pb == nil ? 0 : 1, c: y + r0 * o, ldc: o)
                                }
                            }
                        }
                        if let bias { bias.data.withUnsafeBufferPointer { gemm($0.baseAddress!) } } else { gemm(nil) }
                    }
                }
            }
        }
        return (g, cols, out, false)
    }

    /// Largest KH·KW·C that `convForward` computes with its small-K kernel rather than sgemm.
    static let smallPatch = 32

    /// The backward half of `conv2d` for the output gradient `dy` [N·OH·OW, O]: dW = dyᵀ · cols,
    /// the bias's column sums, and dx (with W the forward-time `weights`): a transposed
    /// convolution for stride 1 and square kernels, col2im(dy · W) otherwise.
    static func convBackward(_ dy: UnsafePointer<Float>, _ x: Tensor, weight: Tensor, bias: Tensor?,
                             cols: [Float], weights wd: [Float], _ g: ConvGeometry) {
        let o = weight.shape[0], rows = g.n * g.oh * g.ow, patch = g.patch
        if weight.requiresGrad {
            cols.withUnsafeBufferPointer { pc in
                weight.writeOrAccumulateGrad { gw, beta in
                    BLAS.sgemm(transA: true, transB: false, m: o, n: patch, k: rows,
                               a: dy, lda: o, b: pc.baseAddress!, ldb: patch, beta: beta, c: gw, ldc: patch)
                }
            }
        }
        if let bias, bias.requiresGrad {
            bias.accumulateGrad { gb in addColumnSums(rows: rows, columns: o, dy, to: gb) }
        }
        guard x.requiresGrad else { return }
        if g.stride == 1 && g.kh == g.kw && g.padding < g.kh {
            inputGradientByTransposedConvolution(dy, x, weights: wd, outputs: o, g)
            return
        }
        wd.withUnsafeBufferPointer { pw in
            x.accumulateGrad { gx in
                // dcols = dy · W and col2im, a cache-sized group of examples at a time (each
                // example's gradient rows are its own; the groups split over the cores).
                let perExample = g.oh * g.ow, group = cacheExamples(g)
                Parallel.chunks((g.n + group - 1) / group) { g0, g1 in
                    let dcols = UnsafeMutablePointer<Float>.allocate(capacity: group * perExample * patch)
                    defer { dcols.deallocate() }
                    for gi in g0..<g1 {
                        let e = gi * group, e1 = min(g.n, e + group), m = (e1 - e) * perExample
                        BLAS.serialSGEMM(transA: false, transB: false, m: m, n: patch, k: o,
                                         a: dy + e * perExample * o, lda: o, b: pw.baseAddress!, ldb: patch, beta: 0, c: dcols, ldc: patch)
                        // col2im indexes rows from example 0: shift the buffer back by e examples.
                        hps_col2im_add(dcols - e * perExample * patch, gx, Int32(g.h), Int32(g.w), Int32(g.c), Int32(g.kh), Int32(g.kw),
                                       Int32(g.stride), Int32(g.padding), Int32(g.oh), Int32(g.ow), Int32(e), Int32(e1))
                    }
                }
            }
        }
    }

    /// dx of a stride-1 convolution as the convolution of dy with the spatially flipped,
    /// channel-transposed kernel (padding KH − 1 − P, so the output is H×W again):
    /// dx[N·H·W, C] = im2col(dy)[N·H·W, KH·KW·O] · W′[KH·KW·O, C]. The same products as
    /// dy · W then col2im, but as one GEMM with inner dimension KH·KW·O writing C columns,
    /// instead of one with inner dimension O writing KH·KW·C columns that col2im then reads back
    /// and scatters: no zero-filled buffer, no scatter-add, and 9× fewer outputs for 3×3.
    static func inputGradientByTransposedConvolution(_ dy: UnsafePointer<Float>, _ x: Tensor, weights wd: [Float],
                                                     outputs o: Int, _ g: ConvGeometry) {
        let k = g.kh, c = g.c
        // W′[(ky, kx, o), c] = W[o, k−1−ky, k−1−kx, c]
        var flipped = [Float](repeating: 0, count: k * k * o * c)
        for oi in 0..<o { for ky in 0..<k { for kx in 0..<k {
            let from = ((oi * k + (k - 1 - ky)) * k + (k - 1 - kx)) * c, to = ((ky * k + kx) * o + oi) * c
            for ci in 0..<c { flipped[to + ci] = wd[from + ci] }
        } } }
        let t = ConvGeometry(n: g.n, h: g.oh, w: g.ow, c: o, kh: k, kw: k, stride: 1, padding: k - 1 - g.padding)
        precondition(t.oh == g.h && t.ow == g.w, "transposed convolution must give back the input's size")
        let perExample = g.h * g.w, patch = t.patch, group = cacheExamples(t)
        flipped.withUnsafeBufferPointer { pw in
            x.writeOrAccumulateGrad { gx, beta in
                // A cache-sized group of examples at a time, as in the forward pass; each
                // group's rows of dx are its own, so beta (0 for a fresh gradient) holds per group.
                Parallel.chunks((g.n + group - 1) / group) { g0, g1 in
                    let cols = UnsafeMutablePointer<Float>.allocate(capacity: group * perExample * patch)
                    defer { cols.deallocate() }
                    for gi in g0..<g1 {
                        let e = gi * group, e1 = min(g.n, e + group), m = (e1 - e) * perExample
                        // im2col indexes rows from example 0: shift the buffer back by e examples.
                        hps_im2col(dy, cols - e * perExample * patch, Int32(t.h), Int32(t.w), Int32(t.c), Int32(k), Int32(k),
                                   1, Int32(t.padding), Int32(t.oh), Int32(t.ow), Int32(e), Int32(e1))
                        BLAS.serialSGEMM(transA: false, transB: false, m: m, n: c, k: patch,
                                         a: cols, lda: patch, b: pw.baseAddress!, ldb: c, beta: beta, c: gx + e * perExample * c, ldc: c)
                    }
                }
            }
        }
    }

    /// Examples per group in the convolution loops: about 1 MiB of im2col rows, which stays in
    /// a core's L2 cache between the loop that writes it and the one that reads it; evened out
    /// over the groups a batch needs (128 examples in groups of at most 37: four of 32).
    static func cacheExamples(_ g: ConvGeometry) -> Int {
        let most = Swift.max(1, (1 << 18) / Swift.max(1, g.oh * g.ow * g.patch))
        let groups = (g.n + most - 1) / most
        return Swift.max(1, (g.n + groups - 1) / groups)
    }

    /// Max pooling of x [N, H, W, C] with a k×k window → [N, OH, OW, C]. Gradient goes to the
    /// (first) maximum of each window. Windows leaving the image ignore the padding.
    public static func maxPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        precondition(x.rank == 4, "maxPool2d needs x [N,H,W,C], got \(x.shape)")
        let g = ConvGeometry(n: x.shape[0], h: x.shape[1], w: x.shape[2], c: x.shape[3],
                             kh: kernel, kw: kernel, stride: stride ?? kernel, padding: padding)
        precondition(padding <= kernel / 2, "maxPool2d: padding \(padding) must be at most half the kernel (\(kernel / 2)), or windows fall wholly outside the image")
        precondition(x.count < Int(Int32.max), "maxPool2d: input of \(x.count) elements exceeds 32-bit indices")
        let c = g.c, outCount = g.n * g.oh * g.ow * c
        // For each output element, the input index of its window's maximum (-1: window empty).
        var argmax = [Int32](repeating: -1, count: outCount)
        let out = makeBuffer(outCount) { y in
            x.data.withUnsafeBufferPointer { pxb in
                argmax.withUnsafeMutableBufferPointer { amb in
                    let px = pxb.baseAddress!, am = amb.baseAddress!
                    Parallel.chunks(g.n) { b0, b1 in
                        hps_maxpool_forward(px, y, am, Int32(g.h), Int32(g.w), Int32(c), Int32(g.kh), Int32(g.stride), Int32(g.padding),
                                            Int32(g.oh), Int32(g.ow), Int32(b0), Int32(b1))
                    }
                }
            }
        }
        let result = Tensor(shape: [g.n, g.oh, g.ow, c], data: out)
        let perExample = g.oh * g.ow * c
        result.record([x]) { r in
            r.grad!.withUnsafeBufferPointer { dy in
                argmax.withUnsafeBufferPointer { am in
                    x.accumulateGrad { gx in
                        // An example's outputs point into its own input: split by example.
                        Parallel.chunks(g.n) { b0, b1 in
                            hps_maxpool_backward(dy.baseAddress!, am.baseAddress!, gx, b0 * perExample, b1 * perExample)
                        }
                    }
                }
            }
        }
        return result
    }

    /// Average pooling of x [N, H, W, C] with a k×k window every `stride` pixels (default k), no
    /// padding → [N, OH, OW, C] with OH = (H − k) / stride + 1: every window lies inside the
    /// image, so each output is the mean of exactly k² inputs. Backward: each input of a window
    /// receives dy / k² (overlapping windows add).
    public static func avgPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil) -> Tensor {
        precondition(x.rank == 4, "avgPool2d needs x [N,H,W,C], got \(x.shape)")
        precondition(kernel >= 1, "avgPool2d: kernel must be ≥ 1, got \(kernel)")
        let g = ConvGeometry(n: x.shape[0], h: x.shape[1], w: x.shape[2], c: x.shape[3],
                             kh: kernel, kw: kernel, stride: stride ?? kernel, padding: 0)
        let c = g.c, outCount = g.n * g.oh * g.ow * c
        let scale = 1 / Float(kernel * kernel)
        /// Calls `body(output row, input offset)` for every tap of every window (row = output pixel).
        func forEachTap(_ body: (Int, Int) -> Void) {
            var row = 0
            for b in 0..<g.n { for oy in 0..<g.oh { for ox in 0..<g.ow {
                for ky in 0..<g.kh {
                    let iy = oy * g.stride + ky
                    for kx in 0..<g.kw { body(row, ((b * g.h + iy) * g.w + ox * g.stride + kx) * c) }
                }
                row += 1
            } } }
        }
        let out = makeBuffer(outCount) { y in
            y.initialize(repeating: 0, count: outCount)
            x.data.withUnsafeBufferPointer { pxb in
                let px = pxb.baseAddress!
                forEachTap { row, src in
                    let yo = y + row * c, xi = px + src
                    for j in 0..<c { yo[j] += xi[j] }
                }
            }
            for i in 0..<outCount { y[i] *= scale }
        }
        let result = Tensor(shape: [g.n, g.oh, g.ow, c], data: out)
        result.record([x]) { r in
            r.grad!.withUnsafeBufferPointer { dy in
                x.accumulateGrad { gx in
                    forEachTap { row, src in
                        let d = dy.baseAddress! + row * c, gi = gx + src
                        for j in 0..<c { gi[j] += d[j] * scale }
                    }
                }
            }
        }
        return result
    }

    /// Global average pooling: x [N, H, W, C] → [N, C], the mean over the H·W pixels of each
    /// example and channel. Backward: every pixel receives dy / (H·W).
    public static func globalAvgPool2d(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "globalAvgPool2d needs x [N,H,W,C], got \(x.shape)")
        let (n, hw, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        precondition(hw > 0, "globalAvgPool2d needs a non-empty image, got \(x.shape)")
        let scale = 1 / Float(hw)
        let out = makeBuffer(n * c) { y in
            y.initialize(repeating: 0, count: n * c)
            x.data.withUnsafeBufferPointer { px in
                for b in 0..<n {
                    let yo = y + b * c
                    for p in 0..<hw {
                        let xi = px.baseAddress! + (b * hw + p) * c
                        for j in 0..<c { yo[j] += xi[j] }
                    }
                }
            }
            for i in 0..<(n * c) { y[i] *= scale }
        }
        let result = Tensor(shape: [n, c], data: out)
        result.record([x]) { r in
            r.grad!.withUnsafeBufferPointer { dy in
                x.accumulateGrad { gx in
                    for b in 0..<n {
                        let d = dy.baseAddress! + b * c
                        for p in 0..<hw {
                            let gi = gx + (b * hw + p) * c
                            for j in 0..<c { gi[j] += d[j] * scale }
                        }
                    }
                }
            }
        }
        return result
    }
}
