// LossKind: the `loss` parameter — what a training step minimises — and the one function every
// training path (Trainer, the recipe's checks, the LR range test) computes a batch's loss with.
import Datasets
import NN
import TensorCore

public enum LossKind: String, Sendable, CaseIterable {
    /// cross_entropy for classification, mse for regression.
    case auto
    /// Softmax cross-entropy (classification), with `label_smoothing`.
    case crossEntropy = "cross_entropy"
    /// Mean squared error of the standardised targets (regression).
    case mse
    /// Huber loss with δ = 1 in standardised units: squared near the target, linear beyond (regression).
    case huber
    /// Mean absolute error of the standardised targets (regression).
    case mae

    /// The loss a run on data of this task uses.
    public func resolved(regression: Bool) -> LossKind {
        self == .auto ? (regression ? .mse : .crossEntropy) : self
    }

    /// Whether this loss can train the task; nil when it can, else what to use instead.
    public func mismatch(regression: Bool) -> String? {
        switch (self, regression) {
        case (.auto, _), (.crossEntropy, false), (.mse, true), (.huber, true), (.mae, true): return nil
        case (.crossEntropy, true): return "cross_entropy trains classifiers; task: regression uses mse, huber or mae"
        case (_, false): return "\(rawValue) is a regression loss; classification trains with cross_entropy (set task: regression for real-valued targets)"
        }
    }

    /// The mean loss of model outputs [B, outputs] for rows `indices` of `dataset` (their class
    /// `labels` for classification, their standardised targets for regression).
    public func batchLoss(_ outputs: Tensor, dataset: Dataset, labels: [Int], indices: some Collection<Int>,
                          labelSmoothing: Float = 0) -> Tensor {
        guard let t = dataset.targets else {
            return Loss.softmaxCrossEntropy(outputs, labels: labels, labelSmoothing: labelSmoothing)
        }
        let target = Tensor(shape: [indices.count, t.width], data: dataset.targetRows(indices))
        return regressionLoss(outputs, target)
    }

    /// The regression loss of predictions against targets of the same shape (standardised units).
    public func regressionLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        switch resolved(regression: true) {
        case .huber: return Loss.huber(prediction, target, delta: 1)
        case .mae: return (prediction - target).abs().mean()
        default: return Loss.mse(prediction, target)
        }
    }
}
