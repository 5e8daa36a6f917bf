// Trainer+Optimizer: the optimizer and the learning-rate schedule a configuration names.
import NN
import TensorCore

extension Trainer {
    public func makeOptimizer() -> any Optimizer { Self.makeOptimizer(config) }

    /// The optimizer `config` names, with its learning rate, moments and weight decay (L2 for
    /// Adam and SGD, decoupled for AdamW).
    public static func makeOptimizer(_ config: TrainingConfig) -> any Optimizer {
        let lr = Float(config.learningRate), wd = Float(config.weightDecay)
        switch config.optimizer {
        case .adam: return Adam(learningRate: lr, beta1: Float(config.beta1), beta2: Float(config.beta2), weightDecay: wd)
        case .adamw: return Adam(learningRate: lr, beta1: Float(config.beta1), beta2: Float(config.beta2), weightDecay: wd, decoupledWeightDecay: true)
        case .sgd: return SGD(learningRate: lr, momentum: Float(config.momentum), nesterov: config.nesterov, weightDecay: wd)
        }
    }

    /// The schedule over the whole budget, in steps.
    public func makeSchedule(stepsPerEpoch: Int) -> LRSchedule {
        let total = maxEpochs * stepsPerEpoch
        let warm = min(Int((config.warmupEpochs * Double(stepsPerEpoch)).rounded()), max(total - 1, 0))
        // The decay runs over the steps after the warm-up, so it ends where the budget ends.
        let base: LRSchedule
        switch config.schedule {
        case .constant: base = .constant
        case .cosine: base = .cosine(totalSteps: total - warm, minFactor: 0)
        case .step: base = .step(every: max(1, (total - warm) / 3), gamma: 0.2)
        }
        return warm > 0 ? .warmup(steps: warm, then: base) : base
    }

}
