// Losses: fused, numerically stable softmax cross-entropy (optional label smoothing), MSE, Huber,
// and the distillation loss (KL between temperature-softened distributions, scaled by T²).
// Each returns the batch mean as a scalar tensor with its gradient rule beside it.
import Foundation
import TensorCore

public enum Loss {
    /// Row-wise log-softmax of logits [N, C] at temperature T, computed stably (max subtracted).
    static func logSoftmax(_ z: UnsafeBufferPointer<Float>, rows: Int, classes c: Int, temperature t: Float = 1) -> [Float] {
        var out = [Float](repeating: 0, count: rows * c)
        for r in 0..<rows {
            var m = -Float.infinity
            for j in 0..<c { m = max(m, z[r * c + j] / t) }
            var s: Float = 0
            for j in 0..<c { s += exp(z[r * c + j] / t - m) }
            let lse = m + log(s)
            for j in 0..<c { out[r * c + j] = z[r * c + j] / t - lse }
        }
        return out
    }

    /// log Σ exp over row `row` of logits [N, C], in Double from Float logits (the max is subtracted
    /// in Float, then exp and the sum are Double), and the row's argmax (the first maximum): what an
    /// evaluation pass needs for probabilities exp(z − logZ) and the loss logZ − z[label].
    public static func rowLogSumExp(_ z: UnsafeBufferPointer<Float>, row r: Int, classes c: Int) -> (logZ: Double, argmax: Int) {
        var m = -Float.infinity, arg = 0
        for j in 0..<c where z[r * c + j] > m { m = z[r * c + j]; arg = j }
        var s = 0.0
        for j in 0..<c { s += Foundation.exp(Double(z[r * c + j] - m)) }
        return (Double(m) + Foundation.log(s), arg)
    }

    /// Mean softmax cross-entropy of logits [N, C] against integer labels in 0..<C.
    /// With label smoothing ε the target is (1 − ε)·onehot + ε/C.
    /// Gradient: (softmax(z) − target) / N.
    public static func softmaxCrossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing eps: Float = 0) -> Tensor {
        precondition(logits.rank == 2, "softmaxCrossEntropy needs logits [N, C], got \(logits.shape)")
        let n = logits.shape[0], c = logits.shape[1]
        precondition(labels.count == n, "\(labels.count) labels for \(n) rows")
        precondition(eps >= 0 && eps < 1, "label smoothing must be in [0, 1)")
        let logp = logits.data.withUnsafeBufferPointer { logSoftmax($0, rows: n, classes: c) }
        let off = eps / Float(c), on = 1 - eps + off
        var total: Double = 0
        for r in 0..<n {
            precondition(labels[r] >= 0 && labels[r] < c, "label \(labels[r]) outside 0..<\(c)")
            if eps == 0 {
                total -= Double(logp[r * c + labels[r]])
            } else {
                for j in 0..<c { total -= Double((j == labels[r] ? on : off) * logp[r * c + j]) }
            }
        }
        let result = Tensor(Float(total / Double(max(n, 1))))
        result.record([logits]) { out in
            let g = out.grad![0] / Float(max(n, 1))
            logits.accumulateGrad { gz in
                for r in 0..<n { for j in 0..<c {
                    let target = eps == 0 ? (j == labels[r] ? 1 : 0) : (j == labels[r] ? on : off)
                    gz[r * c + j] += g * (exp(logp[r * c + j]) - target)
                } }
            }
        }
        return result
    }

    /// Mean squared error over all elements.
    public static func mse(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        precondition(prediction.shape == target.shape,
                     "mse: prediction \(prediction.shape) vs target \(target.shape); reshape the target to \(prediction.shape)")
        return (prediction - target).square().mean()
    }

    /// Mean Huber loss: ½r² where |r| ≤ δ, δ(|r| − ½δ) beyond. Gradient: r clipped to [−δ, δ].
    public static func huber(_ prediction: Tensor, _ target: Tensor, delta: Float = 1) -> Tensor {
        precondition(prediction.shape == target.shape, "huber: shapes \(prediction.shape) and \(target.shape) differ")
        let n = prediction.count
        let r = zip(prediction.data, target.data).map { $0 - $1 }
        var total: Double = 0
        for v in r { let a = abs(v); total += Double(a <= delta ? 0.5 * v * v : delta * (a - 0.5 * delta)) }
        let result = Tensor(Float(total / Double(max(n, 1))))
        result.record([prediction, target]) { out in
            let g = out.grad![0] / Float(max(n, 1))
            prediction.accumulateGrad { gp in for i in 0..<n { gp[i] += g * min(max(r[i], -delta), delta) } }
            target.accumulateGrad { gt in for i in 0..<n { gt[i] -= g * min(max(r[i], -delta), delta) } }
        }
        return result
    }

    /// Softened probabilities softmax(z / T) of teacher logits [N, C] (the "soft targets").
    public static func softTargets(logits: Tensor, temperature: Float) -> Tensor {
        Tensor(shape: logits.shape, data: logits.softmaxProbabilities(temperature: temperature))
    }

    /// Distillation loss: T² · mean over rows of KL(p ‖ softmax(z/T)), where p [N, C] are the
    /// teacher's soft targets at temperature T and z [N, C] the student's logits.
    /// The T² keeps gradient magnitudes comparable across temperatures (Hinton et al., 2015).
    /// Gradient with respect to z: T · (softmax(z/T) − p) / N.
    public static func distillation(studentLogits z: Tensor, teacherProbabilities p: Tensor, temperature t: Float) -> Tensor {
        precondition(z.shape == p.shape && z.rank == 2, "distillation: student \(z.shape) vs teacher \(p.shape)")
        precondition(t > 0, "temperature must be positive")
        let n = z.shape[0], c = z.shape[1]
        let logq = z.data.withUnsafeBufferPointer { logSoftmax($0, rows: n, classes: c, temperature: t) }
        var total: Double = 0
        for i in 0..<(n * c) where p.data[i] > 0 {
            total += Double(p.data[i] * (log(p.data[i]) - logq[i]))
        }
        let result = Tensor(Float(Double(t * t) * total / Double(max(n, 1))))
        result.record([z]) { out in
            let g = out.grad![0] * t / Float(max(n, 1))
            z.accumulateGrad { gz in for i in 0..<(n * c) { gz[i] += g * (exp(logq[i]) - p.data[i]) } }
        }
        return result
    }
}
