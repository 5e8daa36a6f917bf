// Batch normalisation over the last (feature/channel) dimension: for [N, C] ("1-D") and NHWC
// [N, H, W, C] ("2-D") alike, statistics are taken over every other dimension (M = count / C rows).
// Training uses the batch's statistics and updates running ones; evaluation uses the running ones.
import CKernels
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

    /// Below this many values a training pass stays on one thread (waking another costs more).
    static let parallelElements = 1 << 15
    public var namedParameters: [(String, Tensor)] { [("gamma", gamma), ("beta", beta)] }
    public var namedBuffers: [(String, Tensor)] { [("running_mean", runningMean), ("running_var", runningVar)] }

    public var layerName: String { "batch_norm" }
    public var layerArguments: String { "\(features) features" }
    /// [..., C] → the same, when C = `features`.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try requireLastDimension(layerName, features, input)
        return input
    }

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
        // Statistics and gradient sums split the features over the threads (each sums its own
        // features over every row, in row order), the elementwise passes split the rows: the
        // bits of one thread at any thread count.
        let featureGrain = m * c >= Self.parallelElements ? 16 : c
        let rowGrain = Swift.max(1, Self.parallelElements / c)
        var mean = [Float](repeating: 0, count: c), invStd = mean, unbiased = mean
        x.data.withUnsafeBufferPointer { px in
            mean.withUnsafeMutableBufferPointer { pm in
                invStd.withUnsafeMutableBufferPointer { ps in
                    unbiased.withUnsafeMutableBufferPointer { pu in
                        let (px, pm, ps, pu) = (px.baseAddress!, pm.baseAddress!, ps.baseAddress!, pu.baseAddress!)
                        Parallel.chunks(c, grain: featureGrain) { j0, j1 in
                            hps_bn_stats(m, j1 - j0, c, px + j0, epsilon, pm + j0, ps + j0, pu + j0)
                        }
                    }
                }
            }
        }
        let rm = runningMean.data, rv = runningVar.data
        runningMean.data = (0..<c).map { (1 - momentum) * rm[$0] + momentum * mean[$0] }
        runningVar.data = (0..<c).map { (1 - momentum) * rv[$0] + momentum * unbiased[$0] }
        let g = gamma.data, b = beta.data
        var xhat: [Float] = []
        let out = makeBuffer(x.count) { y in
            xhat = makeBuffer(x.count) { h in
                x.data.withUnsafeBufferPointer { px in
                    let px = px.baseAddress!
                    Parallel.chunks(m, grain: rowGrain) { r0, r1 in
                        hps_bn_normalize(r1 - r0, c, px + r0 * c, mean, invStd, g, b, h + r0 * c, y + r0 * c)
                    }
                }
            }
        }
        let result = Tensor(shape: x.shape, data: out)
        let gammaT = gamma, betaT = beta
        result.record([x, gamma, beta]) { r in
            var sumDy = [Float](repeating: 0, count: c), sumDyXhat = sumDy
            r.grad!.withUnsafeBufferPointer { dy in
                xhat.withUnsafeBufferPointer { ph in
                    let (dy, ph) = (dy.baseAddress!, ph.baseAddress!)
                    sumDy.withUnsafeMutableBufferPointer { sd in
                        sumDyXhat.withUnsafeMutableBufferPointer { sx in
                            let (sd, sx) = (sd.baseAddress!, sx.baseAddress!)
                            Parallel.chunks(c, grain: featureGrain) { j0, j1 in
                                hps_bn_backward_sums(m, j1 - j0, c, dy + j0, ph + j0, sd + j0, sx + j0)
                            }
                        }
                    }
                    // dx = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))
                    x.accumulateGrad { gx in
                        Parallel.chunks(m, grain: rowGrain) { r0, r1 in
                            hps_bn_backward_input(r1 - r0, m, c, dy + r0 * c, ph + r0 * c, g, invStd, sumDy, sumDyXhat, gx + r0 * c)
                        }
                    }
                }
            }
            gammaT.accumulateGrad { gg in for j in 0..<c { gg[j] += sumDyXhat[j] } }
            betaT.accumulateGrad { gb in for j in 0..<c { gb[j] += sumDy[j] } }
        }
        return result
    }
}

/// Throws unless the last dimension of `input` is `features` (batch and layer norm).
func requireLastDimension(_ layer: String, _ features: Int, _ input: [Int]) throws(LayerShapeError) {
    guard let last = input.last else {
        throw LayerShapeError(layer: layer, input: input, problem: "has no features; it needs [N, ..., \(features)]")
    }
    guard last == features else {
        throw LayerShapeError(layer: layer, input: input,
                              problem: "has \(last) \(input.count == 1 ? "features" : "channels") in its last dimension; this \(layer) was built for \(features)")
    }
}
