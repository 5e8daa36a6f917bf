// Learning-rate schedules. The recipe's default is `constant`: tune the rate first, decay last.
import Foundation

public indirect enum LRSchedule: Sendable, Equatable {
    case constant
    /// Multiply by `gamma` every `every` steps.
    case step(every: Int, gamma: Float)
    /// Cosine from 1 down to `minFactor` over `totalSteps`, then stay there.
    case cosine(totalSteps: Int, minFactor: Float)
    /// Ramp linearly from 0 to 1 over `steps`, then follow `then` (counted from the end of the ramp).
    case warmup(steps: Int, then: LRSchedule)

    /// Factor applied to the base learning rate at (0-based) `step`.
    public func factor(at step: Int) -> Float {
        switch self {
        case .constant:
            return 1
        case .step(let every, let gamma):
            return Foundation.pow(gamma, Float(step / max(every, 1)))
        case .cosine(let total, let minFactor):
            let progress = min(Float(step) / Float(max(total, 1)), 1)
            return minFactor + (1 - minFactor) * 0.5 * (1 + Foundation.cos(Float.pi * progress))
        case .warmup(let steps, let then):
            if step < steps { return Float(step + 1) / Float(steps) }
            return then.factor(at: step - steps)
        }
    }

    /// The learning rate at `step` for base rate `base`.
    public func rate(base: Float, step: Int) -> Float { base * factor(at: step) }
}
