// SGD with optional momentum, Nesterov momentum and (coupled, L2) weight decay, as PyTorch defines it:
//   g ← g + λ·p;  v ← μ·v + g;  step = nesterov ? g + μ·v : v;  p ← p − lr·step
import TensorCore

public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float, nesterov: Bool
    public private(set) var stepCount = 0
    private var velocity = ParameterSlots<[Float]>()

    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// "sgd.step" (exact integer entry), then, with momentum, "sgd.velocity.<k>" with parameter
    /// k's shape (zeros before the first step). Plain SGD has no per-parameter state.
    public func stateEntries(for parameters: [Tensor]) -> [Checkpoint.Entry] {
        var out = [Checkpoint.Entry(name: "sgd.step", integers: [UInt64(stepCount)])]
        guard momentum > 0 else { return out }
        let all = velocity.states(for: parameters)
        for (k, p) in parameters.enumerated() {
            let v = all?[k] ?? [Float](repeating: 0, count: p.count)
            out.append(Checkpoint.Entry(name: "sgd.velocity.\(k)", shape: p.shape, data: v))
        }
        return out
    }

    public func restoreState(_ entries: [Checkpoint.Entry], for parameters: [Tensor]) throws {
        var reader = try OptimizerStateReader(entries, source: "SGD state")
        let steps = try reader.takeStep("sgd.step")
        let restored = try parameters.enumerated().map { k, p in
            momentum > 0 ? try reader.take("sgd.velocity.\(k)", shape: p.shape) : []
        }
        try reader.finish()
        velocity.restore(parameters, restored)
        stepCount = steps
    }

    public func step(_ parameters: [Tensor]) {
        velocity.prepare(parameters) { [Float](repeating: 0, count: momentum > 0 ? $0.count : 0) }
        stepCount += 1
        let lr = learningRate, mu = momentum, wd = weightDecay, nest = nesterov
        for (k, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let n = p.count
            grad.withUnsafeBufferPointer { g in
                p.data.withUnsafeMutableBufferPointer { x in
                    if mu == 0 {
                        for i in 0..<n { x[i] -= lr * (g[i] + wd * x[i]) }
                        return
                    }
                    velocity.states[k].withUnsafeMutableBufferPointer { v in
                        for i in 0..<n {
                            let gi = g[i] + wd * x[i]
                            v[i] = mu * v[i] + gi
                            x[i] -= lr * (nest ? gi + mu * v[i] : v[i])
                        }
                    }
                }
            }
        }
    }
}
