// Reductions: sum, mean, max, argmax and logsumexp, over everything or along one axis.
import CKernels
import Foundation

extension Tensor {
    /// Splits the shape around `axis` into (outer, size, inner) so that element (o, a, i) sits at
    /// (o·size + a)·inner + i.
    func axisGeometry(_ axis: Int) -> (outer: Int, size: Int, inner: Int, axis: Int) {
        let ax = axis < 0 ? axis + rank : axis
        precondition(ax >= 0 && ax < rank, "axis \(axis) out of range for shape \(shape)")
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        return (outer, shape[ax], inner, ax)
    }

    func reducedShape(_ ax: Int, keepDims: Bool) -> [Int] {
        var s = shape
        if keepDims { s[ax] = 1 } else { s.remove(at: ax) }
        return s
    }

    /// Sum of all elements (a scalar). Accumulates in Double.
    public func sum() -> Tensor {
        let n = count
        var acc = 0.0
        data.withUnsafeBufferPointer { x in for i in 0..<n { acc += Double(x[i]) } }
        let result = Tensor(Float(acc))
        result.record([self]) { r in
            let g = r.grad![0]
            self.accumulateGrad { gx in for i in 0..<n { gx[i] += g } }
        }
        return result
    }

    /// Mean of all elements (a scalar).
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Sum along `axis`.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, size, inner, ax) = axisGeometry(axis)
        let out = makeBuffer(outer * inner) { o in
            o.initialize(repeating: 0, count: outer * inner)
            data.withUnsafeBufferPointer { x in
                for p in 0..<outer { for a in 0..<size {
                    let base = (p * size + a) * inner
                    for i in 0..<inner { o[p * inner + i] += x[base + i] }
                } }
            }
        }
        let result = Tensor(shape: reducedShape(ax, keepDims: keepDims), data: out)
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                self.accumulateGrad { gx in
                    for p in 0..<outer { for a in 0..<size {
                        let base = (p * size + a) * inner
                        for i in 0..<inner { gx[base + i] += g[p * inner + i] }
                    } }
                }
            }
        }
        return result
    }

    /// Mean along `axis`.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let size = axisGeometry(axis).size
        return sum(axis: axis, keepDims: keepDims) * (1 / Float(Swift.max(size, 1)))
    }

    /// Maximum along `axis`; the gradient flows to the (first) maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, size, inner, ax) = axisGeometry(axis)
        precondition(size > 0, "max over an empty axis")
        let idx = argmax(axis: axis)
        let out = makeBuffer(outer * inner) { o in
            data.withUnsafeBufferPointer { x in
                for p in 0..<outer { for i in 0..<inner {
                    o[p * inner + i] = x[(p * size + idx[p * inner + i]) * inner + i]
                } }
            }
        }
        let result = Tensor(shape: reducedShape(ax, keepDims: keepDims), data: out)
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                self.accumulateGrad { gx in
                    for p in 0..<outer { for i in 0..<inner {
                        gx[(p * size + idx[p * inner + i]) * inner + i] += g[p * inner + i]
                    } }
                }
            }
        }
        return result
    }

    /// Index of the (first) maximum along `axis`, for each position of the other axes (row-major).
    public func argmax(axis: Int = -1) -> [Int] {
        let (outer, size, inner, _) = axisGeometry(axis)
        var out = [Int](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { x in
            for p in 0..<outer { for i in 0..<inner {
                var best = 0, bestV = -Float.infinity
                for a in 0..<size {
                    let v = x[(p * size + a) * inner + i]
                    if a == 0 || v > bestV { best = a; bestV = v }
                }
                out[p * inner + i] = best
            } }
        }
        return out
    }

    /// log Σ exp along `axis`, computed stably (max subtracted). Gradient: softmax along `axis`.
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, size, inner, ax) = axisGeometry(axis)
        let out = makeBuffer(outer * inner) { o in
            data.withUnsafeBufferPointer { x in
                for p in 0..<outer { for i in 0..<inner {
                    var m = -Float.infinity
                    for a in 0..<size { m = Swift.max(m, x[(p * size + a) * inner + i]) }
                    var s: Float = 0
                    for a in 0..<size { s += Foundation.exp(x[(p * size + a) * inner + i] - m) }
                    o[p * inner + i] = m + Foundation.log(s)
                } }
            }
        }
        let result = Tensor(shape: reducedShape(ax, keepDims: keepDims), data: out)
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                r.data.withUnsafeBufferPointer { lse in
                    self.data.withUnsafeBufferPointer { x in
                        self.accumulateGrad { gx in
                            for p in 0..<outer { for a in 0..<size { for i in 0..<inner {
                                let j = (p * size + a) * inner + i
                                gx[j] += g[p * inner + i] * Foundation.exp(x[j] - lse[p * inner + i])
                            } } }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Softmax along the last axis (no-grad helper for predictions; use the fused losses to train).
    public func softmaxProbabilities(temperature: Float = 1) -> [Float] {
        let c = shape.last ?? 1, rows = count / Swift.max(c, 1)
        var out = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                var m = -Float.infinity
                for j in 0..<c { m = Swift.max(m, x[r * c + j] / temperature) }
                var s: Float = 0
                for j in 0..<c { let e = Foundation.exp(x[r * c + j] / temperature - m); out[r * c + j] = e; s += e }
                for j in 0..<c { out[r * c + j] /= s }
            }
        }
        return out
    }
}

extension Tensor {
    /// out[j] += Σ_r a[r·columns + j] (a bias's gradient from dy [rows, columns]), the columns
    /// split over the threads when there is enough work: each column is summed over every row in
    /// row order, so the bits of one thread at any count.
    static func addColumnSums(rows: Int, columns: Int, _ a: UnsafePointer<Float>, to out: UnsafeMutablePointer<Float>) {
        let grain = rows * columns >= 1 << 16 ? 16 : columns
        Parallel.chunks(columns, grain: grain) { j0, j1 in
            hps_column_sums_add(rows, j1 - j0, columns, a + j0, out + j0)
        }
    }
}
