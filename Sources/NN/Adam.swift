// Adam and AdamW (one type; AdamW is Adam with decoupled weight decay — a knob, not a subclass).
//   m ← β₁m + (1−β₁)g            first moment: a running mean of gradients
//   v ← β₂v + (1−β₂)g²           second moment: a running mean of squared gradients
//   m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)  bias corrections for the zero initial moments
//   p ← p − lr·m̂/(√v̂ + ε)
// Weight decay λ: Adam adds λp to g (L2); AdamW instead does p ← p − lr·λ·p before the update.
import CKernels
import Foundation
import TensorCore

public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// True for AdamW (decoupled weight decay).
    public let decoupledWeightDecay: Bool
    public private(set) var stepCount = 0
    /// Per-parameter moments; a class so m and v can be written side by side.
    private final class Moments {
        var m: [Float], v: [Float]
        init(count: Int) { m = [Float](repeating: 0, count: count); v = m }
    }
    private var moments = ParameterSlots<Moments>()

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW with PyTorch's default decay of 0.01.
    public static func adamW(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// "adam.step" (exact integer entry), then "adam.m.<k>" and "adam.v.<k>" with parameter k's
    /// shape (zeros before the first step).
    public func stateEntries(for parameters: [Tensor]) -> [Checkpoint.Entry] {
        var out = [Checkpoint.Entry(name: "adam.step", integers: [UInt64(stepCount)])]
        let all = moments.states(for: parameters)
        for (k, p) in parameters.enumerated() {
            let s = all?[k]
            let zeros = s == nil ? [Float](repeating: 0, count: p.count) : []
            out.append(Checkpoint.Entry(name: "adam.m.\(k)", shape: p.shape, data: s?.m ?? zeros))
            out.append(Checkpoint.Entry(name: "adam.v.\(k)", shape: p.shape, data: s?.v ?? zeros))
        }
        return out
    }

    public func restoreState(_ entries: [Checkpoint.Entry], for parameters: [Tensor]) throws {
        var reader = try OptimizerStateReader(entries, source: "Adam state")
        let steps = try reader.takeStep("adam.step")
        var restored: [Moments] = []
        for (k, p) in parameters.enumerated() {
            let m = Moments(count: 0)
            m.m = try reader.take("adam.m.\(k)", shape: p.shape)
            m.v = try reader.take("adam.v.\(k)", shape: p.shape)
            restored.append(m)
        }
        try reader.finish()
        moments.restore(parameters, restored)
        stepCount = steps
    }

    public func step(_ parameters: [Tensor]) {
        moments.prepare(parameters) { Moments(count: $0.count) }
        stepCount += 1
        let t = Float(stepCount)
        let b1 = beta1, b2 = beta2, eps = epsilon, lr = learningRate
        let c1 = 1 / (1 - Foundation.pow(b1, t)), c2 = 1 / (1 - Foundation.pow(b2, t))
        let l2 = decoupledWeightDecay ? 0 : weightDecay
        let decay = decoupledWeightDecay ? 1 - lr * weightDecay : 1
        for (k, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let n = p.count, state = moments.states[k]
            grad.withUnsafeBufferPointer { gb in
                p.data.withUnsafeMutableBufferPointer { xb in
                    state.m.withUnsafeMutableBufferPointer { mb in
                        state.v.withUnsafeMutableBufferPointer { vb in
                            let (g, x, m, v) = (gb.baseAddress!, xb.baseAddress!, mb.baseAddress!, vb.baseAddress!)
                            // Elementwise: split over the threads, the same bits at any count.
                            Parallel.chunks(n, grain: 1 << 15) { i0, i1 in
                                hps_adam_update(i1 - i0, g + i0, x + i0, m + i0, v + i0, b1, b2, lr * c1, c2, eps, l2, decay)
                            }
                        }
                    }
                }
            }
        }
    }
}
