// TrialHealthTable: `hpsearch status RUN_DIR --trial N` as text: the trial, its epochs, each
// layer's training health at the last measured epoch, the gradient norms per layer and epoch,
// and the flags (HealthRules' stated thresholds).
import Foundation
import Reports
import Search
import Storage
import Training

enum TrialHealthTable {
    static func render(_ t: TrialRecord, _ input: ReportInput) -> String {
        let metric = input.spec.metric.name
        var lines = ["trial \(t.index): \(t.state.rawValue)" + (t.rank.map { " on rank \($0)" } ?? "") + ", \(t.epochs) epochs"
                     + (t.bestEpoch.map { ", best epoch \($0)" } ?? "") + (t.bestValue.map { ", \(metric) \(g($0))" } ?? ""),
                     "config: " + t.configuration.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
        if let m = t.message { lines.append("message: \(m)") }
        let epochs = input.epochs.filter { $0.trial == t.index }
        if !epochs.isEmpty {
            lines.append("")
            lines.append(columns(["epoch", "train_loss", "val_loss", "val_acc", "lr", "seconds"], [6, 11, 11, 9, 11, 8]))
            for e in epochs {
                lines.append(columns([String(e.epoch), g(e.trainLoss), g(e.validationLoss), g(e.validationAccuracy), g(e.learningRate), g(e.seconds)],
                                     [6, 11, 11, 9, 11, 8]))
            }
        }
        let health = input.health.filter { $0.trial == t.index }.sorted { $0.epoch < $1.epoch }
        guard let last = health.last else {
            lines.append("\nno training health recorded yet (a trial reports it at initialisation and after each epoch; runs from before store schema 3 have none)")
            return lines.joined(separator: "\n")
        }
        lines.append("\ntraining health at epoch \(last.epoch) (fixed batch of \(HealthProbe.defaultBatchSize) training examples, loss \(g(last.loss))):")
        let widths = [20, 10, 11, 11, 11, 10, 10, 7, 7]
        lines.append(columns(["layer", "params", "grad_norm", "weight_norm", "update/w", "act_mean", "act_std", "dead%", "sat%"], widths))
        for l in last.layers {
            lines.append(columns([l.label, String(l.parameters), g(l.gradientNorm), g(l.weightNorm), g(l.updateRatio), g(l.activationMean),
                                  g(l.activationStd), percent(l.deadFraction), percent(l.saturation)], widths))
        }
        // Gradient norm per layer (rows) and epoch (columns), at most the last 12 epochs.
        let shown = Array(health.suffix(12))
        lines.append("\ngradient norm by epoch" + (health.count > shown.count ? " (last \(shown.count))" : "") + ":")
        lines.append(columns(["layer"] + shown.map { "e\($0.epoch)" }, [20] + shown.map { _ in 10 }))
        for (k, l) in last.layers.enumerated() {
            let row = shown.map { e -> String in
                let match = e.layers.first { $0.layer == l.layer } ?? (k < e.layers.count ? e.layers[k] : nil)
                return match.map { g($0.gradientNorm) } ?? "-"
            }
            lines.append(columns([l.label] + row, [20] + shown.map { _ in 10 }))
        }
        let flags = HealthRules().flags(health)
        lines.append("")
        if flags.isEmpty {
            lines.append("flags: none (dying ReLU, vanishing or exploding gradients, learning rate too high or low: docs/training.md states the thresholds)")
        } else {
            lines.append("flags:")
            for f in flags { lines.append("  \(f.kind.rawValue): \(f.message)") }
        }
        return lines.joined(separator: "\n")
    }

    static func g(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "-" : (v > 0 ? "inf" : "-inf") }
        return String(format: "%.4g", v)
    }

    static func percent(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", 100 * v) : "-" }

    static func columns(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).map { $0.padding(toLength: max($1, $0.count + 1), withPad: " ", startingAt: 0) }.joined().trimmingCharacters(in: .whitespaces)
    }
}
