// Evaluator: a model's loss, accuracy and class probabilities over a dataset.
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

}
