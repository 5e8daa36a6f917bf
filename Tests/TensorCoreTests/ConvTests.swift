// conv2d (NHWC, weights [O, KH, KW, C]) and maxPool2d: forward values against direct loops and
// gradients by central differences (stride 2, padding 1, bias, several channels).
import TestSupport
import XCTest
import CKernels
@testable import TensorCore

final class ConvTests: XCTestCase {
    func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int) -> (shape: [Int], data: [Float]) {
        let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[1], w.shape[2])
        let oh = (h + 2 * p - kh) / s + 1, ow = (wd + 2 * p - kw) / s + 1
        var out: [Float] = []
        for bi in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for oc in 0..<o {
            var acc = Double(b?.data[oc] ?? 0)
            for ky in 0..<kh { for kx in 0..<kw {
                let iy = oy * s - p + ky, ix = ox * s - p + kx
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                for ci in 0..<c { acc += Double(x[bi, iy, ix, ci]) * Double(w[oc, ky, kx, ci]) }
            } }
            out.append(Float(acc))
        } } } }
        return ([n, oh, ow, o], out)
    }

    func naiveMaxPool(_ x: Tensor, kernel k: Int, stride s: Int, padding p: Int) -> (shape: [Int], data: [Float]) {
        let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1
        var out: [Float] = []
        for bi in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for ci in 0..<c {
            var m = -Float.infinity
            for ky in 0..<k { for kx in 0..<k {
                let iy = oy * s - p + ky, ix = ox * s - p + kx
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                m = max(m, x[bi, iy, ix, ci])
            } }
            out.append(m)
        } } } }
        return ([n, oh, ow, c], out)
    }

    let configs: [(x: [Int], w: [Int], stride: Int, padding: Int)] = [
        ([2, 5, 5, 3], [4, 3, 3, 3], 2, 1),
        ([2, 5, 5, 3], [4, 3, 3, 3], 1, 1),
        ([1, 6, 5, 2], [3, 3, 3, 2], 1, 0),
        ([2, 4, 4, 1], [2, 2, 2, 1], 2, 0),
        ([1, 4, 6, 2], [5, 1, 1, 2], 1, 0),
        ([1, 7, 7, 2], [2, 3, 3, 2], 2, 2),
        ([1, 5, 4, 3], [2, 2, 3, 3], 2, 1),   // non-square kernel
        ([1, 3, 4, 2], [2, 1, 1, 2], 1, 2),   // padding wider than the kernel: border windows all zeros
        ([2, 6, 6, 1], [3, 5, 5, 1], 1, 2),   // one input channel (a first layer), 5×5 same
        ([1, 7, 5, 2], [2, 3, 3, 2], 3, 2),   // stride 3
    ]

    func testConvForwardMatchesDirectLoops() {
        for (k, cfg) in configs.enumerated() {
            let x = TestData.normal(cfg.x, seed: UInt64(k)), w = TestData.normal(cfg.w, seed: UInt64(50 + k))
            let b = TestData.normal([cfg.w[0]], seed: UInt64(90 + k))
            for bias in [nil, b] {
                let y = Tensor.conv2d(x, weight: w, bias: bias, stride: cfg.stride, padding: cfg.padding)
                let want = naiveConv(x, w, bias, stride: cfg.stride, padding: cfg.padding)
                XCTAssertEqual(y.shape, want.shape, "config \(k)")
                assertClose(y.data, want.data, accuracy: 1e-5, "config \(k) bias \(bias != nil)")
            }
        }
    }

    /// The small-K kernel a first layer runs (KH·KW·C ≤ 32) gives sgemm's bits: bias first, products
    /// added in K order from +0 (checked where OpenBLAS runs the AVX-512 kernels it mirrors).
    func testSmallPatchKernelGivesTheBitsOfSGEMM() throws {
        try XCTSkipUnless(BLAS.usesAVX512Kernels, "the small-K kernel runs only beside OpenBLAS's AVX-512 kernels")
        let shapes: [(x: [Int], w: [Int], stride: Int, padding: Int)] = [
            ([8, 28, 28, 1], [32, 3, 3, 1], 1, 1), ([3, 9, 7, 3], [5, 3, 3, 3], 1, 1), ([2, 6, 6, 2], [70, 2, 2, 2], 2, 0),
            ([4, 12, 12, 1], [16, 5, 5, 1], 1, 2),
        ]
        for (k, s) in shapes.enumerated() {
            let x = TestData.normal(s.x, seed: UInt64(200 + k)), w = TestData.normal(s.w, seed: UInt64(210 + k))
            let b = TestData.normal([s.w[0]], seed: UInt64(220 + k))
            let g = ConvGeometry(n: s.x[0], h: s.x[1], w: s.x[2], c: s.x[3], kh: s.w[1], kw: s.w[2], stride: s.stride, padding: s.padding)
            XCTAssertLessThanOrEqual(g.patch, Tensor.smallPatch)
            let o = s.w[0], rows = g.n * g.oh * g.ow
            let cols = x.data.withUnsafeBufferPointer { Tensor.im2col($0.baseAddress!, g) }
            for bias in [b, nil] {
                var want = bias.map { bv in (0..<rows).flatMap { _ in bv.data } } ?? [Float](repeating: 0, count: rows * o)
                cols.withUnsafeBufferPointer { pc in
                    w.data.withUnsafeBufferPointer { pw in
                        want.withUnsafeMutableBufferPointer { pr in
                            BLAS.sgemm(transA: false, transB: true, m: rows, n: o, k: g.patch, a: pc.baseAddress!, lda: g.patch,
                                       b: pw.baseAddress!, ldb: g.patch, beta: bias == nil ? 0 : 1, c: pr.baseAddress!, ldc: o)
                        }
                    }
                }
                let got = Tensor.conv2d(x, weight: w, bias: bias, stride: s.stride, padding: s.padding)
                XCTAssertEqual(got.data.map(\.bitPattern), want.map(\.bitPattern), "shape \(k), bias \(bias != nil)")
                let fused = Tensor.conv2dReLU(x, weight: w, bias: bias, stride: s.stride, padding: s.padding)
                XCTAssertEqual(fused.data.map(\.bitPattern), want.map { max($0, 0).bitPattern }, "shape \(k) with ReLU")
            }
        }
    }

    /// conv2d runs im2col and the GEMMs a cache-sized group of examples at a time, the groups
    /// split over the cores: the output and both gradients are the bits of one whole-batch GEMM
    /// per product (dx: the transposed convolution's), at 1 thread and at 2 (whatever K). The groups start at
    /// multiples of 900 rows here (30×30 outputs per example), which keep OpenBLAS's row tiling
    /// (BLAS.rowAlignment); at other sizes a group's rows round as its own GEMM does, the same
    /// at any thread count (ThreadCountTests).
    func testGroupedConvolutionGivesTheBitsOfWholeBatchGEMMs() {
        let (n, h, c, o) = (7, 30, 40, 24)
        let g = ConvGeometry(n: n, h: h, w: h, c: c, kh: 3, kw: 3, stride: 1, padding: 1)
        XCTAssertLessThan(Tensor.cacheExamples(g), n, "several groups")
        XCTAssertGreaterThan(g.patch, Tensor.smallPatch)
        let xd = TestData.normal([n, h, h, c], seed: 301).data, wdata = TestData.normal([o, 3, 3, c], seed: 302).data
        let bd = TestData.normal([o], seed: 303).data, seed = TestData.normal([n, h, h, o], seed: 304).data
        let rows = n * h * h, patch = g.patch
        // The reference: one GEMM for the whole batch per product, then col2im.
        let cols = xd.withUnsafeBufferPointer { Tensor.im2col($0.baseAddress!, g) }
        var y = (0..<rows).flatMap { _ in bd }, dw = [Float](repeating: 0, count: o * patch), dcols = [Float](repeating: 0, count: rows * patch)
        var dx = [Float](repeating: 0, count: xd.count)
        BLAS.setThreads(1)
        cols.withUnsafeBufferPointer { pc in wdata.withUnsafeBufferPointer { pw in seed.withUnsafeBufferPointer { pd in
            y.withUnsafeMutableBufferPointer { py in
                BLAS.sgemm(transA: false, transB: true, m: rows, n: o, k: patch, a: pc.baseAddress!, lda: patch, b: pw.baseAddress!, ldb: patch,
                           beta: 1, c: py.baseAddress!, ldc: o)
            }
            dw.withUnsafeMutableBufferPointer { pg in
                BLAS.sgemm(transA: true, transB: false, m: o, n: patch, k: rows, a: pd.baseAddress!, lda: o, b: pc.baseAddress!, ldb: patch,
                           beta: 0, c: pg.baseAddress!, ldc: patch)
            }
            dcols.withUnsafeMutableBufferPointer { pq in
                BLAS.sgemm(transA: false, transB: false, m: rows, n: patch, k: o, a: pd.baseAddress!, lda: o, b: pw.baseAddress!, ldb: patch,
                           beta: 0, c: pq.baseAddress!, ldc: patch)
            }
        } } }
        dcols.withUnsafeBufferPointer { pq in dx.withUnsafeMutableBufferPointer { px in
            hps_col2im_add(pq.baseAddress!, px.baseAddress!, Int32(h), Int32(h), Int32(c), 3, 3, 1, 1, Int32(h), Int32(h), 0, Int32(n))
        } }
        // dx of a stride-1 convolution is computed as a transposed convolution: the reference is
        // im2col of dy for the whole batch times the flipped, transposed kernel, in one GEMM.
        var flipped = [Float](repeating: 0, count: 9 * o * c)
        for oi in 0..<o { for ky in 0..<3 { for kx in 0..<3 { for ci in 0..<c {
            flipped[((ky * 3 + kx) * o + oi) * c + ci] = wdata[((oi * 3 + (2 - ky)) * 3 + (2 - kx)) * c + ci]
        } } } }
        let t = ConvGeometry(n: n, h: h, w: h, c: o, kh: 3, kw: 3, stride: 1, padding: 1)
        let dyCols = seed.withUnsafeBufferPointer { Tensor.im2col($0.baseAddress!, t) }
        var dxTransposed = [Float](repeating: 0, count: xd.count)
        dyCols.withUnsafeBufferPointer { pc in flipped.withUnsafeBufferPointer { pw in dxTransposed.withUnsafeMutableBufferPointer { px in
            BLAS.sgemm(transA: false, transB: false, m: rows, n: c, k: t.patch, a: pc.baseAddress!, lda: t.patch, b: pw.baseAddress!, ldb: c,
                       beta: 0, c: px.baseAddress!, ldc: c)
        } } }
        assertClose(dxTransposed, dx, accuracy: 1e-4, "the transposed convolution is dcols = dy · W scattered by col2im")
        for threads in [1, 2] {
            BLAS.setThreads(threads)
            let x = Tensor(shape: [n, h, h, c], data: xd, requiresGrad: true), w = Tensor(shape: [o, 3, 3, c], data: wdata, requiresGrad: true)
            let b = Tensor(shape: [o], data: bd, requiresGrad: true)
            let out = Tensor.conv2d(x, weight: w, bias: b, padding: 1)
            out.backward(seed: seed)
            XCTAssertEqual(out.data.map(\.bitPattern), y.map(\.bitPattern), "output, \(threads) thread(s)")
            // dW is one GEMM over the whole batch (k = N·OH·OW), split by rows (output channels).
            XCTAssertEqual(w.grad!.map(\.bitPattern), dw.map(\.bitPattern), "weight gradient, \(threads) thread(s)")
            XCTAssertEqual(x.grad!.map(\.bitPattern), dxTransposed.map(\.bitPattern), "input gradient, \(threads) thread(s)")
        }
        BLAS.setThreads(1)
    }

    func testConvByHand() {
        // 3×3 single-channel image, 2×2 kernel of ones, stride 1, no padding: window sums.
        let x = Tensor(shape: [1, 3, 3, 1], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let w = Tensor.ones([1, 2, 2, 1])
        let y = Tensor.conv2d(x, weight: w, bias: Tensor(shape: [1], data: [0.5]))
        XCTAssertEqual(y.shape, [1, 2, 2, 1])
        XCTAssertEqual(y.data, [12.5, 16.5, 24.5, 28.5])
        // Padding 1, stride 2 with a 3×3 kernel of ones: sums over clipped windows at (0,0), (0,2), (2,0), (2,2).
        let z = Tensor.conv2d(x, weight: Tensor.ones([1, 3, 3, 1]), bias: nil, stride: 2, padding: 1)
        XCTAssertEqual(z.shape, [1, 2, 2, 1])
        XCTAssertEqual(z.data, [12, 16, 24, 28])
    }

    func testConvGradientStride2Padding1WithBias() {
        let x = TestData.normal([2, 5, 5, 3], seed: 1), w = TestData.normal([4, 3, 3, 3], seed: 2)
        let b = TestData.normal([4], seed: 3)
        GradCheck.check("conv2d s2 p1 bias", wrt: [x, w, b]) { Tensor.conv2d(x, weight: w, bias: b, stride: 2, padding: 1) }
    }

    func testConvGradientAllConfigs() {
        for (k, cfg) in configs.enumerated() {
            let x = TestData.normal(cfg.x, seed: UInt64(10 + k)), w = TestData.normal(cfg.w, seed: UInt64(20 + k))
            let b = TestData.normal([cfg.w[0]], seed: UInt64(30 + k))
            GradCheck.check("conv2d config \(k)", wrt: [x, w, b]) {
                Tensor.conv2d(x, weight: w, bias: b, stride: cfg.stride, padding: cfg.padding)
            }
            GradCheck.check("conv2d config \(k) no bias", wrt: [x, w]) {
                Tensor.conv2d(x, weight: w, bias: nil, stride: cfg.stride, padding: cfg.padding)
            }
        }
    }

    func testConvGradientWhenOnlyWeightsRequireGrad() {
        let x = TestData.normal([1, 4, 4, 2], seed: 4), w = TestData.normal([3, 3, 3, 2], seed: 5)
        GradCheck.check("conv2d wrt weights", wrt: [w]) { Tensor.conv2d(x, weight: w, bias: nil, padding: 1) }
        XCTAssertNil(x.grad)
    }

    func testConvGradientAccumulatesWhenWeightsAreReused() {
        // The same weights and bias applied twice, and gradients accumulated over two backward calls.
        let x = TestData.normal([2, 4, 4, 2], seed: 11), w = TestData.normal([2, 3, 3, 2], seed: 12, std: 0.5)
        let b = TestData.normal([2], seed: 13)
        GradCheck.check("conv(conv(x))", wrt: [x, w, b]) {
            Tensor.conv2d(Tensor.conv2d(x, weight: w, bias: b, padding: 1), weight: w, bias: b, stride: 2, padding: 1)
        }
        Tensor.conv2d(x, weight: w, bias: b, padding: 1).sum().backward()
        let gw = w.grad!, gx = x.grad!, gb = b.grad!
        Tensor.conv2d(x, weight: w, bias: b, padding: 1).sum().backward()
        assertClose(w.grad!, gw.map { 2 * $0 }, accuracy: 1e-5, "weights accumulate")
        assertClose(x.grad!, gx.map { 2 * $0 }, accuracy: 1e-5, "input accumulates")
        assertClose(b.grad!, gb.map { 2 * $0 }, accuracy: 1e-5, "bias accumulates")
    }

    func testMaxPoolForwardMatchesDirectLoops() {
        let cases: [([Int], Int, Int?, Int)] = [
            ([2, 4, 4, 3], 2, nil, 0), ([1, 5, 5, 2], 2, nil, 0), ([1, 5, 5, 2], 3, 2, 1),
            ([2, 6, 4, 1], 3, 1, 0), ([1, 4, 4, 2], 2, 1, 1),
        ]
        for (k, (shape, kernel, stride, padding)) in cases.enumerated() {
            let x = TestData.normal(shape, seed: UInt64(k))
            let y = Tensor.maxPool2d(x, kernel: kernel, stride: stride, padding: padding)
            let want = naiveMaxPool(x, kernel: kernel, stride: stride ?? kernel, padding: padding)
            XCTAssertEqual(y.shape, want.shape, "case \(k)")
            XCTAssertEqual(y.data, want.data, "case \(k)")
        }
    }

    func testMaxPoolByHand() {
        let x = Tensor(shape: [1, 2, 4, 1], data: [1, 5, 2, 0, 3, -1, 8, 4])
        XCTAssertEqual(Tensor.maxPool2d(x, kernel: 2).data, [5, 8])
        // All-negative input with padding: padding never wins.
        let neg = Tensor(shape: [1, 2, 2, 1], data: [-4, -3, -2, -1])
        XCTAssertEqual(Tensor.maxPool2d(neg, kernel: 2, stride: 1, padding: 1).data,
                       [-4, -3, -3, -2, -1, -1, -2, -1, -1])
    }

    func testMaxPoolGradient() {
        let x = TestData.spaced([2, 4, 4, 3], gap: 0.05, seed: 6)
        GradCheck.check("maxPool2d k2", wrt: [x]) { Tensor.maxPool2d(x, kernel: 2) }
        let y = TestData.spaced([1, 5, 5, 2], gap: 0.05, seed: 7)
        GradCheck.check("maxPool2d k3 s2 p1 (overlapping)", wrt: [y]) { Tensor.maxPool2d(y, kernel: 3, stride: 2, padding: 1) }
    }

    func testMaxPoolGradientRoutesToArgmax() {
        let x = Tensor(shape: [1, 2, 2, 2], data: [1, 8, 4, 2, 3, 5, 2, 7], requiresGrad: true)
        Tensor.maxPool2d(x, kernel: 2).sum().backward()
        // Channel 0 max is 4 (index 2); channel 1 max is 8 (index 1).
        XCTAssertEqual(x.grad!, [0, 1, 1, 0, 0, 0, 0, 0])
    }

    func testConvPoolChainGradient() {
        let x = TestData.normal([2, 6, 6, 2], seed: 8), w = TestData.normal([3, 3, 3, 2], seed: 9)
        let b = TestData.normal([3], seed: 10)
        // relu and max pooling have kinks; a smooth activation keeps the check meaningful.
        GradCheck.check("conv → tanh → flatten", wrt: [x, w, b], h: 1e-3) {
            Tensor.conv2d(x, weight: w, bias: b, stride: 2, padding: 1).tanh().flattened()
        }
    }
}

/// The loops around the GEMMs (im2col, col2im, pooling, ReLU) split the batch over the BLAS
/// threads; each chunk writes its own examples, so their results are the same bits at 1 thread
/// and at 2.
final class ParallelWindowTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    func run(threads: Int) -> [[Float]] {
        BLAS.setThreads(threads)
        var rng = RNG(seed: 42)
        let x = Tensor(shape: [5, 7, 6, 3], data: rng.normalArray(5 * 7 * 6 * 3), requiresGrad: true)
        let g = ConvGeometry(n: 5, h: 7, w: 6, c: 3, kh: 3, kw: 3, stride: 2, padding: 1)
        let cols = x.data.withUnsafeBufferPointer { Tensor.im2col($0.baseAddress!, g) }
        let pooled = Tensor.maxPool2d(x.relu(), kernel: 2, stride: 2, padding: 1)
        var seedRNG = RNG(seed: 7)
        let seed = seedRNG.normalArray(pooled.count)
        pooled.backward(seed: seed)
        return [cols, pooled.data, x.grad ?? []]
    }

    func testWindowsGiveTheSameBitsAtOneAndTwoThreads() {
        let one = run(threads: 1), two = run(threads: 2)
        XCTAssertEqual(one.map(\.count), two.map(\.count))
        XCTAssertTrue(one[2].contains { $0 != 0 }, "gradients reached the input")
        for (a, b) in zip(one, two) { XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern)) }
        // im2col against the definition: row (b, oy, ox), column (ky, kx, c).
        let cols = one[0]
        var rng = RNG(seed: 42)
        let x = rng.normalArray(5 * 7 * 6 * 3)
        let (oh, ow) = (4, 3)
        for (b, oy, ox, ky, kx, c) in [(0, 0, 0, 1, 1, 0), (4, 3, 2, 2, 0, 2), (2, 1, 1, 0, 2, 1), (1, 0, 2, 0, 0, 1)] {
            let iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx
            let expected: Float = iy < 0 || iy >= 7 || ix < 0 || ix >= 6 ? 0 : x[((b * 7 + iy) * 6 + ix) * 3 + c]
            XCTAssertEqual(cols[((b * oh + oy) * ow + ox) * 27 + (ky * 3 + kx) * 3 + c], expected)
        }
    }
}
