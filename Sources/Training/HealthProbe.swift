// HealthProbe: measures a network's per-layer training health on a fixed batch (see
// `EpochHealth`), and its predictions on a fixed set of validation examples. The trainer calls it
// at initialisation and after every epoch when asked to (`Trainer.onHealth`).
import Datasets
import Foundation
import NN
import Search
import TensorCore

public struct HealthProbe {
    /// The fixed batch: the first `batchSize` examples of the training split, in order, without
    /// augmentation, as the model receives them otherwise.
    public let batch: Dataset
    /// The first `probeCount` examples of the validation split.
    public let probe: Dataset
    public let loss: LossKind

    public static let defaultBatchSize = 128
    public static let defaultProbeCount = 16

    public init(data: PreparedData, loss: LossKind, batchSize: Int = HealthProbe.defaultBatchSize,
                probeCount: Int = HealthProbe.defaultProbeCount) {
        batch = data.train.slice(0..<min(batchSize, data.train.count))
        probe = data.validation.slice(0..<min(probeCount, data.validation.count))
        self.loss = loss.resolved(regression: data.isRegression)
    }

    /// The health of `model` now. Runs in evaluation mode (no dropout masks drawn, batch norm's
    /// running statistics untouched) and leaves the parameters' gradients empty, so training goes
    /// on exactly as without it. `updateRatios[i]`, when given, is layer i's (model index) ‖Δθ‖/‖θ‖
    /// of the last optimizer step.
    public func measure(_ model: Sequential, trial: Int, epoch: Int, updateRatios: [Int: Double] = [:]) -> EpochHealth {
        let wasTraining = model.isTraining
        model.isTraining = false
        defer { model.isTraining = wasTraining; model.zeroGrad() }
        let x = Tensor(shape: [batch.count, batch.featureCount], data: batch.features)
        var outputs: [Tensor] = []
        var h = x
        for layer in model.layers {
            h = layer(h)
            outputs.append(h)
        }
        let value = loss.batchLoss(h, dataset: batch, labels: batch.labels, indices: 0..<batch.count)
        model.zeroGrad()
        if value.item.isFinite { value.backward() }
        let layers = model.layers
        var rows: [LayerHealth] = []
        for (i, layer) in layers.enumerated() where !layer.namedParameters.isEmpty {
            let params = layer.parameters
            var g2 = 0.0, w2 = 0.0, gradientsMissing = true
            for p in params {
                for v in p.data { w2 += Double(v) * Double(v) }
                if let g = p.grad { gradientsMissing = false; for v in g { g2 += Double(v) * Double(v) } }
            }
            // The activation that follows before the next parametrised layer, if any.
            var shown = outputs[i], activation = ""
            var j = i + 1
            while j < layers.count, layers[j].namedParameters.isEmpty {
                if let a = layers[j] as? Activation, a.kind != .identity { shown = outputs[j]; activation = a.layerName; break }
                j += 1
            }
            let (mean, std) = Self.moments(shown.data)
            var dead = Double.nan, saturated = Double.nan
            switch activation {
            case "relu": dead = Self.deadFraction(shown)
            case "tanh": saturated = Self.fraction(shown.data) { abs($0) > 0.99 }
            case "sigmoid": saturated = Self.fraction(shown.data) { $0 < 0.01 || $0 > 0.99 }
            default: break
            }
            rows.append(LayerHealth(layer: i, name: layer.layerName, activation: activation, parameters: layer.parameterCount,
                                    gradientNorm: gradientsMissing ? .nan : g2.squareRoot(), weightNorm: w2.squareRoot(),
                                    updateRatio: updateRatios[i] ?? .nan, activationMean: mean, activationStd: std,
                                    deadFraction: dead, saturation: saturated))
        }
        let predictions = probe.count > 0 ? Trainer.evaluate(model, probe).outputs : []
        return EpochHealth(trial: trial, epoch: epoch, loss: Double(value.item), layers: rows,
                           outputs: probe.count > 0 ? predictions.count / probe.count : 0, probe: predictions)
    }

    /// Each parametrised layer's parameters, flattened (model index → values), to compare after a step.
    public static func snapshot(_ model: Sequential) -> [Int: [Float]] {
        var out: [Int: [Float]] = [:]
        for (i, layer) in model.layers.enumerated() where !layer.namedParameters.isEmpty {
            out[i] = layer.parameters.flatMap(\.data)
        }
        return out
    }

    /// ‖θ_now − θ_before‖ / ‖θ_before‖ per layer (NaN for a zero-norm layer).
    public static func updateRatios(_ model: Sequential, since before: [Int: [Float]]) -> [Int: Double] {
        var out: [Int: Double] = [:]
        for (i, old) in before {
            var d2 = 0.0, w2 = 0.0, k = 0
            for p in model.layers[i].parameters {
                for v in p.data { let o = Double(old[k]); d2 += (Double(v) - o) * (Double(v) - o); w2 += o * o; k += 1 }
            }
            out[i] = w2 > 0 ? (d2 / w2).squareRoot() : .nan
        }
        return out
    }

    static func moments(_ v: [Float]) -> (Double, Double) {
        guard !v.isEmpty else { return (.nan, .nan) }
        var s = 0.0, s2 = 0.0
        for x in v { s += Double(x) }
        let mean = s / Double(v.count)
        for x in v { s2 += (Double(x) - mean) * (Double(x) - mean) }
        return (mean, (s2 / Double(v.count)).squareRoot())
    }

    static func fraction(_ v: [Float], _ test: (Float) -> Bool) -> Double {
        v.isEmpty ? .nan : Double(v.reduce(0) { $0 + (test($1) ? 1 : 0) }) / Double(v.count)
    }

    /// The fraction of units (everything but the batch dimension) that are zero for every example.
    static func deadFraction(_ t: Tensor) -> Double {
        let b = t.shape.first ?? 0
        guard b > 0, t.count > 0 else { return .nan }
        let units = t.count / b
        var alive = [Bool](repeating: false, count: units)
        t.data.withUnsafeBufferPointer { d in
            for r in 0..<b { for u in 0..<units where d[r * units + u] != 0 { alive[u] = true } }
        }
        return Double(alive.reduce(0) { $0 + ($1 ? 0 : 1) }) / Double(units)
    }
}
