// Distillation: the soft-target side of a student's loss, handed to the trainer.
import Datasets
import TensorCore

/// What a student trains on besides the labels: the teacher's soft targets for every training
/// example at `temperature`, and `alpha`, the weight of the soft-target term in
/// α·T²·KL(teacher_T ‖ student_T) + (1 − α)·CE(labels). α = 0 is hard-label training.
/// Regression: the targets are the teacher's mean prediction (targets' units), and the loss
/// α·MSE(student, teacher) + (1 − α)·loss(targets), in standardised units; the temperature is unused.
public struct Distillation: Sendable {
    public var targets: [Float]
    public var temperature: Double
    public var alpha: Double
    public var regression: Bool

    public init(teacher: Teacher, temperature: Double, alpha: Double) {
        precondition(temperature > 0 && (0...1).contains(alpha), "temperature > 0 and alpha in [0, 1]")
        self.regression = teacher.regression
        self.targets = alpha > 0 ? (teacher.regression ? teacher.meanOutputs() : teacher.softTargets(temperature: temperature)) : []
        self.temperature = temperature
        self.alpha = alpha
    }

    /// The targets of the examples at `indices`, [count × classes].
    func rows(_ indices: ArraySlice<Int>, classes c: Int) -> Tensor {
        var out = [Float](repeating: 0, count: indices.count * c)
        targets.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() { (dst.baseAddress! + k * c).update(from: src.baseAddress! + i * c, count: c) }
            }
        }
        return Tensor(shape: [indices.count, c], data: out)
    }

    /// Regression: the teacher's mean predictions for `indices`, standardised as `targets` are, [count × width].
    func standardisedRows(_ indices: ArraySlice<Int>, targets t: Dataset.Targets) -> Tensor {
        let w = t.width
        var out = [Float](repeating: 0, count: indices.count * w)
        for (k, i) in indices.enumerated() {
            for j in 0..<w { out[k * w + j] = Float((Double(targets[i * w + j]) - t.mean[j]) / t.std[j]) }
        }
        return Tensor(shape: [indices.count, w], data: out)
    }
}
