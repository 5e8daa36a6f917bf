// Layer normalisation over the last dimension, fused (one pass for the statistics, one for the
// output; backward in closed form). Each row of F features — a vector [N, F], or one pixel of an
// NHWC image [N, H, W, C] with F = C — is normalised by its own mean and variance, so unlike
// batch norm nothing mixes across examples and training and evaluation compute the same thing.

extension Tensor {
    /// y = gain ⊙ (x − μ) / √(σ² + ε) + bias, with μ and σ² (biased) taken over the last
    /// dimension of x [..., F] for each row; gain and bias are [F]. Statistics accumulate in Double.
    ///
    /// Backward, per row with x̂ = (x − μ)·s, s = 1/√(σ² + ε) and g = dy ⊙ gain:
    ///   dx = s/F · (F·g − Σg − x̂·Σ(g ⊙ x̂)),  dgain = Σ_rows dy ⊙ x̂,  dbias = Σ_rows dy.
    public static func layerNorm(_ x: Tensor, gain: Tensor, bias: Tensor, epsilon: Float = 1e-5) -> Tensor {
        precondition(x.rank >= 1, "layerNorm needs x [..., F], got a scalar")
        let f = x.shape[x.rank - 1]
        precondition(f > 0, "layerNorm needs at least one feature, got \(x.shape)")
        precondition(gain.shape == [f] && bias.shape == [f],
                     "layerNorm over \(f) features needs gain and bias [\(f)], got \(gain.shape) and \(bias.shape)")
        let rows = x.count / f
        var xhat = [Float](repeating: 0, count: x.count)
        var invStd = [Float](repeating: 0, count: rows)
        let out = makeBuffer(x.count) { y in
            x.data.withUnsafeBufferPointer { pxb in
                gain.data.withUnsafeBufferPointer { pg in
                    bias.data.withUnsafeBufferPointer { pb in
                        xhat.withUnsafeMutableBufferPointer { ph in
                            let px = pxb.baseAddress!
                            for r in 0..<rows {
                                let row = px + r * f
                                var sum = 0.0
                                for j in 0..<f { sum += Double(row[j]) }
                                let mean = sum / Double(f)
                                var sq = 0.0
                                for j in 0..<f { let d = Double(row[j]) - mean; sq += d * d }
                                let s = Float(1 / (sq / Double(f) + Double(epsilon)).squareRoot())
                                invStd[r] = s
                                let m = Float(mean)
                                for j in 0..<f {
                                    let v = (row[j] - m) * s
                                    ph[r * f + j] = v
                                    y[r * f + j] = pg[j] * v + pb[j]
                                }
                            }
                        }
                    }
                }
            }
        }
        let result = Tensor(shape: x.shape, data: out)
        let gd = gain.data  // forward-time values
        result.record([x, gain, bias]) { r in
            r.grad!.withUnsafeBufferPointer { pdy in
                let dy = pdy.baseAddress!
                gain.accumulateGrad { gg in
                    for r in 0..<rows { for j in 0..<f { gg[j] += dy[r * f + j] * xhat[r * f + j] } }
                }
                bias.accumulateGrad { gb in
                    for r in 0..<rows { for j in 0..<f { gb[j] += dy[r * f + j] } }
                }
                x.accumulateGrad { gx in
                    let ff = Float(f)
                    for r in 0..<rows {
                        var sumG: Float = 0, sumGX: Float = 0
                        for j in 0..<f { let g = dy[r * f + j] * gd[j]; sumG += g; sumGX += g * xhat[r * f + j] }
                        let k = invStd[r] / ff
                        for j in 0..<f {
                            let g = dy[r * f + j] * gd[j]
                            gx[r * f + j] += k * (ff * g - sumG - xhat[r * f + j] * sumGX)
                        }
                    }
                }
            }
        }
        return result
    }
}
