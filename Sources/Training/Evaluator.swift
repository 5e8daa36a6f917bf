// Evaluator: a model's loss, accuracy and class probabilities over a dataset (regression: its
// loss, RMSE/MAE/R² and predictions in the targets' units).
import Datasets
import Foundation
import NN
import TensorCore

extension Trainer {
    /// Loss (without label smoothing), accuracy and probabilities of the current model over all of
    /// `dataset`, in evaluation mode and without recording a graph.
    public func evaluate(_ dataset: Dataset, batchSize: Int = 1000) -> Evaluation {
        Self.evaluate(model, dataset, batchSize: batchSize)
    }

    public static func evaluate(_ model: any Layer, _ dataset: Dataset, batchSize: Int = 1000) -> Evaluation {
        let wasTraining = model.isTraining
        model.isTraining = false
        defer { model.isTraining = wasTraining }
        if let t = dataset.targets { return evaluateRegression(model, dataset, targets: t, batchSize: batchSize) }
        let c = dataset.classCount
        var probabilities = [Float](repeating: 0, count: dataset.count * c)
        var nll = 0.0, correct = 0
        let batcher = Batcher(dataset: dataset, batchSize: max(1, min(batchSize, dataset.count)), rng: RNG(seed: 0))
        var row = 0
        Tensor.withoutGrad {
            batcher.forEachBatch(epoch: 0, shuffle: false) { x, labels in
                let logits = model(x)
                precondition(logits.shape == [labels.count, c], "model output \(logits.shape) does not match \(labels.count) examples × \(c) classes")
                logits.data.withUnsafeBufferPointer { z in
                    for r in 0..<labels.count {
                        let (logZ, arg) = Loss.rowLogSumExp(z, row: r, classes: c)
                        for j in 0..<c { probabilities[(row + r) * c + j] = Float(Foundation.exp(Double(z[r * c + j]) - logZ)) }
                        nll += logZ - Double(z[r * c + labels[r]])
                        if arg == labels[r] { correct += 1 }
                    }
                }
                row += labels.count
            }
        }
        let n = Double(max(dataset.count, 1))
        var result = Evaluation(loss: nll / n, accuracy: Double(correct) / n, probabilities: probabilities, count: dataset.count)
        if c == 2, dataset.count > 0 {
            let (auc, f1) = BinaryMetrics.compute(probabilities: probabilities, labels: dataset.labels)
            result.metrics = ["auc": auc, "f1": f1]
        }
        return result
    }

    /// Regression: the predictions mapped back to the targets' units; loss = the mean squared error
    /// of the standardised targets; metrics rmse, mae, r2 in the targets' units; accuracy NaN.
    static func evaluateRegression(_ model: any Layer, _ dataset: Dataset, targets t: Dataset.Targets, batchSize: Int) -> Evaluation {
        let w = t.width
        var predictions = [Float](repeating: 0, count: dataset.count * w)
        let batcher = Batcher(dataset: dataset, batchSize: max(1, min(batchSize, dataset.count)), rng: RNG(seed: 0))
        var row = 0
        Tensor.withoutGrad {
            batcher.forEachBatch(epoch: 0, shuffle: false) { x, labels in
                let out = model(x)
                precondition(out.shape == [labels.count, w], "model output \(out.shape) does not match \(labels.count) examples × \(w) targets")
                for r in 0..<labels.count {
                    for j in 0..<w { predictions[(row + r) * w + j] = Float(Double(out.data[r * w + j]) * t.std[j] + t.mean[j]) }
                }
                row += labels.count
            }
        }
        guard dataset.count > 0 else { return Evaluation(loss: .nan, accuracy: .nan, probabilities: [], count: 0) }
        let scores = RegressionScores(predictions: predictions, targets: t)
        var result = Evaluation(loss: scores.standardisedMSE, accuracy: .nan, probabilities: [], count: dataset.count)
        result.predictions = predictions
        result.metrics = scores.metrics
        return result
    }
}
