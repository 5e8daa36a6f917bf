// Convolution → ReLU (→ max pool) as one operation: the same values and gradients, bit for bit,
// as conv2d, relu and maxPool2d applied one after another (ReLU and max only select values), with
// fewer passes over the convolution's output and less kept for the backward pass:
//   - ReLU runs in place on the GEMM's output; its backward reads the mask from that output
//     (y > 0 exactly where the pre-activation was > 0) and writes the convolution's output
//     gradient directly, with no zero-filled buffer to add into.
//   - With a pool, the full-size activation is dropped after pooling: the backward pass needs only
//     the pooled maxima and their positions (a maximum passed the ReLU iff it is > 0).
// `Sequential` calls this for a Conv2D followed by a ReLU (and a MaxPool2D), so every model built
// from layers gets it.
import CKernels

extension Tensor {
    /// A max-pooling window after `conv2dReLU`: `kernel`×`kernel` every `stride` pixels, no padding.
    public struct PoolWindow: Equatable, Sendable {
        public var kernel: Int, stride: Int
        public init(kernel: Int, stride: Int) { (self.kernel, self.stride) = (kernel, stride) }
    }

    /// relu(conv2d(x, weight, bias)), max-pooled when `pool` is given: [N, OH, OW, O] or
    /// [N, (OH − k) / s + 1, (OW − k) / s + 1, O]. Same bits as the three operations apart.
    public static func conv2dReLU(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                                  pool: PoolWindow? = nil) -> Tensor {
        let g: ConvGeometry, cols: [Float]
        var y: [Float]  // unique, so the in-place ReLU copies nothing
        let reluApplied: Bool
        (g, cols, y, reluApplied) = convForward(x, weight: weight, bias: bias, stride: stride, padding: padding, relu: true)
        let o = weight.shape[0], perExample = g.oh * g.ow * o
        if !reluApplied {
            y.withUnsafeMutableBufferPointer { py in
                let p = py.baseAddress!
                Parallel.chunks(g.n) { b0, b1 in hps_relu_inplace((b1 - b0) * perExample, p + b0 * perExample) }
            }
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        let wd = weight.data  // forward-time values
        let convShape = [g.n, g.oh, g.ow, o]
        guard let pool else {
            let out = y  // the activation (shared, not copied): its sign is the ReLU's mask
            let result = Tensor(shape: convShape, data: out)
            result.record(inputs) { r in
                let dy = r.grad!.withUnsafeBufferPointer { pg in
                    out.withUnsafeBufferPointer { po in
                        makeBuffer(out.count) { d in
                            Parallel.chunks(g.n) { b0, b1 in
                                let i0 = b0 * perExample
                                hps_relu_mask((b1 - b0) * perExample, po.baseAddress! + i0, pg.baseAddress! + i0, d + i0)
                            }
                        }
                    }
                }
                dy.withUnsafeBufferPointer { convBackward($0.baseAddress!, x, weight: weight, bias: bias, cols: cols, weights: wd, g) }
            }
            return result
        }
        precondition(y.count < Int(Int32.max), "conv2dReLU: activation of \(y.count) elements exceeds 32-bit indices")
        let pg = ConvGeometry(n: g.n, h: g.oh, w: g.ow, c: o, kh: pool.kernel, kw: pool.kernel, stride: pool.stride, padding: 0)
        let pooledCount = pg.n * pg.oh * pg.ow * o, pooledPerExample = pg.oh * pg.ow * o
        var argmax = [Int32](repeating: -1, count: pooledCount)
        let pooled = makeBuffer(pooledCount) { out in
            y.withUnsafeBufferPointer { pyb in
                argmax.withUnsafeMutableBufferPointer { amb in
                    let py = pyb.baseAddress!, am = amb.baseAddress!
                    Parallel.chunks(g.n) { b0, b1 in
                        hps_maxpool_forward(py, out, am, Int32(pg.h), Int32(pg.w), Int32(o), Int32(pg.kh), Int32(pg.stride), 0,
                                            Int32(pg.oh), Int32(pg.ow), Int32(b0), Int32(b1))
                    }
                }
            }
        }
        y = []  // the full-size activation is not needed again
        let result = Tensor(shape: [pg.n, pg.oh, pg.ow, o], data: pooled)
        result.record(inputs) { r in
            let dy = r.grad!.withUnsafeBufferPointer { pgr in
                argmax.withUnsafeBufferPointer { am in
                    pooled.withUnsafeBufferPointer { pp in
                        let gy = pgr.baseAddress!, a = am.baseAddress!, m = pp.baseAddress!
                        guard pool.stride == pool.kernel else {
                            // Overlapping windows: scatter into zeros (a position may be several windows' maximum).
                            var d = [Float](repeating: 0, count: g.n * perExample)
                            d.withUnsafeMutableBufferPointer { pd in
                                // An example's pooled outputs point into its own activation: split by example.
                                Parallel.chunks(g.n) { b0, b1 in
                                    hps_maxpool_backward_positive(gy, a, m, pd.baseAddress!, b0 * pooledPerExample, b1 * pooledPerExample)
                                }
                            }
                            return d
                        }
                        return makeBuffer(g.n * perExample) { d in
                            Parallel.chunks(g.n) { b0, b1 in
                                hps_maxpool_backward_positive_dense(gy, a, m, d, Int32(g.oh), Int32(g.ow), Int32(o), Int32(pool.kernel),
                                                                    Int32(pg.oh), Int32(pg.ow), Int32(b0), Int32(b1))
                            }
                        }
                    }
                }
            }
            dy.withUnsafeBufferPointer { convBackward($0.baseAddress!, x, weight: weight, bias: bias, cols: cols, weights: wd, g) }
        }
        return result
    }
}
