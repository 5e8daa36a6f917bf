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
