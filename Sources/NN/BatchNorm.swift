// Batch normalisation over the last (feature/channel) dimension: for [N, C] ("1-D") and NHWC
// [N, H, W, C] ("2-D") alike, statistics are taken over every other dimension (M = count / C rows).
// Training uses the batch's statistics and updates running ones; evaluation uses the running ones.
import Foundation
import TensorCore

public final class BatchNorm: Layer {
    public let gamma: Tensor, beta: Tensor          // [C]
    public let runningMean: Tensor, runningVar: Tensor // [C], buffers
    public let momentum: Float, epsilon: Float
    public var isTraining = true

    public init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        gamma = Tensor.ones([features], requiresGrad: true)
        beta = Tensor.zeros([features], requiresGrad: true)
        runningMean = Tensor.zeros([features])
        runningVar = Tensor.ones([features])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var features: Int { gamma.count }
    public var namedParameters: [(String, Tensor)] { [("gamma", gamma), ("beta", beta)] }
    public var namedBuffers: [(String, Tensor)] { [("running_mean", runningMean), ("running_var", runningVar)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let c = features
        precondition(x.shape.last == c, "BatchNorm(\(c)) got input \(x.shape)")
        if !isTraining {
            // y = γ (x − μ_run)/√(σ²_run + ε) + β: an affine map per feature.
            let inv = runningVar.data.map { 1 / ($0 + epsilon).squareRoot() }
            if Tensor.tracks(gamma, beta, x) {
                // Differentiable in γ, β and x (composed from ops; rarely needed in eval mode).
                let mu = Tensor(shape: [c], data: runningMean.data), s = Tensor(shape: [c], data: inv)
                return (x - mu) * s * gamma + beta
            }
            let scale = (0..<c).map { gamma.data[$0] * inv[$0] }
            let shift = (0..<c).map { beta.data[$0] - runningMean.data[$0] * scale[$0] }
            return x * Tensor(shape: [c], data: scale) + Tensor(shape: [c], data: shift)
        }
        let m = x.count / c
        precondition(m > 1, "BatchNorm in training needs more than one value per feature: use a batch of at least 2, or set isTraining = false")
        var mean = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
        var xhat = [Float](repeating: 0, count: x.count)
        x.data.withUnsafeBufferPointer { px in
            var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
            for r in 0..<m { for j in 0..<c { sum[j] += Double(px[r * c + j]) } }
            for j in 0..<c { mean[j] = Float(sum[j] / Double(m)) }
            for r in 0..<m { for j in 0..<c { let d = Double(px[r * c + j] - mean[j]); sq[j] += d * d } }
            for j in 0..<c {
                let variance = Float(sq[j] / Double(m))
                invStd[j] = 1 / (variance + epsilon).squareRoot()
                runningMean.data[j] = (1 - momentum) * runningMean.data[j] + momentum * mean[j]
                runningVar.data[j] = (1 - momentum) * runningVar.data[j] + momentum * Float(sq[j] / Double(m - 1))
            }
            for r in 0..<m { for j in 0..<c { xhat[r * c + j] = (px[r * c + j] - mean[j]) * invStd[j] } }
        }
        let g = gamma.data, b = beta.data
        var out = [Float](repeating: 0, count: x.count)
        for r in 0..<m { for j in 0..<c { out[r * c + j] = g[j] * xhat[r * c + j] + b[j] } }
        let result = Tensor(shape: x.shape, data: out)
        let gammaT = gamma, betaT = beta
        result.record([x, gamma, beta]) { r in
            let dy = r.grad!
            var sumDy = [Float](repeating: 0, count: c), sumDyXhat = [Float](repeating: 0, count: c)
            for i in 0..<m { for j in 0..<c { sumDy[j] += dy[i * c + j]; sumDyXhat[j] += dy[i * c + j] * xhat[i * c + j] } }
            gammaT.accumulateGrad { gg in for j in 0..<c { gg[j] += sumDyXhat[j] } }
            betaT.accumulateGrad { gb in for j in 0..<c { gb[j] += sumDy[j] } }
            // dx = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))
            x.accumulateGrad { gx in
                let fm = Float(m)
                for i in 0..<m { for j in 0..<c {
                    let k = i * c + j
                    gx[k] += g[j] * invStd[j] / fm * (fm * dy[k] - sumDy[j] - xhat[k] * sumDyXhat[j])
                } }
            }
        }
        return result
    }
}
